// The JSON form of evidence and file records: what the evidence catalogue stores (inside the record
// codec's versioned envelope) and what a station submits to `serve` (as CBOR, so query-hash blobs stay
// binary). One form, so a submitted record is stored exactly as a local scan would store it.
#pragma once

#include "engine/case/evidence_catalogue.h"
#include "engine/case/kv/record_codec.h"

namespace hashtriage::engine::kv {

Json EvidenceRecordToJson(const EvidenceRecord& record);
Result<EvidenceRecord> EvidenceRecordFromJson(const Json& j);
Json FileRecordToJson(const FileRecord& record);
Result<FileRecord> FileRecordFromJson(const Json& j);

}  // namespace hashtriage::engine::kv

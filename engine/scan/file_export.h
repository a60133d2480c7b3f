// The export form of file records (`hashtriage export files`): one JSON object per item with its
// provenance, metadata, digests, PDQ and hits — hashes and metadata only, never content — and the
// CSV columns of the same. The field names are the documented export format. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case/evidence_catalogue.h"

namespace hashtriage::engine {

// Column order of the CSV export (the JSON export has the same fields in this order, plus "anomaly").
const std::vector<std::string>& FileExportColumns();

// The export object of one record; `evidence_id` is its evidence item's id.
nlohmann::ordered_json FileRecordJson(const FileRecord& record, const std::string& evidence_id);

}  // namespace hashtriage::engine

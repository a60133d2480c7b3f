// Scan results submitted by stations (`scan --submit`, `submit`): a kiosk hashes and matches a device
// locally (the evidence never leaves it) and sends the records — hashes and metadata only — to the
// team's server, which stores them as evidence of the case exactly as a local scan would, marked with
// the station's name. A submission is begun (or found again), fed file records in order, and finished;
// records the server already holds are skipped, so a station that lost its connection, or a server
// that restarted, resumes without duplicates. Each step is one transaction with its audit entry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/command_context.h"
#include "hashing/status.h"

namespace hashtriage::engine {

struct SubmissionState {
  std::uint32_t evidence = 0;  // the server's evidence number
  std::uint64_t next_seq = 0;  // the first file record the server does not hold yet
  bool finished = false;       // the final evidence record was stored
};

// `station_record` is the station's own evidence record. The server's copy is found by the station's
// name, the source as the station saw it, the settings and the content fingerprint; else created.
Result<SubmissionState> BeginSubmission(Case& c, const std::string& station, const EvidenceRecord& station_record,
                                        const CommandContext& context);
// Stores `records` (consecutive, from any seq) of the station's evidence `evidence`; those below the
// server's resume point are already stored and skipped; a gap is refused.
Result<SubmissionState> StoreSubmittedFiles(Case& c, const std::string& station, std::uint32_t evidence,
                                            const std::vector<FileRecord>& records, const CommandContext& context);
// Stores the station's final evidence record (status, integrity, verification, the index it matched
// against) once all `records_total` file records have arrived; the counts are the server's own.
Result<SubmissionState> FinishSubmission(Case& c, const std::string& station, std::uint32_t evidence,
                                         const EvidenceRecord& station_record, std::uint64_t records_total,
                                         const CommandContext& context);
// What `station` has submitted, by evidence number.
Result<std::vector<EvidenceRecord>> SubmissionsOf(const Case& c, const std::string& station);

}  // namespace hashtriage::engine

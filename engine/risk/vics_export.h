// VICS 2.0 JSON export of the case's matched media, for import into Griffeye Analyze and other
// Project VIC tools: one Media per distinct matched file content (by MD5, else SHA-1, else PDQ) with
// its category number in the chosen profile, hashes (PDQ and SHA-256 as AltHash) and one MediaFiles
// entry per place it was found (scan file path with its evidence id as SourceID, or referral file).
// A medium is precategorised only when an exact hash match gave its category; a category that comes
// from near (PDQ-family, region) matches alone is a suggestion for the reviewer (IsPrecategorized
// false). Files whose only matches are ignorable (NSRL known software) are not media of interest and
// are left out. Hashes and metadata only: exports never contain image content. Reads the case; no state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/case/case.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

struct VicsExportOptions {
  // Only media of this subject (its referrals and the scans attached to it or to any subject merged
  // into it). Default: "" (every matched file of the case).
  std::string subject_id;
  // Category numbering: "uk" or "us" (index::CategoryMap built-ins). Default: "uk".
  std::string profile = "uk";
  // The case header. Defaults: the case directory's name, and the user running the export.
  std::string case_id;
  std::string contact;
};

struct VicsExport {
  nlohmann::ordered_json document;
  std::size_t media = 0;        // distinct contents
  std::size_t media_files = 0;  // places found
  std::size_t ignorable_left_out = 0;  // files matched only as ignorable (NSRL)
};

Result<VicsExport> BuildVicsExport(const Case& case_store, const VicsExportOptions& options);

}  // namespace hashtriage::engine::risk

// GatherSubjectEvidence: everything the case holds behind one subject, read in one place for both
// the risk profile (LoadSubjectProfile) and `subject show`: the subject ids it stands for (root and
// merged aliases), its accounts, its referrals, the scans attached to it (`scan --subject` with any of
// its ids) and the distinct known images matched across all of them. Read-only; no state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/case_store.h"
#include "engine/subject_profile.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

struct ScanEvidence {
  nlohmann::json record;         // the evidence record (Table::kEvidence)
  std::uint64_t files_with_hits = 0;
  std::optional<std::int64_t> started;
};

struct SubjectEvidence {
  std::string root;                      // the subject id everything resolved to
  nlohmann::json subject;                // its record
  std::vector<std::string> subject_ids;  // root first, then merged aliases
  std::vector<nlohmann::json> accounts;  // account records
  std::vector<nlohmann::json> referrals; // referral records, in order of intake
  std::vector<ScanEvidence> scans;
  // Distinct known images (grouped by any shared digest), each with its most serious category;
  // ignorable (NSRL) matches are left out.
  std::vector<HitEvidence> hits;
};

Result<SubjectEvidence> GatherSubjectEvidence(const CaseStore& store, const std::string& subject_id);

// Severity order used to keep one category per image: A, B, C, indecent-uncategorised, unknown,
// non-indecent (lower is more serious).
int CategorySeverity(index::Category category);

}  // namespace hashtriage::engine::subjects

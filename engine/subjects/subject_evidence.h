// GatherSubjectEvidence: everything the case holds behind one subject, read in one place for both
// the risk profile (LoadSubjectProfile) and `subject show`: the subject ids it stands for (root and
// merged aliases) with when each joined, its accounts, its referrals, the scans attached to it
// (`scan --subject` with any of its ids) and the distinct known images matched across all of them.
// Read-only; no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/case/referral_store.h"
#include "engine/case/subject_store.h"
#include "engine/subject_profile.h"
#include "engine/subjects/attributes.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

struct ScanEvidence {
  EvidenceRecord record;
  std::uint64_t files_with_hits = 0;
};

struct SubjectEvidence {
  std::string root;                      // the subject id everything resolved to
  SubjectRecord subject;                 // its record
  std::vector<std::string> subject_ids;  // root first, then merged aliases
  JoinTimes joined;                      // when each id became part of the subject (root: 0)
  std::vector<AccountRecord> accounts;
  std::vector<ReferralRecord> referrals; // in order of intake
  std::vector<ScanEvidence> scans;
  // Distinct known images (grouped by any shared digest), each with its most serious category;
  // ignorable (NSRL) matches are left out.
  std::vector<HitEvidence> hits;
};

Result<SubjectEvidence> GatherSubjectEvidence(const Case& case_store, const std::string& subject_id);

// Severity order used to keep one category per image: A, B, C, indecent-uncategorised, unknown,
// non-indecent (lower is more serious).
int CategorySeverity(index::Category category);

}  // namespace hashtriage::engine::subjects

// Subjects as the rest of hashtriage sees them: make sure a subject exists (scan --subject), resolve
// an id through merges, list subjects, and assemble a SubjectProfile (engine/subject_profile.h) from
// referrals, attached scans and attributes for the risk model. Functions keep no state; reads may
// run beside the single writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/subject_profile.h"
#include "hashing/status.h"

namespace hashtriage::engine {

// Stages subject `subject_id` (created_by "scan") in `txn` unless it exists (also as a merged id).
// Ids are 1-64 of A-Z a-z 0-9 . _ - (InvalidArgument otherwise).
Status EnsureSubjectExists(Case& case_store, CaseTransaction& txn, const std::string& subject_id, std::int64_t now);

// The root subject `subject_id` stands for now (merged subjects redirect). NotFound if unknown.
Result<std::string> ResolveSubjectId(const Case& case_store, const std::string& subject_id);

// Root subjects (not merged into another), in id order.
Result<std::vector<std::string>> ListSubjectIds(const Case& case_store);

// Everything the risk model may use about the subject `subject_id` resolves to: current attributes
// (with provenance, and the disagreement when merged subjects hold different values), distinct
// known-image hits from referrals and from scans attached to the subject or any subject merged into
// it (ignorable/NSRL matches excluded; one entry per image, its most serious category), distribution
// events, flags and activity times.
Result<SubjectProfile> LoadSubjectProfile(const Case& case_store, const std::string& subject_id);

}  // namespace hashtriage::engine

// RescoreChangedSubjects: what intake, link/unlink, identifier, attribute and re-match operations call
// after they change subjects, so new intelligence re-scores the subjects at once (risk model rules).
// Uses the case's risk model (engine/risk/rescore.h). Stateless; the caller holds the case read-write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

// Re-scores `subject_ids` (root ids) at `now`. OK when the list is empty.
Status RescoreChangedSubjects(Case& case_store, const std::vector<std::string>& subject_ids, std::int64_t now);

}  // namespace hashtriage::engine::subjects

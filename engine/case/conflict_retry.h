// RetryOnConflict: repeats a unit of work that failed with a Conflict on a shared (PostgreSQL) case —
// another process changed the same records first and nothing of this attempt was stored — after a
// short random pause that grows with each attempt, on a fresh read view (what others committed during
// the pause is seen). The work must be repeatable: it reads, decides
// and writes afresh each time (intake batches, re-scoring, audit entries). On an embedded case, or
// for any other error, the first outcome is returned.
#pragma once

#include <functional>

#include "engine/case/case.h"
#include "hashing/status.h"

namespace hashtriage::engine {

inline constexpr int kConflictAttempts = 12;

Status RetryOnConflict(Case& c, const std::function<Status()>& attempt);

}  // namespace hashtriage::engine

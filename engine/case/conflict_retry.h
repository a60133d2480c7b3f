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

// For a unit of work that reads everything it decides on inside `attempt` (a review, a take, a
// research change): on a shared case each attempt runs holding the case's writers' lock, on a read view
// begun after the lock was granted, so such units queue behind each other instead of refusing each
// other's commits (every change moves the audit head and the id counters). A Conflict with a writer
// that does not take the lock (an intake batch) is retried as RetryOnConflict does. Embedded: one
// attempt, as RetryOnConflict.
Status SerializedWrite(Case& c, const std::function<Status()>& attempt);

}  // namespace hashtriage::engine

#include "engine/case/conflict_retry.h"

#include <chrono>
#include <random>
#include <thread>

namespace hashtriage::engine {

Status RetryOnConflict(Case& c, const std::function<Status()>& attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int n = 1;; ++n) {
    Status status = attempt();
    if (status.ok() || status.code() != StatusCode::kConflict || !c.shared() || n >= kConflictAttempts) return status;
    const int ceiling_ms = 5 << std::min(n, 6);  // 10, 20, ... 320 ms
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + jitter() % ceiling_ms));
    c.Refresh();  // the next attempt reads what was committed meanwhile
  }
}

Status SerializedWrite(Case& c, const std::function<Status()>& attempt) {
  if (!c.shared()) return RetryOnConflict(c, attempt);
  return RetryOnConflict(c, [&]() -> Status {
    HT_RETURN_IF_ERROR(c.LockWriters());
    Status status = attempt();
    c.UnlockWriters();
    return status;
  });
}

}  // namespace hashtriage::engine

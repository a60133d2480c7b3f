// hashtriage-test-driver: the hashtriage command line with crash-injection points, for the
// crash-consistency tests only (it is built with the tests and never installed). The points come from
// the environment, read here and nowhere in the product:
//   HASHTRIAGE_TEST_KILL_AT_ITEM=N       SIGKILL when scan item N reaches the writer (batch not committed)
//   HASHTRIAGE_TEST_COMMIT_EVERY=N       scan records per committed batch
//   HASHTRIAGE_TEST_KILL_AT_REFERRAL=N   SIGKILL just before the N-th good referral of an intake is staged
//   HASHTRIAGE_TEST_INTAKE_BATCH=N       intake referrals per committed batch
//   HASHTRIAGE_TEST_CRASH_AT=record:N | before-ingest   SIGKILL inside an index import
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <cstring>
#include <string>

#include "engine/cli/commands.h"
#include "engine/test_hooks.h"

namespace {

long long EnvNumber(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoll(v) : -1;
}

[[noreturn]] void Die() {
  ::kill(::getpid(), SIGKILL);
  std::abort();
}

}  // namespace

int main(int argc, char** argv) {
  hashtriage::engine::TestHooks hooks;
  if (const long long at = EnvNumber("HASHTRIAGE_TEST_KILL_AT_ITEM"); at >= 0) {
    hooks.scan_item_at_writer = [at](std::uint64_t seq) {
      if (static_cast<long long>(seq) == at) Die();
    };
  }
  if (const long long every = EnvNumber("HASHTRIAGE_TEST_COMMIT_EVERY"); every > 0) {
    hooks.scan_commit_every = static_cast<int>(every);
  }
  if (const long long at = EnvNumber("HASHTRIAGE_TEST_KILL_AT_REFERRAL"); at > 0) {
    hooks.intake_referral = [at](std::uint64_t n) {
      if (static_cast<long long>(n) == at) Die();
    };
  }
  const long long kill_after = EnvNumber("HASHTRIAGE_TEST_KILL_AFTER_CHUNK");
  const long long pause_after = EnvNumber("HASHTRIAGE_TEST_PAUSE_AFTER_CHUNK");  // 3 s: time to kill the server
  if (kill_after > 0 || pause_after > 0) {
    hooks.submit_chunk = [kill_after, pause_after](std::uint64_t n) {
      if (static_cast<long long>(n) == kill_after) Die();
      if (static_cast<long long>(n) == pause_after) std::this_thread::sleep_for(std::chrono::seconds(3));
    };
  }
  if (const long long batch = EnvNumber("HASHTRIAGE_TEST_INTAKE_BATCH"); batch > 0) {
    hooks.intake_batch = static_cast<std::size_t>(batch);
  }
  if (const char* crash = std::getenv("HASHTRIAGE_TEST_CRASH_AT"); crash != nullptr && *crash != '\0') {
    const std::string point(crash);
    const long long record = point.rfind("record:", 0) == 0 ? std::atoll(point.c_str() + 7) : -1;
    hooks.index_import = [point, record](std::string_view where, std::uint64_t n) {
      if ((where == "record" && static_cast<long long>(n) == record) || where == point) Die();
    };
  }
  return hashtriage::cli::RunCommandLine(argc, argv, &hooks);
}

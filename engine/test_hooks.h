// TestHooks: crash-injection points for the crash-consistency tests (a process killed between a batch
// being staged and committed must leave a case that resumes to the same records). They are injected by
// a test-only driver program (tests/reliability/test_driver.cc) through the command context; the
// released `hashtriage` never sets them and release code never reads the environment for them.
// Plain value; the callbacks run on the thread that reaches the point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace hashtriage::engine {

struct TestHooks {
  // Called with each item's sequence number as it reaches the scan writer (its batch not committed).
  std::function<void(std::uint64_t seq)> scan_item_at_writer;
  // Called before the n-th good referral of an intake run is staged (1-based).
  std::function<void(std::uint64_t n)> intake_referral;
  // Called with the n-th entry staged by an index import (1-based), and with "before-ingest".
  std::function<void(std::string_view point, std::uint64_t n)> index_import;
  // Called after the n-th chunk of file records a station submitted was accepted by the server (1-based).
  std::function<void(std::uint64_t n)> submit_chunk;
  // Batch sizes for the tests (0 = the default): scan records per commit, intake referrals per commit.
  int scan_commit_every = 0;
  std::size_t intake_batch = 0;
};

}  // namespace hashtriage::engine

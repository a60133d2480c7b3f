// Helpers shared by the reliability tests (tests/reliability): the binary and quoting, running a
// command with its peak memory measured, the records a case exports, snapshots of directory trees
// (to prove nothing changed or appeared), and running as root without the capabilities that bypass
// file permissions (so that an unreadable file is unreadable).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/case/kv/kv_store.h"
#include "tests/test_support.h"

namespace hashtriage::reliability {

// The hashtriage executable (shell-quoted) and path quoting, from tests/test_support.h.
using testing::Bin;
using testing::Q;

// Command prefix for a sanitizer build's child run under strace: LeakSanitizer cannot work under
// ptrace and aborts the traced process, so leak checking is off there (ASan's other checks stay on).
inline const std::string kNoLeakCheckUnderTrace = "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\" ";

struct MeasuredResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
  long max_rss_kb = 0;  // peak resident set size of the command
};
// Runs `command` with /bin/sh (exec'd, so the peak memory is the command's own) in `cwd`, with
// `env` ("NAME=value") added to the environment.
MeasuredResult RunMeasured(const std::string& command, const std::filesystem::path& cwd,
                           const std::vector<std::string>& env = {});

// "setpriv ... " dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH when running as root (tests usually
// do in containers), else "".
std::string WithoutPermissionBypass();

// `hashtriage export files` of a case, one JSON object per record.
std::vector<nlohmann::json> ExportRecords(const std::filesystem::path& case_dir);

// Every record of the given tables of the embedded case store (opened read-only), keyed
// "<table>/<hex key>"; the raw stored bytes, so two cases compare exactly — except the real-clock
// fields of evidence records ("*_utc"), which differ between any two runs and are left out.
std::map<std::string, std::string> DumpCase(const std::filesystem::path& case_dir,
                                            const std::vector<engine::kv::Table>& tables);

// "" when equal, else one line per key missing from `actual`, unexpected in it, or with another value.
std::string DiffDumps(const std::map<std::string, std::string>& expected, const std::map<std::string, std::string>& actual);

// The seed of a randomised test: $HASHTRIAGE_TEST_SEED if set, else `fallback` (printed by the tests
// so that a failure can be replayed).
std::uint64_t TestSeed(std::uint64_t fallback);

// One line per entry under `dir` (relative path, type, size, mtime; atime too when `with_atime`),
// sorted; entries whose relative path starts with one of `skip` are left out. Paths longer than
// PATH_MAX are fine (find walks with relative paths).
std::string TreeSnapshot(const std::filesystem::path& dir, bool with_atime, const std::vector<std::string>& skip = {});

}  // namespace hashtriage::reliability

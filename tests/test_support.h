// Helpers shared by every test executable: temporary directories, running a command and
// capturing its output, reading files, and where the shared test data and the built binary are.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hashtriage::testing {

// ../shared/testdata (overridable with $HASHTRIAGE_TESTDATA).
std::filesystem::path TestDataDir();
// The hashtriage executable of this build tree.
std::filesystem::path HashtriageBinary();

// A fresh directory removed (with everything in it) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs `command` with /bin/sh -c; stdout and stderr captured separately.
CommandResult RunCommand(const std::string& command);
// Runs `command`, expects (EXPECT_EQ) exit status 0, and returns its stdout.
std::string RunOk(const std::string& command);
// Single-quotes an argument for /bin/sh.
std::string ShellQuote(const std::string& arg);
// The hashtriage executable of this build tree, shell-quoted: the start of a command line.
std::string Bin();
// The test driver (tests/reliability/test_driver.cc): hashtriage with crash-injection points set from
// $HASHTRIAGE_TEST_* variables, shell-quoted. Only crash tests use it; the released binary has none.
std::string DriverBin();
// `path` shell-quoted, for a command line.
std::string Q(const std::filesystem::path& path);

// The DOM of a local HTML file as headless Chromium renders it (`chromium --dump-dom`), with a private
// profile under `profile_dir` and no background network traffic. Chromium is a test dependency
// (scripts/install-deps installs it); a missing browser is an exit code of 127, never a skip.
CommandResult ChromiumDumpDom(const std::filesystem::path& html, const std::filesystem::path& profile_dir);

std::vector<std::byte> ReadBytes(const std::filesystem::path& path);
void WriteBytes(const std::filesystem::path& path, const std::vector<std::byte>& bytes);
void WriteText(const std::filesystem::path& path, const std::string& text);
std::vector<std::string> SplitLines(const std::string& text);
// The non-empty lines of `text` each parsed as JSON (`export files --format jsonl` output).
std::vector<nlohmann::json> JsonLines(const std::string& text);
// The file records of a case as `hashtriage export files --format jsonl` prints them.
std::vector<nlohmann::json> ExportedFileRecords(const std::filesystem::path& case_dir);

// Every regular file under dir, sorted.
std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir);

}  // namespace hashtriage::testing

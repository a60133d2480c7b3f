#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace hashtriage::testing {

std::filesystem::path TestDataDir() {
  if (const char* env = std::getenv("HASHTRIAGE_TESTDATA")) return env;
  return HASHTRIAGE_TESTDATA_DIR;
}

std::filesystem::path HashtriageBinary() { return std::filesystem::path(HASHTRIAGE_BINARY_DIR) / "hashtriage"; }

std::string Bin() { return ShellQuote(HashtriageBinary().string()); }
std::string DriverBin() {
  return ShellQuote((std::filesystem::path(HASHTRIAGE_BINARY_DIR) / "hashtriage-test-driver").string());
}

std::string Q(const std::filesystem::path& path) { return ShellQuote(path.string()); }

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hashtriage-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Tests may leave unreadable files and directories behind; make them removable first.
  RunCommand("chmod -R u+rwx " + ShellQuote(path_.string()) + " 2>/dev/null");
  std::filesystem::remove_all(path_, ec);
}

std::string RunOk(const std::string& command) {
  const CommandResult r = RunCommand(command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
  return r.out;
}

std::string ShellQuote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

CommandResult ChromiumDumpDom(const std::filesystem::path& html, const std::filesystem::path& profile_dir) {
  return RunCommand(
      "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
      "--disable-component-update --disable-sync --user-data-dir=" +
      ShellQuote(profile_dir.string()) + " --dump-dom " + ShellQuote("file://" + html.string()) + " 2>/dev/null");
}

CommandResult RunCommand(const std::string& command) {
  char err_template[] = "/tmp/hashtriage-stderr-XXXXXX";
  const int err_fd = ::mkstemp(err_template);
  ::close(err_fd);
  CommandResult result;
  const std::string full = "(" + command + ") 2>" + ShellQuote(err_template);
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream err(err_template, std::ios::binary);
  std::stringstream ss;
  ss << err.rdbuf();
  result.err = ss.str();
  std::remove(err_template);
  return result;
}

std::vector<std::byte> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::transform(chars.begin(), chars.end(), out.begin(), [](char c) { return static_cast<std::byte>(c); });
  return out;
}

void WriteBytes(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  return lines;
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : SplitLines(text)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

std::vector<nlohmann::json> ExportedFileRecords(const std::filesystem::path& case_dir) {
  return JsonLines(RunOk(Bin() + " export files --format jsonl --case " + Q(case_dir)));
}

std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace hashtriage::testing

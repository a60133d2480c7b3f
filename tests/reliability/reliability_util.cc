#include "tests/reliability/reliability_util.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hashtriage::reliability {

namespace {

std::string ReadAndRemove(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(path.c_str());
  return ss.str();
}

}  // namespace


MeasuredResult RunMeasured(const std::string& command, const std::filesystem::path& cwd,
                           const std::vector<std::string>& env) {
  char out_name[] = "/tmp/hashtriage-out-XXXXXX";
  char err_name[] = "/tmp/hashtriage-err-XXXXXX";
  const int out_fd = ::mkstemp(out_name);
  const int err_fd = ::mkstemp(err_name);
  MeasuredResult result;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
    const std::string full = "exec " + command;
    ::execl("/bin/sh", "sh", "-c", full.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  int status = 0;
  struct rusage usage {};
  if (pid > 0 && ::wait4(pid, &status, 0, &usage) == pid) {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.max_rss_kb = usage.ru_maxrss;
  }
  result.out = ReadAndRemove(out_name);
  result.err = ReadAndRemove(err_name);
  return result;
}

std::string WithoutPermissionBypass() {
  if (::geteuid() != 0) return "";
  return "setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search ";
}

std::vector<nlohmann::json> ExportRecords(const std::filesystem::path& case_dir) {
  const auto r = testing::RunCommand(Bin() + " export files --case " + Q(case_dir));
  std::vector<nlohmann::json> records;
  for (const auto& line : testing::SplitLines(r.out)) records.push_back(nlohmann::json::parse(line));
  return records;
}

std::map<std::string, std::string> DumpCase(const std::filesystem::path& case_dir,
                                            const std::vector<engine::kv::Table>& tables) {
  engine::kv::KvOptions options;
  options.path = case_dir.string();
  options.read_only = true;
  auto store = engine::kv::KvStore::Open(options);
  std::map<std::string, std::string> out;
  if (!store.ok()) {
    out["error"] = store.status().ToString();
    return out;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (engine::kv::Table table : tables) {
    const Status scanned = (*store)->Scan(table, "", [&](std::string_view key, std::string_view value) {
      std::string name = std::string(engine::kv::TableName(table)) + "/";
      for (unsigned char c : key) name += std::string{kHex[c >> 4], kHex[c & 15]};
      if (table == engine::kv::Table::kEvidence) {
        nlohmann::json j = nlohmann::json::from_cbor(value.begin(), value.end(), true, false);
        if (j.is_object()) {
          j.erase("started_utc");
          j.erase("finished_utc");
          out[name] = j.dump();
          return true;
        }
      }
      out[name] = std::string(value);
      return true;
    });
    if (!scanned.ok()) out["error/" + std::string(engine::kv::TableName(table))] = scanned.ToString();
  }
  return out;
}

std::string DiffDumps(const std::map<std::string, std::string>& expected, const std::map<std::string, std::string>& actual) {
  std::string out;
  for (const auto& [key, value] : expected) {
    auto it = actual.find(key);
    if (it == actual.end()) {
      out += "missing: " + key + "\n";
    } else if (it->second != value) {
      out += "differs: " + key + "\n";
    }
  }
  for (const auto& [key, value] : actual) {
    if (expected.count(key) == 0) out += "unexpected: " + key + "\n";
  }
  return out;
}

std::uint64_t TestSeed(std::uint64_t fallback) {
  const char* env = std::getenv("HASHTRIAGE_TEST_SEED");
  return env != nullptr && *env ? std::strtoull(env, nullptr, 10) : fallback;
}

std::string TreeSnapshot(const std::filesystem::path& dir, bool with_atime, const std::vector<std::string>& skip) {
  const std::string format = with_atime ? "%P %y %s %T@ %A@\\n" : "%P %y %s %T@\\n";
  const auto r = testing::RunCommand("cd " + Q(dir) + " && find . -mindepth 1 -printf '" + format + "' | LC_ALL=C sort");
  std::string out;
  for (const auto& line : testing::SplitLines(r.out)) {
    bool skipped = false;
    for (const auto& s : skip) skipped = skipped || line.starts_with(s);
    if (!skipped) out += line + "\n";
  }
  return out;
}

}  // namespace hashtriage::reliability

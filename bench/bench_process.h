// Helpers shared by the end-to-end benchmarks (scan_bench, image_cost_bench): wall clocks, whole-file
// reads and writes, and child processes measured by wait4 (wall time, CPU time, peak RSS).
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace hashtriage::bench {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds (user + system) this process has used so far.
inline double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

inline std::vector<std::byte> Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  std::memcpy(out.data(), c.data(), c.size());
  return out;
}

inline void WriteFile(const std::filesystem::path& p, const void* data, std::size_t n) {
  std::ofstream out(p, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
}

struct ChildRun {
  int status = -1;
  double seconds = 0;      // wall
  double cpu_seconds = 0;  // user + system of the child
  long max_rss_kb = 0;
  int exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
};

// Runs `args` (args[0] a path) with standard output to `out_path` (default /dev/null), waits for it.
// The peak RSS comes from GNU time around the child when it is installed: a forked child's own peak
// starts at this process's RSS (until it execs), which a benchmark holding its data in memory inflates.
inline ChildRun RunChild(std::vector<std::string> args, const std::string& out_path = "/dev/null") {
  const bool gnu_time = access("/usr/bin/time", X_OK) == 0;
  char rss_file[] = "/tmp/bench-rss-XXXXXX";
  if (gnu_time) {
    const int fd = mkstemp(rss_file);
    if (fd >= 0) close(fd);
    args.insert(args.begin(), {"/usr/bin/time", "-f", "%M", "-o", rss_file});
  }
  const auto start = Clock::now();
  // The child's freopen would flush a copy of whatever the parent has buffered (the summary, once per child).
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (freopen(out_path.c_str(), "w", stdout) == nullptr) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ChildRun r;
  rusage usage{};
  wait4(pid, &r.status, 0, &usage);
  r.seconds = Seconds(start);
  r.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  r.max_rss_kb = usage.ru_maxrss;
  if (gnu_time) {
    std::ifstream in(rss_file);
    long kb = 0;
    if (in >> kb) r.max_rss_kb = kb;
    std::remove(rss_file);
  }
  return r;
}

// Runs a shell command; returns its wall seconds (a failure is reported on stderr, not fatal).
inline double Shell(const std::string& command) {
  const auto start = Clock::now();
  if (std::system(command.c_str()) != 0) std::fprintf(stderr, "bench: '%s' failed\n", command.c_str());
  return Seconds(start);
}

}  // namespace hashtriage::bench

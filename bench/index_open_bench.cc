// index_bench --open N --work DIR: the cost of opening an index of N PDQ hashes + N MD5s, with the
// search structures mapped from their files (internal/search_structures.h) against built at open
// (the files hidden), each measured in a fresh child process of this same invocation: wall and CPU
// time to the first answer (open, one image's 8 PDQ queries at t=31 and 1,024 MD5 lookups), the RSS
// that adds, and the RSS after 4,096 more PDQ queries, split into anonymous (private to the process)
// and file-backed pages (the mapped structures: shared through the page cache by every process that
// maps them, so a second process adds its anonymous pages, not these), and the proportional share. Also the time the
// writer spends writing the structures after a commit. Prints one JSON line per measurement.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench/index_bench_util.h"
#include "index/internal/key_codec.h"
#include "index/known_index.h"
#include "index/set_writer.h"

namespace hashtriage::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

long StatusKiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  }
  return 0;
}

// Proportional set size (shared pages divided among the processes mapping them), KiB.
long PssKiB() {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Pss:", 0) == 0) return std::stol(line.substr(4));
  }
  return 0;
}

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }


// In a child: open, first answer, more queries; one JSON line.
void MeasureOpen(const std::string& dir, const char* label, const PdqCorpus& corpus,
                 const std::vector<hashing::Md5Digest>& md5_probe) {
  const long rss0 = CurrentRssKiB(), anon0 = StatusKiB("RssAnon"), file0 = StatusKiB("RssFile"), pss0 = PssKiB();
  const double cpu0 = ProcessCpuSeconds();
  const auto t0 = Clock::now();
  auto idx = OpenOrDie(dir, true, true, true);
  const auto first = idx->SearchPdq(std::span(corpus.queries).subspan(0, 8), 31);
  const auto exact = idx->LookupMd5(md5_probe);
  const double first_s = Since(t0), first_cpu = ProcessCpuSeconds() - cpu0;
  if (!first.ok() || !exact.ok()) std::exit(1);
  const long rss1 = CurrentRssKiB();
  std::size_t matches = 0;
  const auto q0 = Clock::now();
  for (std::size_t i = 8; i + 8 <= corpus.queries.size(); i += 8) {
    auto r = idx->SearchPdq(std::span(corpus.queries).subspan(i, 8), 31);
    for (const auto& m : *r) matches += m.size();
  }
  const double query_s = Since(q0);
  std::printf(
      "{\"mode\": \"open\", \"structures\": \"%s\", \"note\": \"%s\", \"first_answer_seconds\": %.3f, "
      "\"first_answer_cpu_seconds\": %.3f, \"rss_added_at_first_answer_MiB\": %.1f, "
      "\"rss_added_after_queries_MiB\": %.1f, \"anon_added_MiB\": %.1f, \"file_backed_added_MiB\": %.1f, "
      "\"pss_added_MiB\": %.1f, \"queries\": %zu, \"matches\": %zu, \"queries_per_s\": %.0f}\n",
      label, idx->Stats().structures.c_str(), first_s, first_cpu, (rss1 - rss0) / 1024.0,
      (CurrentRssKiB() - rss0) / 1024.0, (StatusKiB("RssAnon") - anon0) / 1024.0,
      (StatusKiB("RssFile") - file0) / 1024.0, (PssKiB() - pss0) / 1024.0, corpus.queries.size() - 8, matches,
      static_cast<double>(corpus.queries.size() - 8) / query_s);
  std::fflush(stdout);
}

// Runs this binary again as `index_bench --open-child LABEL DIR` (a fresh process: forking one that has
// run RocksDB's threads could deadlock the child), its standard input from `in` (-1: inherited).
pid_t Spawn(const std::string& label, const std::string& dir, int in) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    if (in >= 0) dup2(in, 0);
    execl("/proc/self/exe", "index_bench", "--open-child", label.c_str(), dir.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  return pid;
}

bool Waited(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The queries and MD5 probes, for the children to read: 4,096 PDQ hashes then 1,024 MD5s.
std::string ProbePath(const std::string& dir) { return dir + ".probe"; }

}  // namespace

int RunIndexOpen(std::size_t n, const std::string& work) {
  const std::string dir = work + "/open-" + std::to_string(n);
  PdqCorpus corpus = MakePdqCorpus(n, 4096, 20'000, 4321);
  std::mt19937_64 rng(99);
  std::vector<hashing::Md5Digest> md5_probe(1024);
  if (!fs::exists(dir)) {
    auto idx = OpenOrDie(dir, false, true, true);
    const auto t0 = Clock::now();
    {
      auto w = idx->BeginSet("pdq-set", "bench", false).value();
      index::EntryInfo info;
      info.pdq_quality = 100;
      for (std::size_t i = 0; i < n; ++i) {
        if (!w->Add(index::HashType::kPdq, index::internal::PdqToBytes(corpus.hashes[i]), info, 0, i + 1).ok()) return 1;
      }
      if (!w->Commit(index::SetInfo{}).ok()) return 1;
    }
    {
      auto w = idx->BeginSet("md5-set", "bench", false).value();
      hashing::Md5Digest d;
      for (std::size_t i = 0; i < n; ++i) {
        for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
        if (i < md5_probe.size()) md5_probe[i] = d;
        if (!w->Add(index::HashType::kMd5, d.bytes, index::EntryInfo{}, 0, i + 1).ok()) return 1;
      }
      if (!w->Commit(index::SetInfo{}).ok()) return 1;
    }
    const double import_s = Since(t0);
    const auto w0 = Clock::now();
    if (!idx->WriteSearchStructures().ok()) return 1;
    std::printf("{\"mode\": \"open-build\", \"hashes\": %zu, \"import_both_sets_seconds\": %.1f, "
                "\"write_structures_seconds\": %.1f}\n",
                n, import_s, Since(w0));
  } else {
    hashing::Md5Digest d;
    for (std::size_t i = 0; i < md5_probe.size(); ++i) {
      for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
      md5_probe[i] = d;
    }
  }
  {
    std::ofstream probe(ProbePath(dir), std::ios::binary | std::ios::trunc);
    probe.write(reinterpret_cast<const char*>(corpus.queries.data()), static_cast<std::streamsize>(corpus.queries.size() * 32));
    probe.write(reinterpret_cast<const char*>(md5_probe.data()), static_cast<std::streamsize>(md5_probe.size() * 16));
  }
  // Page cache warm for both: one untimed mapped open first.
  for (const char* label : {"warm-up (mapped)", "mapped"}) {
    if (!Waited(Spawn(label, dir, -1))) return 1;
  }
  {
    // A second process while a first holds the index open, having run the same queries: the first says
    // "ready" on its standard output and holds on until its standard input closes.
    int ready[2], hold[2];
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(hold, O_CLOEXEC) != 0) return 1;
    std::fflush(stdout);
    const pid_t first = fork();
    if (first == 0) {
      dup2(ready[1], 1);
      dup2(hold[0], 0);
      execl("/proc/self/exe", "index_bench", "--open-child", "hold", dir.c_str(), static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    close(ready[1]);
    close(hold[0]);
    char c = 0;
    if (read(ready[0], &c, 1) != 1) return 1;
    if (!Waited(Spawn("mapped, second process (a first holds it open)", dir, -1))) return 1;
    close(hold[1]);
    if (!Waited(first)) return 1;
  }
  const fs::path files = fs::path(dir) / "structures", hidden = fs::path(dir) / "structures.hidden";
  if (!fs::exists(files)) return 1;
  fs::rename(files, hidden);
  const bool ok = Waited(Spawn("built at open (files hidden)", dir, -1));
  fs::rename(hidden, files);
  return ok ? 0 : 1;
}

int RunIndexOpenChild(const std::string& label, const std::string& dir) {
  PdqCorpus corpus;
  corpus.queries.resize(4096);
  std::vector<hashing::Md5Digest> md5_probe(1024);
  std::ifstream probe(ProbePath(dir), std::ios::binary);
  probe.read(reinterpret_cast<char*>(corpus.queries.data()), 4096 * 32);
  probe.read(reinterpret_cast<char*>(md5_probe.data()), 1024 * 16);
  if (!probe) return 1;
  if (label == "hold") {
    auto idx = OpenOrDie(dir, true, true, true);
    for (std::size_t i = 0; i + 8 <= corpus.queries.size(); i += 8) (void)idx->SearchPdq(std::span(corpus.queries).subspan(i, 8), 31);
    (void)idx->LookupMd5(md5_probe);
    char c = 'r';
    if (write(1, &c, 1) != 1) return 1;
    while (read(0, &c, 1) > 0) {
    }
    return 0;
  }
  MeasureOpen(dir, label.c_str(), corpus, md5_probe);
  return 0;
}

}  // namespace hashtriage::bench
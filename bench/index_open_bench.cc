// index_bench --open N --work DIR: the cost of opening an index of N PDQ hashes + N MD5s, with the
// search structures mapped from their files (internal/search_structures.h) against built at open
// (the files hidden), each measured in a fresh child process of this same invocation: wall and CPU
// time to the first answer (open, one image's 8 PDQ queries at t=31 and 1,024 MD5 lookups), the RSS
// that adds, and the RSS after 4,096 more PDQ queries, split into anonymous (private to the process)
// and file-backed pages (the mapped structures: shared through the page cache by every process that
// maps them, so a second process adds its anonymous pages, not these), and the proportional share. Also the time the
// writer spends writing the structures after a commit. Prints one JSON line per measurement.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
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

std::unique_ptr<index::KnownIndex> OpenIndex(const std::string& dir, bool read_only) {
  index::IndexOptions o;
  o.path = dir;
  o.read_only = read_only;
  auto r = index::KnownIndex::Open(o);
  if (!r.ok()) {
    std::fprintf(stderr, "index_bench: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// In a child: open, first answer, more queries; one JSON line.
void MeasureOpen(const std::string& dir, const char* label, const PdqCorpus& corpus,
                 const std::vector<hashing::Md5Digest>& md5_probe) {
  const long rss0 = CurrentRssKiB(), anon0 = StatusKiB("RssAnon"), file0 = StatusKiB("RssFile"), pss0 = PssKiB();
  const double cpu0 = ProcessCpuSeconds();
  const auto t0 = Clock::now();
  auto idx = OpenIndex(dir, true);
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

void InChild(const std::function<void()>& body) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    std::_Exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "index_bench: a measurement child failed\n");
    std::exit(1);
  }
}

}  // namespace

int RunIndexOpen(std::size_t n, const std::string& work) {
  const std::string dir = work + "/open-" + std::to_string(n);
  PdqCorpus corpus = MakePdqCorpus(n, 4096, 20'000, 4321);
  std::mt19937_64 rng(99);
  std::vector<hashing::Md5Digest> md5_probe(1024);
  if (!fs::exists(dir)) {
    auto idx = OpenIndex(dir, false);
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
  std::vector<hashing::PdqHash>().swap(corpus.hashes);
  // Page cache warm for both: one untimed mapped open first.
  InChild([&] { MeasureOpen(dir, "warm-up (mapped)", corpus, md5_probe); });
  InChild([&] { MeasureOpen(dir, "mapped", corpus, md5_probe); });
  {
    // A second process while a first one holds the index open and has run the same queries.
    int ready[2], release[2];
    if (pipe(ready) != 0 || pipe(release) != 0) return 1;
    std::fflush(stdout);
    const pid_t first = fork();
    if (first == 0) {
      auto idx = OpenIndex(dir, true);
      for (std::size_t i = 0; i + 8 <= corpus.queries.size(); i += 8) (void)idx->SearchPdq(std::span(corpus.queries).subspan(i, 8), 31);
      (void)idx->LookupMd5(md5_probe);
      char c = 1;
      (void)!write(ready[1], &c, 1);
      (void)!read(release[0], &c, 1);
      std::_Exit(0);
    }
    char c = 0;
    (void)!read(ready[0], &c, 1);
    InChild([&] { MeasureOpen(dir, "mapped, second process (a first holds it open)", corpus, md5_probe); });
    close(release[1]);
    waitpid(first, nullptr, 0);
  }
  const fs::path files = fs::path(dir) / "structures", hidden = fs::path(dir) / "structures.hidden";
  fs::rename(files, hidden);
  InChild([&] { MeasureOpen(dir, "built at open (files hidden)", corpus, md5_probe); });
  fs::rename(hidden, files);
  return 0;
}

}  // namespace hashtriage::bench

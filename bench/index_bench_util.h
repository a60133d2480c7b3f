// Helpers shared by the index benchmarks: deterministic PDQ corpora (random hashes plus planted near
// neighbours of the queries), raw hash files exchanged with bench/pdq_faiss_compare.py, and peak RSS.
#pragma once

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "hashing/pdq_hash.h"
#include "index/known_index.h"

namespace hashtriage::bench {

struct PdqCorpus {
  std::vector<hashing::PdqHash> hashes;
  std::vector<hashing::PdqHash> queries;
};

// n random hashes (planted ones included), `queries` random queries, and `planted` indexed hashes at
// distances 0..40 from the queries.
inline PdqCorpus MakePdqCorpus(std::size_t n, std::size_t queries, std::size_t planted, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  PdqCorpus c;
  c.hashes.resize(n);
  for (auto& h : c.hashes) {
    for (auto& w : h.words) w = rng();
  }
  c.queries.resize(queries);
  for (auto& h : c.queries) {
    for (auto& w : h.words) w = rng();
  }
  for (std::size_t i = 0; i < planted && i < n; ++i) {
    hashing::PdqHash h = c.queries[i % queries];
    const int distance = static_cast<int>(i % 41);
    for (int k = 0; k < distance; ++k) {
      const int bit = static_cast<int>(rng() % 256);
      h.words[bit / 64] ^= std::uint64_t{1} << (bit % 64);  // may repeat a bit: distance <= i % 41
    }
    c.hashes[rng() % n] = h;
  }
  return c;
}

// Raw 32-byte records; the word layout is the in-memory one (Hamming distance does not care).
inline std::vector<hashing::PdqHash> ReadPdqFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<hashing::PdqHash> out;
  char buf[32];
  while (in.read(buf, 32)) {
    hashing::PdqHash h;
    std::memcpy(h.words.data(), buf, 32);
    out.push_back(h);
  }
  return out;
}

// CPU time of the calling thread, seconds: rates per CPU-second stay meaningful when other jobs share
// the machine (the wall-clock rate is printed beside it).
inline double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
// CPU time of the whole process (all threads), seconds.
inline double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Resident set size now (VmRSS), KiB.
inline long CurrentRssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// The index at `dir`, or exit 1 naming why.
inline std::unique_ptr<::hashtriage::index::KnownIndex> OpenOrDie(const std::string& dir, bool read_only, bool filter, bool pdq,
                                                    std::size_t block_cache = 0, bool in_memory = false) {
  ::hashtriage::index::IndexOptions o;
  o.exact_in_memory = in_memory;
  o.block_cache_bytes = block_cache;
  o.path = dir;
  o.read_only = read_only;
  o.exact_filter = filter;
  o.load_pdq = pdq;
  auto r = ::hashtriage::index::KnownIndex::Open(o);
  if (!r.ok()) {
    std::fprintf(stderr, "index_bench: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// Store-level modes (bench/index_bench_store.cc).
int RunImportVics(std::size_t n, const std::string& work);
int RunExact(std::size_t n, const std::string& work);
int RunPdqIndex(std::size_t n, const std::string& work);
// bench/index_open_bench.cc
int RunIndexOpen(std::size_t n, const std::string& work);
int RunIndexOpenChild(const std::string& label, const std::string& dir);

inline long PeakRssKiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace hashtriage::bench

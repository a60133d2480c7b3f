// Benchmarks for index/: PDQ radius search (MIH vs flat scan) at 1M and 10M hashes, exact lookups
// on a RocksDB-backed md5 set, and VICS JSON import rate.
//
//   build/release/bench/index_bench --benchmark_filter=PdqQuery
//   build/release/bench/index_bench --pdq-corpus DIR [--threshold 31] [--method auto|mih|flat]
//     (used by bench/pdq_faiss_compare.py: times queries over DIR/hashes.u8 and DIR/queries.u8)
//   build/release/bench/index_bench --import-vics 5000000 | --exact 20000000 | --pdq-index 10000000 | --open 10000000
//     [--work DIR]  (store-level figures; see bench/index_bench_store.cc)
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/index_bench_util.h"
#include "index/internal/mih_index.h"

namespace {

using hashtriage::hashing::PdqHash;
using hashtriage::index::internal::MihIndex;
using hashtriage::index::internal::PdqSearchMethod;
namespace hb = hashtriage::bench;

// One corpus and index per size, built on first use and kept for the process (bench only).
struct PdqFixture {
  hb::PdqCorpus corpus;
  MihIndex index;
};
PdqFixture& GetPdqFixture(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<PdqFixture>> cache;
  auto& slot = cache[n];
  if (!slot) {
    slot = std::make_unique<PdqFixture>();
    slot->corpus = hb::MakePdqCorpus(n, 4096, 20'000, 1234);
    slot->index = MihIndex::Build(slot->corpus.hashes);
  }
  return *slot;
}

// args: hashes (millions), threshold, method (0 auto, 1 MIH, 2 flat), queries per batch
void BM_PdqQuery(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0)) * 1'000'000;
  const int t = static_cast<int>(state.range(1));
  const auto method = static_cast<PdqSearchMethod>(state.range(2));
  const std::size_t batch = static_cast<std::size_t>(state.range(3));
  PdqFixture& f = GetPdqFixture(n);
  std::size_t next = 0, matches = 0;
  std::uint64_t candidates = 0, probes = 0, queries = 0;
  for (auto _ : state) {
    if (next + batch > f.corpus.queries.size()) next = 0;
    auto r = f.index.Search(std::span(f.corpus.queries).subspan(next, batch), t, method);
    next += batch;
    for (auto& h : r.hits) matches += h.size();
    candidates += r.stats.candidates;
    probes += r.stats.probes;
    queries += batch;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(queries));
  state.counters["queries_per_s"] = benchmark::Counter(static_cast<double>(queries), benchmark::Counter::kIsRate);
  state.counters["candidates_per_query"] = static_cast<double>(candidates) / static_cast<double>(queries);
  state.counters["probes_per_query"] = static_cast<double>(probes) / static_cast<double>(queries);
  state.counters["matches_per_query"] = static_cast<double>(matches) / static_cast<double>(queries);
  state.counters["tables"] = f.index.substrings();
  state.counters["bits"] = f.index.substring_bits();
  state.counters["index_MiB"] = static_cast<double>(f.index.MemoryBytes()) / (1 << 20);
}
BENCHMARK(BM_PdqQuery)
    ->ArgNames({"Mhashes", "t", "method", "batch"})
    ->Args({1, 31, 1, 8})
    ->Args({1, 31, 2, 8})
    ->Args({1, 48, 1, 8})
    ->Args({1, 48, 2, 8})
    ->Args({1, 63, 1, 8})
    ->Args({1, 63, 2, 8})
    ->Args({10, 31, 1, 8})
    ->Args({10, 31, 2, 8})
    ->Args({10, 48, 1, 8})
    ->Args({10, 48, 2, 8})
    ->Args({10, 63, 1, 8})
    ->Args({10, 63, 2, 8})
    ->Unit(benchmark::kMicrosecond);

// --pdq-corpus mode: read the corpus the python script wrote, time one core's queries, print JSON.
int RunCorpusMode(const std::string& dir, int threshold, PdqSearchMethod method) {
  auto hashes = hb::ReadPdqFile(dir + "/hashes.u8");
  auto queries = hb::ReadPdqFile(dir + "/queries.u8");
  if (hashes.empty() || queries.empty()) {
    std::fprintf(stderr, "index_bench: cannot read %s/hashes.u8 or queries.u8\n", dir.c_str());
    return 1;
  }
  const long rss_before = hb::PeakRssKiB();
  const auto t0 = std::chrono::steady_clock::now();
  const MihIndex index = MihIndex::Build(std::move(hashes));
  const auto t1 = std::chrono::steady_clock::now();
  // Warm up on the first few queries, then time all of them in batches of 8.
  (void)index.Search(std::span(queries).first(std::min<std::size_t>(64, queries.size())), threshold, method);
  std::size_t matches = 0;
  std::uint64_t candidates = 0;
  const auto t2 = std::chrono::steady_clock::now();
  const double cpu0 = hb::ThreadCpuSeconds();
  for (std::size_t q = 0; q < queries.size(); q += 8) {
    const auto r = index.Search(std::span(queries).subspan(q, std::min<std::size_t>(8, queries.size() - q)),
                                threshold, method);
    for (const auto& h : r.hits) matches += h.size();
    candidates += r.stats.candidates;
  }
  const auto t3 = std::chrono::steady_clock::now();
  const double cpu = hb::ThreadCpuSeconds() - cpu0;
  const double secs = std::chrono::duration<double>(t3 - t2).count();
  std::printf(
      "{\"hashes\": %zu, \"queries\": %zu, \"threshold\": %d, \"matches\": %zu, \"seconds\": %.6f, "
      "\"queries_per_s\": %.1f, \"queries_per_cpu_s\": %.1f, \"build_seconds\": %.3f, \"candidates_per_query\": %.1f, \"tables\": %d, "
      "\"bits\": %d, \"index_bytes\": %zu, \"peak_rss_kib_before_build\": %ld, \"peak_rss_kib\": %ld}\n",
      index.size(), queries.size(), threshold, matches, secs, static_cast<double>(queries.size()) / secs,
      static_cast<double>(queries.size()) / cpu,
      std::chrono::duration<double>(t1 - t0).count(),
      static_cast<double>(candidates) / static_cast<double>(queries.size()), index.substrings(),
      index.substring_bits(), index.MemoryBytes(), rss_before, hb::PeakRssKiB());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--open-child") == 0) return hb::RunIndexOpenChild(argv[2], argv[3]);
  std::string corpus, work = "/tmp/hashtriage-index-bench";
  std::string store_mode;
  std::size_t store_n = 0;
  int threshold = 31;
  PdqSearchMethod method = PdqSearchMethod::kAuto;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--pdq-corpus") == 0) corpus = argv[i + 1];
    if (std::strcmp(argv[i], "--threshold") == 0) threshold = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--work") == 0) work = argv[i + 1];
    for (const char* mode : {"--import-vics", "--exact", "--pdq-index", "--open"}) {
      if (std::strcmp(argv[i], mode) == 0) {
        store_mode = mode;
        store_n = std::strtoull(argv[i + 1], nullptr, 10);
      }
    }
    if (std::strcmp(argv[i], "--method") == 0) {
      const std::string m = argv[i + 1];
      method = m == "mih" ? PdqSearchMethod::kMih : m == "flat" ? PdqSearchMethod::kFlat : PdqSearchMethod::kAuto;
    }
  }
  if (!corpus.empty()) return RunCorpusMode(corpus, threshold, method);
  if (store_mode == "--import-vics") return hb::RunImportVics(store_n, work);
  if (store_mode == "--exact") return hb::RunExact(store_n, work);
  if (store_mode == "--pdq-index") return hb::RunPdqIndex(store_n, work);
  if (store_mode == "--open") return hb::RunIndexOpen(store_n, work);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Store-level index benchmarks, run as modes of index_bench (each prints one JSON line):
//   --import-vics N --work DIR   generate a VICS 1.3 file of N Media (MD5, SHA1, AltHash PDQ), import it
//   --exact N --work DIR         N random MD5s as one set; lookups/s for hits and misses with the in-memory
//                                exact table (alone and behind the filter), then RocksDB with the filter on
//                                and off (1 GiB block cache; RocksDB hits measured after one warming pass);
//                                open (build) time per mode, and the table's memory and RSS per entry
//   --pdq-index N --work DIR     N random PDQ hashes (+ planted neighbours) as one set, built if missing;
//                                then open it read-only and report open time, RSS and SearchPdq queries/s
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench/index_bench_util.h"
#include "hashing/digest_types.h"
#include "index/importer.h"
#include "index/internal/key_codec.h"
#include "index/known_index.h"
#include "index/set_writer.h"

namespace hashtriage::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }


template <std::size_t N>
void RandomBytes(std::mt19937_64& rng, std::array<std::uint8_t, N>& out) {
  for (std::size_t i = 0; i < N; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<std::size_t>(8, N - i));
  }
}

}  // namespace

int RunImportVics(std::size_t n, const std::string& work) {
  fs::create_directories(work);
  const std::string file = work + "/vics-" + std::to_string(n) + ".json";
  if (!fs::exists(file)) {
    std::ofstream out(file, std::ios::binary);
    out << "{\"odata.metadata\": \"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\",\n\"value\": [\n";
    std::mt19937_64 rng(7);
    std::array<std::uint8_t, 16> md5;
    std::array<std::uint8_t, 20> sha1;
    std::array<std::uint8_t, 32> pdq;
    std::string rec;
    for (std::size_t i = 0; i < n; ++i) {
      RandomBytes(rng, md5);
      RandomBytes(rng, sha1);
      RandomBytes(rng, pdq);
      rec = i ? ",\n" : "";
      rec += "{\"MediaID\": " + std::to_string(i + 1) + ", \"Category\": " + std::to_string(i % 5) +
             ", \"MD5\": \"" + hashing::EncodeHex(md5.data(), 16) + "\", \"SHA1\": \"" +
             hashing::EncodeHex(sha1.data(), 20) + "\", \"MediaSize\": " + std::to_string(10000 + i % 5000) +
             ", \"IsDistributed\": " + (i % 3 ? "true" : "false") + ", \"VictimIdentified\": false, \"Series\": \"\"" +
             ", \"MediaFiles\": [{\"MD5\": \"" + hashing::EncodeHex(md5.data(), 16) +
             "\", \"FileName\": \"img" + std::to_string(i) + ".jpg\"}], \"AltHash\": [{\"HashName\": \"PDQ\", " +
             "\"HashValue\": \"" + hashing::EncodeHex(pdq.data(), 32) + "\"}]}";
      out << rec;
    }
    out << "\n]}\n";
  }
  const std::string dir = work + "/import-idx";
  fs::remove_all(dir);
  auto idx = OpenOrDie(dir, false, false, false);
  index::ImportOptions o;
  o.format = index::ImportFormat::kVics;
  const auto t0 = Clock::now();
  const double cpu0 = ProcessCpuSeconds();
  auto r = index::ImportSet(*idx, "national", {file}, o);
  const double cpu = ProcessCpuSeconds() - cpu0;
  const auto t1 = Clock::now();
  if (!r.ok()) {
    std::fprintf(stderr, "index_bench: %s\n", r.status().ToString().c_str());
    return 1;
  }
  std::uint64_t entries = 0;
  for (const auto& [t, k] : r->commit.set.entries) entries += k;
  const double s = Seconds(t0, t1);
  std::printf(
      "{\"mode\": \"import-vics\", \"records\": %llu, \"hash_entries\": %llu, \"file_bytes\": %llu, \"seconds\": %.2f, "
      "\"records_per_s\": %.0f, \"hash_entries_per_s\": %.0f, \"MB_per_s\": %.1f, \"cpu_seconds_all_threads\": %.2f, "
      "\"peak_rss_kib\": %ld}\n",
      static_cast<unsigned long long>(r->records_read), static_cast<unsigned long long>(entries),
      static_cast<unsigned long long>(fs::file_size(file)), s, static_cast<double>(r->records_read) / s,
      static_cast<double>(entries) / s, static_cast<double>(fs::file_size(file)) / s / 1e6, cpu, PeakRssKiB());
  return 0;
}

int RunExact(std::size_t n, const std::string& work) {
  const std::string dir = work + "/exact-" + std::to_string(n);
  std::mt19937_64 rng(11);
  std::vector<hashing::Md5Digest> known(n);
  for (auto& d : known) RandomBytes(rng, d.bytes);
  double build_s = 0;
  if (!fs::exists(dir)) {
    auto idx = OpenOrDie(dir, false, false, false);
    const auto t0 = Clock::now();
    auto w = idx->BeginSet("md5-set", "bench", false).value();
    index::EntryInfo info;
    info.category = index::Category::kA;
    for (std::size_t i = 0; i < n; ++i) {
      info.media_id = std::to_string(i);
      if (!w->Add(index::HashType::kMd5, known[i].bytes, info, 0, i + 1).ok()) return 1;
    }
    if (!w->Commit(index::SetInfo{}).ok()) return 1;
    build_s = Seconds(t0, Clock::now());
  }
  constexpr std::size_t kQueries = 2'000'000, kBatch = 1024;
  std::vector<hashing::Md5Digest> hits(kQueries), misses(kQueries);
  for (auto& d : hits) d = known[rng() % n];
  for (auto& d : misses) RandomBytes(rng, d.bytes);
  std::printf("{\"mode\": \"exact\", \"entries\": %zu, \"build_seconds\": %.1f", n, build_s);
  struct Mode {
    const char* name;
    bool table, filter;
  };
  // The table modes first, so their RSS growth at open is not mixed with a filled block cache.
  for (const Mode& mode : {Mode{"table", true, false}, Mode{"table_filter", true, true}, Mode{"filter", false, true},
                           Mode{"nofilter", false, false}}) {
    const long rss0 = CurrentRssKiB();
    const auto t0 = Clock::now();
    const double open_c0 = ThreadCpuSeconds();
    // A scan sizes the block cache to the exact sets (here ~700 MB of md5 entries at 20M).
    auto idx = OpenOrDie(dir, true, mode.filter, false, std::size_t{1} << 30, mode.table);
    const double open_s = Seconds(t0, Clock::now());
    const double open_cpu = ThreadCpuSeconds() - open_c0;
    const long rss1 = CurrentRssKiB();
    if (!mode.table) {
      for (std::size_t i = 0; i < kQueries; i += kBatch) {  // warm the block cache
        (void)idx->LookupMd5(std::span(hits).subspan(i, std::min(kBatch, kQueries - i)));
      }
    }
    for (const auto* queries : {&hits, &misses}) {
      const std::size_t count = mode.table || mode.filter || queries == &hits ? kQueries : kQueries / 4;
      std::size_t found = 0;
      const auto q0 = Clock::now();
      const double c0 = ThreadCpuSeconds();
      for (std::size_t i = 0; i < count; i += kBatch) {
        const auto r = idx->LookupMd5(std::span(*queries).subspan(i, std::min(kBatch, count - i)));
        for (const auto& m : *r) found += m.empty() ? 0 : 1;
      }
      const double c = ThreadCpuSeconds() - c0;
      const double s = Seconds(q0, Clock::now());
      const char* kind = queries == &hits ? "hit" : "miss";
      std::printf(", \"%s_%s_per_s\": %.0f, \"%s_%s_per_cpu_s\": %.0f, \"%s_%s_found\": %zu", kind, mode.name,
                  static_cast<double>(count) / s, kind, mode.name, static_cast<double>(count) / c, kind, mode.name,
                  found);
    }
    std::printf(", \"open_seconds_%s\": %.2f, \"open_cpu_seconds_%s\": %.2f", mode.name, open_s, mode.name, open_cpu);
    if (mode.table) {
      const auto stats = idx->Stats();
      std::printf(", \"table_bytes_per_entry_%s\": %.1f, \"rss_bytes_per_entry_%s\": %.1f", mode.name,
                  static_cast<double>(stats.exact_table_memory_bytes) / static_cast<double>(n), mode.name,
                  static_cast<double>(rss1 - rss0) * 1024.0 / static_cast<double>(n));
    }
  }
  std::printf(", \"peak_rss_kib\": %ld}\n", PeakRssKiB());
  return 0;
}

int RunPdqIndex(std::size_t n, const std::string& work) {
  const std::string dir = work + "/pdq-" + std::to_string(n);
  PdqCorpus corpus = MakePdqCorpus(n, 4096, 20'000, 1234);
  if (!fs::exists(dir)) {
    auto idx = OpenOrDie(dir, false, false, false);
    auto w = idx->BeginSet("pdq-set", "bench", false).value();
    index::EntryInfo info;
    info.pdq_quality = 100;
    for (std::size_t i = 0; i < n; ++i) {
      const auto bytes = index::internal::PdqToBytes(corpus.hashes[i]);
      if (!w->Add(index::HashType::kPdq, bytes, info, 0, i + 1).ok()) return 1;
    }
    auto r = w->Commit(index::SetInfo{});
    if (!r.ok()) {
      std::fprintf(stderr, "index_bench: %s\n", r.status().ToString().c_str());
      return 1;
    }
  }
  std::vector<hashing::PdqHash> queries = std::move(corpus.queries);
  std::vector<hashing::PdqHash>().swap(corpus.hashes);
  const long rss0 = CurrentRssKiB();
  const auto t0 = Clock::now();
  auto idx = OpenOrDie(dir, true, false, true);
  const double open_s = Seconds(t0, Clock::now());
  const long rss1 = CurrentRssKiB();
  std::size_t matches = 0;
  const auto q0 = Clock::now();
  const double c0 = ThreadCpuSeconds();
  for (std::size_t i = 0; i < queries.size(); i += 8) {
    const auto r = idx->SearchPdq(std::span(queries).subspan(i, 8), 31);
    for (const auto& m : *r) matches += m.size();
  }
  const double c = ThreadCpuSeconds() - c0;
  const double s = Seconds(q0, Clock::now());
  const auto stats = idx->Stats();
  std::printf(
      "{\"mode\": \"pdq-index\", \"hashes\": %llu, \"open_seconds\": %.2f, \"rss_kib_before_open\": %ld, "
      "\"rss_kib_after_open\": %ld, \"peak_rss_kib\": %ld, \"rss_MiB_per_million\": %.1f, \"pdq_memory_MiB\": %.1f, "
      "\"queries\": %zu, \"matches\": %zu, \"queries_per_s_t31\": %.0f, \"queries_per_cpu_s_t31\": %.0f}\n",
      static_cast<unsigned long long>(stats.pdq_unique_hashes), open_s, rss0, CurrentRssKiB(), PeakRssKiB(),
      static_cast<double>(rss1 - rss0) / 1024.0 / (static_cast<double>(n) / 1e6),
      static_cast<double>(stats.pdq_memory_bytes) / (1 << 20), queries.size(), matches,
      static_cast<double>(queries.size()) / s, static_cast<double>(queries.size()) / c);
  return 0;
}

}  // namespace hashtriage::bench

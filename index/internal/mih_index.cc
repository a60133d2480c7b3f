#include "index/internal/mih_index.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hashtriage::index::internal {

using hashing::PdqHash;

namespace {

// Number of keys within Hamming radius r of a b-bit key.
double BallVolume(int b, int r) {
  double total = 0, term = 1;  // term = C(b, k)
  for (int k = 0; k <= r && k <= b; ++k) {
    total += term;
    term = term * (b - k) / (k + 1);
  }
  return total;
}

// Predicted random memory accesses for one MIH query (a probe touches offsets and ids).
double PredictedMihAccesses(std::size_t n, int m, int b, int threshold) {
  double probes = 0;
  for (int r : SearchRadii(threshold, m)) {
    if (r >= 0) probes += BallVolume(b, r);
  }
  const double candidates = probes * static_cast<double>(n) / std::ldexp(1.0, b);
  return 2 * probes + candidates;
}

// Cost model constants (nanoseconds), fitted to bench/index_bench.cc BM_PdqQuery on the 2-core Xeon
// (Sapphire Rapids, KVM) of bench/RESULTS.md: one prefetched random access of an MIH probe or candidate
// costs about kNsPerAccess (t=31/48/63 at 10M hashes all gave 16..20 ns), one popcount distance of the
// flat scan kNsPerPair (1.7 ns at 1M and 10M). Only the ratio matters for the choice.
constexpr double kNsPerAccess = 20.0;
constexpr double kNsPerPair = 1.7;

inline void Prefetch(const void* p) { __builtin_prefetch(p, 0, 1); }

// Calls emit(key ^ mask) for every mask of at most `radius` bits among the low `bits` bits.
template <typename Emit>
void EnumerateBall(std::uint32_t key, int first_bit, int bits, int radius, Emit& emit) {
  emit(key);
  if (radius == 0) return;
  for (int i = first_bit; i < bits; ++i) {
    EnumerateBall(key ^ (std::uint32_t{1} << i), i + 1, bits, radius - 1, emit);
  }
}

void SortHits(std::vector<PdqHit>& hits) {
  std::sort(hits.begin(), hits.end(), [](const PdqHit& a, const PdqHit& b) { return a.id < b.id; });
  hits.erase(std::unique(hits.begin(), hits.end(), [](const PdqHit& a, const PdqHit& b) { return a.id == b.id; }),
             hits.end());
  std::stable_sort(hits.begin(), hits.end(),
                   [](const PdqHit& a, const PdqHit& b) { return a.distance < b.distance; });
}

}  // namespace

// Per-Search working memory, reused across the queries of one call.
struct MihScratch {
  // Bucket probe: the offsets entry of one bucket and the ids array of its table.
  struct Probe {
    const std::uint32_t* offset;
    const std::uint32_t* ids;
  };
  struct Range {
    const std::uint32_t* ids;
    std::uint32_t count;
  };
  std::vector<Probe> probes;
  std::vector<Range> ranges;
  std::vector<std::uint32_t> candidates;
  std::vector<int> radii;
};

std::vector<int> SearchRadii(int threshold, int m) {
  std::vector<int> radii(static_cast<std::size_t>(std::max(m, 0)), -1);
  if (m <= 0 || threshold < 0) return radii;
  const int r = threshold / m;
  const int a = threshold % m;
  for (int j = 0; j < m; ++j) radii[j] = j <= a ? r : r - 1;
  return radii;
}

MihConfig MihIndex::ChooseConfig(std::size_t n) {
  if (n < kMinHashesForTables) return {};
  const int log2n = static_cast<int>(std::floor(std::log2(static_cast<double>(n))));
  const int max_bits = std::clamp(log2n - 1, 8, 24);
  MihConfig best;
  double best_cost = std::numeric_limits<double>::infinity();
  for (int m = 4; m <= 32; ++m) {
    const int b = std::min(256 / m, max_bits);
    if (b < 8) continue;
    const double cost = PredictedMihAccesses(n, m, b, 31);
    if (cost < best_cost * 0.98) {  // prefer fewer tables (less memory) unless clearly cheaper
      best_cost = cost;
      best = {m, b};
    }
  }
  return best;
}

MihIndex MihIndex::Build(std::vector<PdqHash> hashes, MihConfig config) {
  MihIndex index;
  index.hashes_ = HugeArray<AlignedHash>(hashes.size());
  for (std::size_t i = 0; i < hashes.size(); ++i) index.hashes_[i].hash = hashes[i];
  std::vector<PdqHash>().swap(hashes);
  const std::size_t n = index.hashes_.size();
  if (n > std::numeric_limits<std::uint32_t>::max() - 1) throw std::length_error("MihIndex: too many hashes");
  if (config.substrings == 0 || config.substring_bits == 0) {
    if (n < kMinHashesForTables) return index;
    config = ChooseConfig(n);
  }
  if (config.substrings < 1 || config.substring_bits < 1 || config.substring_bits > 24 ||
      config.substrings * config.substring_bits > 256) {
    throw std::invalid_argument("MihIndex: substrings * substring_bits must be <= 256, bits 1..24");
  }
  index.m_ = config.substrings;
  index.b_ = config.substring_bits;
  index.offsets_.resize(index.m_);
  index.ids_.resize(index.m_);
  // Tables are independent: build them on every core (Build runs once, at open).
  const int threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, index.m_);
  std::vector<std::thread> workers;
  std::atomic<int> next_table{0};
  std::atomic<bool> out_of_memory{false};
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&] {
      try {
        for (int j = next_table++; j < index.m_; j = next_table++) index.BuildTable(j);
      } catch (const std::bad_alloc&) {
        out_of_memory = true;
      }
    });
  }
  for (auto& t : workers) t.join();
  if (out_of_memory) throw std::bad_alloc();
  return index;
}

void MihIndex::BuildTable(int j) {
  // (substring << 32 | id), LSD radix-sorted by the substring in passes of kDigit bits: sequential
  // reads and a few thousand write streams, instead of one random access per hash and bucket.
  const std::size_t n = hashes_.size();
  const std::size_t buckets = std::size_t{1} << b_;
  std::vector<std::uint64_t> keys(n), scratch(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = std::uint64_t{Substring(hashes_[i].hash, j)} << 32 | i;
  constexpr int kDigit = 12;
  std::vector<std::size_t> count(std::size_t{1} << kDigit);
  for (int shift = 0; shift < b_; shift += kDigit) {
    std::fill(count.begin(), count.end(), 0);
    const std::uint64_t mask = (std::uint64_t{1} << std::min(kDigit, b_ - shift)) - 1;
    for (std::uint64_t k : keys) ++count[(k >> (32 + shift)) & mask];
    std::size_t sum = 0;
    for (auto& c : count) sum += std::exchange(c, sum);
    for (std::uint64_t k : keys) scratch[count[(k >> (32 + shift)) & mask]++] = k;
    keys.swap(scratch);
  }
  std::vector<std::uint64_t>().swap(scratch);
  HugeArray<std::uint32_t> offsets(buckets + 1);
  HugeArray<std::uint32_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) {
    ids[i] = static_cast<std::uint32_t>(keys[i]);
    ++offsets[(keys[i] >> 32) + 1];
  }
  for (std::size_t k = 1; k <= buckets; ++k) offsets[k] += offsets[k - 1];
  offsets_[j] = std::move(offsets);
  ids_[j] = std::move(ids);
}

std::uint32_t MihIndex::Substring(const PdqHash& h, int table) const {
  const int start = table * b_;
  const int word = start >> 6;
  const int shift = start & 63;
  std::uint64_t v = h.words[word] >> shift;
  if (shift + b_ > 64) v |= h.words[word + 1] << (64 - shift);
  return static_cast<std::uint32_t>(v & ((std::uint64_t{1} << b_) - 1));
}

std::vector<std::uint64_t> MihIndex::Params() const {
  return {hashes_.size(), static_cast<std::uint64_t>(m_), static_cast<std::uint64_t>(b_)};
}

std::vector<StructureSection> MihIndex::Sections() const {
  std::vector<StructureSection> out{{hashes_.data(), hashes_.size() * sizeof(AlignedHash)}};
  for (int j = 0; j < m_; ++j) {
    out.push_back({offsets_[j].data(), offsets_[j].size() * sizeof(std::uint32_t)});
    out.push_back({ids_[j].data(), ids_[j].size() * sizeof(std::uint32_t)});
  }
  return out;
}

std::optional<MihIndex> MihIndex::FromMapped(std::shared_ptr<const MappedStructure> file) {
  if (file == nullptr || file->params().size() != 3) return std::nullopt;
  const std::uint64_t n = file->params()[0], m = file->params()[1], b = file->params()[2];
  if (n > std::numeric_limits<std::uint32_t>::max() - 1) return std::nullopt;
  const bool tables = m != 0;
  if (tables && (m > 32 || b < 1 || b > 24 || m * b > 256)) return std::nullopt;
  if (!tables && b != 0) return std::nullopt;
  if (file->sections() != 1 + 2 * m || file->section_bytes(0) != n * sizeof(AlignedHash)) return std::nullopt;
  const std::uint64_t buckets = tables ? std::uint64_t{1} << b : 0;
  for (std::uint64_t j = 0; j < m; ++j) {
    if (file->section_bytes(1 + 2 * j) != (buckets + 1) * 4 || file->section_bytes(2 + 2 * j) != n * 4) {
      return std::nullopt;
    }
  }
  MihIndex index;
  index.hashes_ = HugeArray<AlignedHash>::View(static_cast<const AlignedHash*>(file->section(0)), n);
  index.m_ = static_cast<int>(m);
  index.b_ = static_cast<int>(b);
  for (std::uint64_t j = 0; j < m; ++j) {
    index.offsets_.push_back(
        HugeArray<std::uint32_t>::View(static_cast<const std::uint32_t*>(file->section(1 + 2 * j)), buckets + 1));
    index.ids_.push_back(HugeArray<std::uint32_t>::View(static_cast<const std::uint32_t*>(file->section(2 + 2 * j)), n));
  }
  index.file_ = std::move(file);
  return index;
}

std::size_t MihIndex::MemoryBytes() const {
  std::size_t bytes = hashes_.MemoryBytes();
  for (const auto& o : offsets_) bytes += o.MemoryBytes();
  for (const auto& i : ids_) bytes += i.MemoryBytes();
  return bytes;
}

PdqSearchMethod MihIndex::ChooseMethod(int threshold) const {
  if (m_ == 0) return PdqSearchMethod::kFlat;
  const double mih_ns = kNsPerAccess * PredictedMihAccesses(hashes_.size(), m_, b_, threshold);
  const double flat_ns = kNsPerPair * static_cast<double>(hashes_.size());
  return mih_ns < flat_ns ? PdqSearchMethod::kMih : PdqSearchMethod::kFlat;
}

PdqSearchResult MihIndex::Search(std::span<const PdqHash> queries, int threshold, PdqSearchMethod method) const {
  PdqSearchResult result;
  result.hits.resize(queries.size());
  if (threshold < 0 || queries.empty() || hashes_.size() == 0) return result;
  if (method == PdqSearchMethod::kAuto) method = ChooseMethod(threshold);
  if (method == PdqSearchMethod::kMih && m_ == 0) method = PdqSearchMethod::kFlat;
  if (method == PdqSearchMethod::kFlat) {
    SearchFlat(queries, threshold, result.hits);
    result.stats.flat_queries = queries.size();
  } else {
    MihScratch scratch;
    scratch.radii = SearchRadii(threshold, m_);
    for (std::size_t q = 0; q < queries.size(); ++q) {
      SearchMih(queries[q], threshold, scratch, result.hits[q], result.stats);
    }
    result.stats.mih_queries = queries.size();
  }
  for (auto& hits : result.hits) SortHits(hits);
  return result;
}

void MihIndex::SearchMih(const PdqHash& query, int threshold, MihScratch& scratch, std::vector<PdqHit>& out,
                         PdqSearchStats& stats) const {
  // Phase 1: every bucket to look at, in every table.
  scratch.probes.clear();
  for (int j = 0; j < m_; ++j) {
    const int radius = scratch.radii[j];
    if (radius < 0) continue;
    const std::uint32_t* offsets = offsets_[j].data();
    const std::uint32_t* ids = ids_[j].data();
    auto emit = [&](std::uint32_t key) { scratch.probes.push_back({offsets + key, ids}); };
    EnumerateBall(Substring(query, j), 0, b_, std::min(radius, b_), emit);
  }
  stats.probes += scratch.probes.size();

  // Phase 2: bucket bounds, with the offsets entries fetched kAhead probes early.
  constexpr std::size_t kAhead = 64;
  const std::size_t n = hashes_.size();
  scratch.ranges.clear();
  const std::size_t np = scratch.probes.size();
  for (std::size_t i = 0; i < std::min(kAhead, np); ++i) Prefetch(scratch.probes[i].offset);
  for (std::size_t i = 0; i < np; ++i) {
    if (i + kAhead < np) Prefetch(scratch.probes[i + kAhead].offset);
    const MihScratch::Probe& p = scratch.probes[i];
    const std::uint32_t begin = p.offset[0];
    const std::uint32_t end = p.offset[1];
    if (end > begin && end <= n) {
      Prefetch(p.ids + begin);
      scratch.ranges.push_back({p.ids + begin, end - begin});
    }
  }

  // Phase 3: candidate ids; their hashes are prefetched as they are collected.
  scratch.candidates.clear();
  const AlignedHash* hashes = hashes_.data();
  for (const MihScratch::Range& r : scratch.ranges) {
    for (std::uint32_t k = 0; k < r.count; ++k) {
      const std::uint32_t id = r.ids[k];
      if (id < n) scratch.candidates.push_back(id);
    }
  }
  const std::size_t nc = scratch.candidates.size();
  stats.candidates += nc;
  for (std::size_t i = 0; i < std::min(kAhead, nc); ++i) Prefetch(hashes + scratch.candidates[i]);

  // Phase 4: full distances.
  for (std::size_t i = 0; i < nc; ++i) {
    if (i + kAhead < nc) Prefetch(hashes + scratch.candidates[i + kAhead]);
    const std::uint32_t id = scratch.candidates[i];
    const int d = hashing::HammingDistance(query, hashes[id].hash);
    if (d <= threshold) out.push_back({id, d});
  }
}

void MihIndex::SearchFlat(std::span<const PdqHash> queries, int threshold,
                          std::vector<std::vector<PdqHit>>& out) const {
  constexpr std::size_t kQueryBlock = 8;
  constexpr std::size_t kHashBlock = 2048;  // 64 KiB of hashes stays in L2 while the query block passes
  const std::size_t n = hashes_.size();
  for (std::size_t q0 = 0; q0 < queries.size(); q0 += kQueryBlock) {
    const std::size_t q1 = std::min(queries.size(), q0 + kQueryBlock);
    for (std::size_t h0 = 0; h0 < n; h0 += kHashBlock) {
      const std::size_t h1 = std::min(n, h0 + kHashBlock);
      for (std::size_t q = q0; q < q1; ++q) {
        const PdqHash& query = queries[q];
        for (std::size_t i = h0; i < h1; ++i) {
          const int d = hashing::HammingDistance(query, hashes_[i].hash);
          if (d <= threshold) out[q].push_back({static_cast<std::uint32_t>(i), d});
        }
      }
    }
  }
}

}  // namespace hashtriage::index::internal

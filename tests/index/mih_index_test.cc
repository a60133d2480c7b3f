// MihIndex against its oracle, a brute-force popcount scan written independently here.
#include "index/internal/mih_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>
#include <vector>

namespace hashtriage::index::internal {
namespace {

using hashing::PdqHash;

PdqHash RandomHash(std::mt19937_64& rng) {
  PdqHash h;
  for (auto& w : h.words) w = rng();
  return h;
}

// A copy of `h` with exactly `distance` distinct bits flipped.
PdqHash FlipBits(const PdqHash& h, int distance, std::mt19937_64& rng) {
  std::vector<int> bits(256);
  for (int i = 0; i < 256; ++i) bits[i] = i;
  std::shuffle(bits.begin(), bits.end(), rng);
  PdqHash out = h;
  for (int i = 0; i < distance; ++i) out.words[bits[i] / 64] ^= std::uint64_t{1} << (bits[i] % 64);
  return out;
}

int Distance(const PdqHash& a, const PdqHash& b) {
  int d = 0;
  for (int w = 0; w < 4; ++w) d += std::popcount(a.words[w] ^ b.words[w]);
  return d;
}

struct Corpus {
  std::vector<PdqHash> hashes;
  std::vector<PdqHash> queries;
};

// n random hashes, then `planted` neighbours of the queries at distances 0..40 (cycling).
Corpus MakeCorpus(std::size_t n, std::size_t queries, std::size_t planted, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Corpus c;
  c.hashes.reserve(n + planted);
  for (std::size_t i = 0; i < n; ++i) c.hashes.push_back(RandomHash(rng));
  for (std::size_t q = 0; q < queries; ++q) c.queries.push_back(RandomHash(rng));
  for (std::size_t i = 0; i < planted; ++i) {
    c.hashes.push_back(FlipBits(c.queries[i % queries], static_cast<int>(i % 41), rng));
  }
  std::shuffle(c.hashes.begin(), c.hashes.end(), rng);
  // Queries that are themselves indexed hashes, too.
  for (std::size_t q = 0; q < 4; ++q) c.queries.push_back(c.hashes[q * 7919 % c.hashes.size()]);
  return c;
}

// Oracle: per query, (distance, id) of every hash within 63 bits, sorted.
std::vector<std::vector<PdqHit>> BruteForceWithin63(const Corpus& c) {
  std::vector<std::vector<PdqHit>> out(c.queries.size());
  for (std::size_t i = 0; i < c.hashes.size(); ++i) {
    for (std::size_t q = 0; q < c.queries.size(); ++q) {
      const int d = Distance(c.queries[q], c.hashes[i]);
      if (d <= 63) out[q].push_back({static_cast<std::uint32_t>(i), d});
    }
  }
  for (auto& v : out) {
    std::sort(v.begin(), v.end(), [](const PdqHit& a, const PdqHit& b) {
      return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
    });
  }
  return out;
}

std::vector<PdqHit> Within(const std::vector<PdqHit>& hits, int t) {
  std::vector<PdqHit> out;
  for (const auto& h : hits) {
    if (h.distance <= t) out.push_back(h);
  }
  return out;
}

TEST(MihIndexTest, SearchRadiiCoverEveryThreshold) {
  // Pigeonhole: any split of t differences over m substrings leaves some substring j with at most radii[j].
  for (int m = 1; m <= 16; ++m) {
    for (int t = 0; t <= 63; ++t) {
      const auto radii = SearchRadii(t, m);
      int sum_of_maximum_misses = 0;  // the most differences that can dodge every probe
      for (int r : radii) sum_of_maximum_misses += r + 1;
      EXPECT_GT(sum_of_maximum_misses, t) << "m=" << m << " t=" << t;
    }
  }
}

TEST(MihIndexTest, AgreesWithBruteForceOnOneMillionWithPlantedNeighbours) {
  const Corpus c = MakeCorpus(1'000'000, 250, 10'000, 42);
  const MihIndex index = MihIndex::Build(c.hashes);
  ASSERT_GT(index.substrings(), 0);
  const auto oracle = BruteForceWithin63(c);
  for (int t : {0, 8, 31, 32, 48, 63}) {
    for (auto method : {PdqSearchMethod::kMih, PdqSearchMethod::kAuto}) {
      const auto result = index.Search(c.queries, t, method);
      ASSERT_EQ(result.hits.size(), c.queries.size());
      std::size_t found = 0;
      for (std::size_t q = 0; q < c.queries.size(); ++q) {
        ASSERT_EQ(result.hits[q], Within(oracle[q], t)) << "query " << q << " t=" << t;
        found += result.hits[q].size();
      }
      if (t >= 31) {
        EXPECT_GE(found, 250u * 31 / 41) << "planted neighbours must be found";
      }
    }
  }
}

TEST(MihIndexTest, FlatScanAgreesWithBruteForce) {
  const Corpus c = MakeCorpus(50'000, 40, 2'000, 7);
  const MihIndex index = MihIndex::Build(c.hashes);
  const auto oracle = BruteForceWithin63(c);
  for (int t : {0, 31, 63}) {
    const auto result = index.Search(c.queries, t, PdqSearchMethod::kFlat);
    EXPECT_EQ(result.stats.flat_queries, c.queries.size());
    for (std::size_t q = 0; q < c.queries.size(); ++q) EXPECT_EQ(result.hits[q], Within(oracle[q], t));
  }
}

TEST(MihIndexTest, EveryConfigurationIsExact) {
  const Corpus c = MakeCorpus(20'000, 30, 1'500, 11);
  const auto oracle = BruteForceWithin63(c);
  for (MihConfig config : {MihConfig{16, 16}, MihConfig{11, 22}, MihConfig{8, 12}, MihConfig{21, 12}, MihConfig{2, 20}}) {
    const MihIndex index = MihIndex::Build(c.hashes, config);
    for (int t : {0, 5, 31, 32, 48}) {
      if (t / config.substrings > 4) continue;  // a ball that large is the flat scan's job
      const auto result = index.Search(c.queries, t, PdqSearchMethod::kMih);
      EXPECT_EQ(result.stats.mih_queries, c.queries.size());
      for (std::size_t q = 0; q < c.queries.size(); ++q) {
        ASSERT_EQ(result.hits[q], Within(oracle[q], t)) << "m=" << config.substrings << " t=" << t;
      }
    }
  }
}

TEST(MihIndexTest, DuplicateHashesKeepTheirOwnIds) {
  std::mt19937_64 rng(3);
  const PdqHash h = RandomHash(rng);
  std::vector<PdqHash> hashes(5000);
  for (auto& x : hashes) x = RandomHash(rng);
  hashes[10] = h;
  hashes[4000] = h;
  const MihIndex index = MihIndex::Build(hashes);
  const auto result = index.Search(std::vector<PdqHash>{h}, 0, PdqSearchMethod::kMih);
  ASSERT_EQ(result.hits[0].size(), 2u);
  EXPECT_EQ(result.hits[0][0].id, 10u);
  EXPECT_EQ(result.hits[0][1].id, 4000u);
}

TEST(MihIndexTest, SmallIndexesUseTheFlatScan) {
  std::mt19937_64 rng(5);
  std::vector<PdqHash> hashes(100);
  for (auto& x : hashes) x = RandomHash(rng);
  const MihIndex index = MihIndex::Build(hashes);
  EXPECT_EQ(index.substrings(), 0);
  EXPECT_EQ(index.ChooseMethod(31), PdqSearchMethod::kFlat);
  const auto result = index.Search(std::vector<PdqHash>{FlipBits(hashes[42], 31, rng)}, 31);
  ASSERT_EQ(result.hits[0].size(), 1u);
  EXPECT_EQ(result.hits[0][0].id, 42u);
  EXPECT_EQ(result.hits[0][0].distance, 31);
}

TEST(MihIndexTest, ChoosesMoreTablesThanSixteenOnlyWhenItPays) {
  EXPECT_EQ(MihIndex::ChooseConfig(100).substrings, 0);
  const MihConfig ten_million = MihIndex::ChooseConfig(10'000'000);
  EXPECT_LE(ten_million.substrings * ten_million.substring_bits, 256);
  EXPECT_LE(std::size_t{1} << ten_million.substring_bits, 10'000'000u / 2);
}

}  // namespace
}  // namespace hashtriage::index::internal

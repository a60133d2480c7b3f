// KnownIndex over a real RocksDB directory: sets as atomic units, lookups returning every
// membership, replacement, removal, duplicate reporting, spilled (external-sort) imports, the
// schema check and PDQ search against a brute-force scan of what was imported.
#include "index/known_index.h"

#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include <bit>
#include <random>

#include "index/internal/key_codec.h"
#include "index/set_writer.h"
#include "tests/test_support.h"

namespace hashtriage::index {
namespace {

using hashing::Md5Digest;
using hashing::PdqHash;

Md5Digest RandomMd5(std::mt19937_64& rng) {
  Md5Digest d;
  for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
  return d;
}

std::unique_ptr<KnownIndex> OpenIndex(const std::string& dir, bool read_only, std::size_t import_memory = 512u << 20) {
  IndexOptions o;
  o.path = dir;
  o.read_only = read_only;
  o.import_memory_bytes = import_memory;
  auto r = KnownIndex::Open(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

CommitReport ImportMd5s(KnownIndex& index, const std::string& set, const std::vector<Md5Digest>& digests,
                        Category category) {
  auto w = index.BeginSet(set, "test", false);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  EntryInfo info;
  info.category = category;
  info.media_id = set;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    EXPECT_TRUE((*w)->Add(HashType::kMd5, digests[i].bytes, info, 0, i + 1).ok());
  }
  auto r = (*w)->Commit(SetInfo{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : CommitReport{};
}

std::vector<std::string> SetNames(const std::vector<Membership>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.set_name);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(KnownIndexTest, LookupsReturnEveryMembershipAndNothingElse) {
  testing::TempDir tmp;
  const std::string dir = (tmp / "idx").string();
  std::mt19937_64 rng(1);
  std::vector<Md5Digest> a(1000), b(500), unknown(1000);
  for (auto& d : a) d = RandomMd5(rng);
  for (auto& d : b) d = RandomMd5(rng);
  for (auto& d : unknown) d = RandomMd5(rng);
  b[0] = a[0];  // in both sets
  {
    auto index = OpenIndex(dir, false);
    ASSERT_TRUE(index);
    EXPECT_EQ(ImportMd5s(*index, "alpha", a, Category::kA).set.entries.at(HashType::kMd5), 1000u);
    EXPECT_EQ(ImportMd5s(*index, "beta", b, Category::kNonIndecent).set.entries.at(HashType::kMd5), 500u);
  }
  for (bool filter : {true, false}) {
    IndexOptions o;
    o.path = dir;
    o.exact_filter = filter;
    auto index = KnownIndex::Open(o);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    auto hits = (*index)->LookupMd5(a);
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ(SetNames((*hits)[0]), (std::vector<std::string>{"alpha", "beta"}));
    for (std::size_t i = 1; i < a.size(); ++i) {
      ASSERT_EQ((*hits)[i].size(), 1u);
      EXPECT_EQ((*hits)[i][0].set_name, "alpha");
      EXPECT_EQ((*hits)[i][0].info.category, Category::kA);
      EXPECT_EQ((*hits)[i][0].info.media_id, "alpha");
    }
    auto misses = (*index)->LookupMd5(unknown);
    ASSERT_TRUE(misses.ok());
    for (const auto& m : *misses) EXPECT_TRUE(m.empty());
    EXPECT_EQ((*index)->ListSets().size(), 2u);
    EXPECT_EQ((*index)->Stats().entries.at(HashType::kMd5), 1500u);
  }
}

TEST(KnownIndexTest, ReimportReplacesAndRemoveRemovesExactlyOneSet) {
  testing::TempDir tmp;
  const std::string dir = (tmp / "idx").string();
  std::mt19937_64 rng(2);
  std::vector<Md5Digest> first(300), second(200), other(100);
  for (auto& d : first) d = RandomMd5(rng);
  for (auto& d : second) d = RandomMd5(rng);
  for (auto& d : other) d = RandomMd5(rng);
  other[0] = second[0];
  {
    auto index = OpenIndex(dir, false);
    ImportMd5s(*index, "s", first, Category::kB);
    ImportMd5s(*index, "o", other, Category::kC);
    ImportMd5s(*index, "s", second, Category::kC);  // replaces "s"
  }
  {
    auto index = OpenIndex(dir, true);
    EXPECT_EQ(index->ListSets().size(), 2u);
    const auto gone = index->LookupMd5(first).value();
    for (const auto& m : gone) EXPECT_TRUE(m.empty());
    const auto present = index->LookupMd5(second).value();
    for (const auto& m : present) EXPECT_FALSE(m.empty());
  }
  {
    auto index = OpenIndex(dir, false);
    EXPECT_TRUE(index->RemoveSet("s").ok());
    EXPECT_EQ(index->RemoveSet("s").code(), StatusCode::kNotFound);
  }
  auto index = OpenIndex(dir, true);
  ASSERT_EQ(index->ListSets().size(), 1u);
  const auto hits = index->LookupMd5(second).value();
  EXPECT_EQ(SetNames(hits[0]), std::vector<std::string>{"o"});
  for (std::size_t i = 1; i < hits.size(); ++i) EXPECT_TRUE(hits[i].empty());
  const auto others = index->LookupMd5(other).value();
  for (const auto& m : others) EXPECT_EQ(m.size(), 1u);
}

TEST(KnownIndexTest, SpilledImportsSortAndReportDuplicatesAcrossRuns) {
  testing::TempDir tmp;
  const std::string dir = (tmp / "idx").string();
  std::mt19937_64 rng(3);
  std::vector<Md5Digest> digests(60'000);  // about 3 MiB staged: three runs at a 1 MiB budget
  for (auto& d : digests) d = RandomMd5(rng);
  {
    auto index = OpenIndex(dir, false, 1u << 20);
    auto w = index->BeginSet("big", "test", false).value();
    EntryInfo info;
    info.category = Category::kA;
    for (std::size_t i = 0; i < digests.size(); ++i) ASSERT_TRUE(w->Add(HashType::kMd5, digests[i].bytes, info, 0, i + 1).ok());
    ASSERT_TRUE(w->Add(HashType::kMd5, digests[5].bytes, info, 0, 70'001).ok());  // identical duplicate
    info.category = Category::kB;
    ASSERT_TRUE(w->Add(HashType::kMd5, digests[7].bytes, info, 0, 70'002).ok());  // conflicting duplicate
    auto r = w->Commit(SetInfo{});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->set.entries.at(HashType::kMd5), digests.size());
    EXPECT_EQ(r->duplicates, 2u);
    EXPECT_EQ(r->conflicting_duplicates, 1u);
    ASSERT_EQ(r->duplicate_examples.size(), 2u);
    for (const auto& d : r->duplicate_examples) {
      EXPECT_EQ(d.first_line, d.conflicting ? 8u : 6u);
      EXPECT_EQ(d.line, d.conflicting ? 70'002u : 70'001u);
    }
  }
  auto index = OpenIndex(dir, true);
  const auto hits = index->LookupMd5(digests).value();
  for (const auto& h : hits) {
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].info.category, Category::kA);  // the first occurrence wins
  }
}

TEST(KnownIndexTest, StrictRefusesConflictingDuplicatesAndLeavesTheIndexUnchanged) {
  testing::TempDir tmp;
  const std::string dir = (tmp / "idx").string();
  auto index = OpenIndex(dir, false);
  std::mt19937_64 rng(4);
  const Md5Digest d = RandomMd5(rng);
  auto w = index->BeginSet("strict", "test", true).value();
  EntryInfo a, b;
  a.category = Category::kA;
  b.category = Category::kC;
  ASSERT_TRUE(w->Add(HashType::kMd5, d.bytes, a, 0, 1).ok());
  ASSERT_TRUE(w->Add(HashType::kMd5, d.bytes, b, 0, 2).ok());
  auto r = w->Commit(SetInfo{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().message();
  EXPECT_TRUE(index->ListSets().empty());
}

TEST(KnownIndexTest, RefusesAnIndexOfAnotherSchemaVersion) {
  testing::TempDir tmp;
  const std::string dir = (tmp / "idx").string();
  { OpenIndex(dir, false); }
  {
    // Rewrite the version key directly, as a future hashtriage would have written it.
    rocksdb::DBOptions dbo;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(dbo, dir + "/db", &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> fams;
    for (const auto& n : names) fams.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(dbo, dir + "/db", fams, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "schema_version", "99").ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  IndexOptions o;
  o.path = dir;
  auto r = KnownIndex::Open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(r.status().message().find("schema version 99"), std::string::npos) << r.status().message();
}

TEST(KnownIndexTest, MissingIndexIsNotFoundWhenReadOnly) {
  testing::TempDir tmp;
  IndexOptions o;
  o.path = (tmp / "nothing-here").string();
  auto r = KnownIndex::Open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(KnownIndexTest, PdqSearchFindsEveryImportedHashWithinTheThreshold) {
  testing::TempDir tmp;
  const std::string dir = (tmp / "idx").string();
  std::mt19937_64 rng(5);
  std::vector<PdqHash> hashes(20'000);
  for (auto& h : hashes) {
    for (auto& w : h.words) w = rng();
  }
  std::vector<PdqHash> queries(20);
  for (std::size_t q = 0; q < queries.size(); ++q) {
    queries[q] = hashes[q * 13];
    for (int k = 0; k < static_cast<int>(q) * 2; ++k) queries[q].words[k % 4] ^= std::uint64_t{1} << (k * 7 % 64);
  }
  {
    auto index = OpenIndex(dir, false);
    for (const char* set : {"one", "two"}) {
      auto w = index->BeginSet(set, "pdq", false).value();
      for (std::size_t i = 0; i < hashes.size(); ++i) {
        if (std::string(set) == "two" && i % 2 == 1) continue;
        EntryInfo info;
        info.pdq_quality = i % 100;
        info.flags = info.pdq_quality < 50 ? kFlagLowQuality : 0;
        const auto bytes = internal::PdqToBytes(hashes[i]);
        ASSERT_TRUE(w->Add(HashType::kPdq, bytes, info, 0, i + 1).ok());
      }
      ASSERT_TRUE(w->Commit(SetInfo{}).ok());
    }
  }
  auto index = OpenIndex(dir, true);
  EXPECT_EQ(index->Stats().pdq_unique_hashes, hashes.size());
  for (int t : {0, 31, 63}) {
    auto r = index->SearchPdq(queries, t);
    ASSERT_TRUE(r.ok());
    for (std::size_t q = 0; q < queries.size(); ++q) {
      std::size_t expected = 0;
      for (std::size_t i = 0; i < hashes.size(); ++i) {
        if (hashing::HammingDistance(queries[q], hashes[i]) <= t) expected += i % 2 == 0 ? 2 : 1;
      }
      EXPECT_EQ((*r)[q].size(), expected) << "q=" << q << " t=" << t;
      for (const auto& m : (*r)[q]) {
        EXPECT_EQ(m.distance, hashing::HammingDistance(queries[q], m.hash));
        EXPECT_EQ((m.membership.info.flags & kFlagLowQuality) != 0, m.membership.info.pdq_quality < 50);
      }
    }
  }
  EXPECT_FALSE(index->SearchPdq(queries, 64).ok());
}

}  // namespace
}  // namespace hashtriage::index

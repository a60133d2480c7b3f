// The in-memory exact table (IndexOptions::exact_in_memory, index/internal/exact_table.h): lookups through
// it must equal the RocksDB path and a model of what was imported, membership for membership and in
// order: hits, misses, near misses (same top bytes, same bucket), digests in several sets, lopsided
// buckets, all three exact types, and, in the same process, after RemoveSet, a replacing re-import and
// a new set's commit.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "index/known_index.h"
#include "index/set_writer.h"
#include "tests/test_support.h"

namespace hashtriage::index {
namespace {

using hashing::Md5Digest;
using hashing::Sha1Digest;
using hashing::Sha256Digest;

template <typename Digest>
Digest RandomDigest(std::mt19937_64& rng) {
  Digest d;
  for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
  return d;
}

// What the index should answer: per (type, digest bytes), set name -> the entry the set keeps.
using Model = std::map<std::pair<HashType, std::string>, std::map<std::string, EntryInfo>>;

struct Entry {
  HashType type;
  std::string bytes;
  EntryInfo info;
};

template <typename Digest>
std::string Bytes(const Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size());
}

// Imports `entries` as set `name` (replacing any set of that name) and updates the model; a hash given
// twice keeps its first entry, as SetWriter does.
void Import(KnownIndex& index, Model& model, const std::string& name, const std::vector<Entry>& entries) {
  auto w = index.BeginSet(name, "test", false);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (auto& [key, sets] : model) sets.erase(name);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    ASSERT_TRUE((*w)->Add(e.type, {reinterpret_cast<const std::uint8_t*>(e.bytes.data()), e.bytes.size()}, e.info, 0,
                          i + 1)
                    .ok());
    model[{e.type, e.bytes}].try_emplace(name, e.info);
  }
  auto r = (*w)->Commit(SetInfo{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

void Remove(KnownIndex& index, Model& model, const std::string& name) {
  ASSERT_TRUE(index.RemoveSet(name).ok());
  for (auto& [key, sets] : model) sets.erase(name);
}

std::string Describe(const std::vector<Membership>& ms) {
  std::string out;
  for (const auto& m : ms) {
    out += m.set_name + "/" + std::string(HashTypeName(m.hash_type)) + "/" + std::to_string(static_cast<int>(m.info.category)) +
           "/" + std::to_string(m.info.flags) + "/" + m.info.series + "/" + m.info.media_id + "; ";
  }
  return out;
}

std::vector<Membership> Expected(const Model& model, HashType type, const std::string& bytes) {
  std::vector<Membership> out;
  auto it = model.find({type, bytes});
  if (it == model.end()) return out;
  for (const auto& [set, info] : it->second) out.push_back({set, type, info});  // set-name order
  return out;
}

struct Queries {
  std::vector<Md5Digest> md5;
  std::vector<Sha1Digest> sha1;
  std::vector<Sha256Digest> sha256;
};

// Every query's answer equals the model, exactly and in order. Returns the number of hits.
std::size_t ExpectMatchesModel(const KnownIndex& index, const Model& model, const Queries& q, const char* what) {
  std::size_t hits = 0;
  auto check = [&](HashType type, const auto& digests, const auto& results) {
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    ASSERT_EQ(results->size(), digests.size());
    for (std::size_t i = 0; i < digests.size(); ++i) {
      const auto want = Expected(model, type, Bytes(digests[i]));
      EXPECT_EQ(Describe((*results)[i]), Describe(want)) << what << " " << HashTypeName(type) << " query " << i;
      hits += want.empty() ? 0 : 1;
    }
  };
  check(HashType::kMd5, q.md5, index.LookupMd5(q.md5));
  check(HashType::kSha1, q.sha1, index.LookupSha1(q.sha1));
  check(HashType::kSha256, q.sha256, index.LookupSha256(q.sha256));
  return hits;
}

std::unique_ptr<KnownIndex> OpenExactIndex(const std::string& dir, bool read_only, bool in_memory, bool filter) {
  IndexOptions o;
  o.path = dir;
  o.read_only = read_only;
  o.exact_in_memory = in_memory;
  o.exact_filter = filter;
  o.load_pdq = false;
  auto r = KnownIndex::Open(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

EntryInfo Info(std::mt19937_64& rng, const std::string& set, std::size_t i) {
  EntryInfo e;
  e.category = static_cast<Category>(rng() % kCategoryCount);
  e.flags = static_cast<std::uint8_t>(rng() % 4);
  e.series = i % 3 == 0 ? "series-" + set : "";
  e.media_id = i % 2 == 0 ? set + "-" + std::to_string(i) : "";  // some shared payloads, some unique
  return e;
}

class ExactTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (tmp_ / "idx").string();
    std::mt19937_64 rng(42);
    // Known digests: 20k MD5 (many directory buckets), 2k SHA-1, 2k SHA-256.
    for (int i = 0; i < 20'000; ++i) md5_.push_back(RandomDigest<Md5Digest>(rng));
    for (int i = 0; i < 2'000; ++i) sha1_.push_back(RandomDigest<Sha1Digest>(rng));
    for (int i = 0; i < 2'000; ++i) sha256_.push_back(RandomDigest<Sha256Digest>(rng));
    // A lopsided bucket: 300 MD5s sharing their first 12 bytes.
    Md5Digest base = RandomDigest<Md5Digest>(rng);
    for (int i = 0; i < 300; ++i) {
      Md5Digest d = base;
      for (int k = 12; k < 16; ++k) d.bytes[k] = static_cast<std::uint8_t>(rng());
      md5_.push_back(d);
    }
    // Sets: "zeta" (imported first, so generation order differs from name order), "alpha", "mid".
    // "alpha" and "mid" overlap "zeta" in part, so some digests are in two or three sets.
    auto slice = [&](const std::string& set, std::size_t from, std::size_t to) {
      std::vector<Entry> out;
      for (std::size_t i = from; i < to && i < md5_.size(); ++i) out.push_back({HashType::kMd5, Bytes(md5_[i]), Info(rng, set, i)});
      for (std::size_t i = from / 10; i < to / 10 && i < sha1_.size(); ++i) {
        out.push_back({HashType::kSha1, Bytes(sha1_[i]), Info(rng, set, i)});
        out.push_back({HashType::kSha256, Bytes(sha256_[i]), Info(rng, set, i)});
      }
      return out;
    };
    sets_["zeta"] = slice("zeta", 0, 12'000);
    sets_["alpha"] = slice("alpha", 8'000, 20'300);
    sets_["mid"] = slice("mid", 10'000, 14'000);
    sets_["mid"].push_back(sets_["mid"].front());  // a duplicate inside one set: the first is kept
    sets_["mid"].back().info.media_id = "second";

    // Queries: every known digest, random misses, and near misses (a known digest with its last byte
    // changed: same directory bucket, differs only at the end).
    for (const auto& d : md5_) q_.md5.push_back(d);
    for (const auto& d : sha1_) q_.sha1.push_back(d);
    for (const auto& d : sha256_) q_.sha256.push_back(d);
    for (int i = 0; i < 3'000; ++i) q_.md5.push_back(RandomDigest<Md5Digest>(rng));
    for (int i = 0; i < 500; ++i) q_.sha1.push_back(RandomDigest<Sha1Digest>(rng));
    for (int i = 0; i < 500; ++i) q_.sha256.push_back(RandomDigest<Sha256Digest>(rng));
    for (std::size_t i = 0; i < md5_.size(); i += 7) {
      Md5Digest d = md5_[i];
      d.bytes[15] ^= 0x01;
      q_.md5.push_back(d);
    }
    for (std::size_t i = 0; i < sha1_.size(); i += 7) {
      Sha1Digest d = sha1_[i];
      d.bytes[19] ^= 0x80;
      q_.sha1.push_back(d);
      Sha256Digest e = sha256_[i];
      e.bytes[31] ^= 0x80;
      q_.sha256.push_back(e);
    }
    std::shuffle(q_.md5.begin(), q_.md5.end(), rng);
  }

  void ImportAll(KnownIndex& index) {
    for (const char* name : {"zeta", "alpha", "mid"}) Import(index, model_, name, sets_[name]);
  }

  testing::TempDir tmp_;
  std::string dir_;
  std::vector<Md5Digest> md5_;
  std::vector<Sha1Digest> sha1_;
  std::vector<Sha256Digest> sha256_;
  std::map<std::string, std::vector<Entry>> sets_;
  Model model_;
  Queries q_;
};

TEST_F(ExactTableTest, InMemoryLookupsEqualTheRocksDbPath) {
  {
    auto index = OpenExactIndex(dir_, false, false, false);
    ASSERT_TRUE(index);
    ImportAll(*index);
  }
  std::size_t hits = 0;
  for (bool in_memory : {true, false}) {
    for (bool filter : {true, false}) {
      auto index = OpenExactIndex(dir_, true, in_memory, filter);
      ASSERT_TRUE(index);
      const std::string what = std::string(in_memory ? "table" : "rocksdb") + (filter ? "+filter" : "");
      const std::size_t h = ExpectMatchesModel(*index, model_, q_, what.c_str());
      if (hits == 0) hits = h;
      EXPECT_EQ(h, hits);
      EXPECT_EQ(index->Stats().exact_table_memory_bytes > 0, in_memory);
    }
  }
  // Known: all MD5s (20,300 from 0..20,300), SHA-1 and SHA-256 indexes 0..2,030 (zeta 0..1,200, alpha
  // 800..2,030, mid 1,000..1,400).
  EXPECT_EQ(hits, md5_.size() + 2'000 + 2'000);
  // Some digests really are in several sets, with the payload of each set.
  auto index = OpenExactIndex(dir_, true, true, false);
  const auto r = index->LookupMd5(std::span(md5_).subspan(10'000, 1)).value();
  ASSERT_EQ(r[0].size(), 3u);
  EXPECT_EQ(r[0][0].set_name, "alpha");
  EXPECT_EQ(r[0][1].set_name, "mid");
  EXPECT_EQ(r[0][2].set_name, "zeta");
  EXPECT_EQ(r[0][1].info.media_id, "mid-10000");  // the first of mid's two entries for this digest
}

TEST_F(ExactTableTest, StaysCurrentAfterCommitsAndRemovalsInTheSameProcess) {
  {
    auto index = OpenExactIndex(dir_, false, false, false);
    ASSERT_TRUE(index);
    Import(*index, model_, "zeta", sets_["zeta"]);
  }
  auto index = OpenExactIndex(dir_, false, true, true);  // tables (and filters) of all three types built at open
  ASSERT_TRUE(index);
  EXPECT_GT(index->Stats().exact_table_memory_bytes, 0u);
  ExpectMatchesModel(*index, model_, q_, "at open");
  for (const char* name : {"alpha", "mid"}) Import(*index, model_, name, sets_[name]);  // tables rebuilt
  EXPECT_GT(index->Stats().exact_table_memory_bytes, 0u);
  ExpectMatchesModel(*index, model_, q_, "after import");

  Remove(*index, model_, "alpha");
  ExpectMatchesModel(*index, model_, q_, "after RemoveSet alpha");

  // Re-import "zeta" with other digests and payloads (its old generation dies), then add a new set.
  std::mt19937_64 rng(7);
  std::vector<Entry> zeta;
  for (std::size_t i = 5'000; i < 15'000; ++i) zeta.push_back({HashType::kMd5, Bytes(md5_[i]), Info(rng, "zeta2", i)});
  for (std::size_t i = 0; i < 500; ++i) zeta.push_back({HashType::kSha256, Bytes(sha256_[i]), Info(rng, "zeta2", i)});
  Import(*index, model_, "zeta", zeta);
  ExpectMatchesModel(*index, model_, q_, "after replacing zeta");

  std::vector<Entry> fresh;
  for (std::size_t i = 0; i < 1'000; ++i) fresh.push_back({HashType::kSha1, Bytes(sha1_[i]), Info(rng, "fresh", i)});
  Import(*index, model_, "fresh", fresh);
  ExpectMatchesModel(*index, model_, q_, "after a new set");

  Remove(*index, model_, "mid");
  Remove(*index, model_, "zeta");
  Remove(*index, model_, "fresh");
  EXPECT_EQ(ExpectMatchesModel(*index, model_, q_, "after removing every set"), 0u);
  EXPECT_EQ(index->LookupMd5(md5_).value()[0].size(), 0u);
}

TEST_F(ExactTableTest, ReopenedAfterChangesEqualsTheRocksDbPath) {
  {
    auto index = OpenExactIndex(dir_, false, false, true);
    ASSERT_TRUE(index);
    ImportAll(*index);
    Remove(*index, model_, "zeta");
  }
  for (bool in_memory : {true, false}) {
    auto index = OpenExactIndex(dir_, true, in_memory, true);
    ASSERT_TRUE(index);
    ExpectMatchesModel(*index, model_, q_, in_memory ? "table" : "rocksdb");
  }
}

TEST(ExactTableEmptyTest, AnEmptyIndexAndATypeWithoutEntriesAnswerEmpty) {
  testing::TempDir tmp;
  const std::string dir = (tmp / "idx").string();
  auto index = OpenExactIndex(dir, false, true, true);
  ASSERT_TRUE(index);
  std::mt19937_64 rng(3);
  const std::vector<Md5Digest> q = {RandomDigest<Md5Digest>(rng)};
  EXPECT_TRUE(index->LookupMd5(q).value()[0].empty());
  Model model;
  Import(*index, model, "one", {{HashType::kMd5, Bytes(q[0]), EntryInfo{}}});
  ASSERT_EQ(index->LookupMd5(q).value()[0].size(), 1u);
  EXPECT_GT(index->Stats().exact_table_memory_bytes, 0u);  // built by the commit
  const std::vector<Sha1Digest> s = {RandomDigest<Sha1Digest>(rng)};
  EXPECT_TRUE(index->LookupSha1(s).value()[0].empty());
}

}  // namespace
}  // namespace hashtriage::index

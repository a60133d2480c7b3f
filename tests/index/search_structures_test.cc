// The search structures on disk (index/internal/search_structures.h): an open maps the PDQ tables and
// exact filters its writer left and answers exactly as an open that builds them (checked against a
// brute-force scan of what was imported); a file written from another index state is never used; a
// truncated or damaged file is refused or, if its header still fits, never read past its end; and a
// removal through the writer leaves files that answer without the removed set.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "index/internal/key_codec.h"
#include "index/known_index.h"
#include "index/set_writer.h"
#include "tests/test_support.h"

namespace hashtriage::index {
namespace {

namespace fs = std::filesystem;
using hashing::Md5Digest;
using hashing::PdqHash;

constexpr char kMapped[] = "mapped from files, or none needed";

struct Corpus {
  std::vector<PdqHash> pdq_a, pdq_b;
  std::vector<Md5Digest> md5;
  std::vector<PdqHash> queries;
};

Corpus MakeCorpus() {
  Corpus c;
  std::mt19937_64 rng(77);
  auto random_pdq = [&] {
    PdqHash h;
    for (auto& w : h.words) w = rng();
    return h;
  };
  for (int i = 0; i < 12'000; ++i) c.pdq_a.push_back(random_pdq());
  for (int i = 0; i < 3'000; ++i) c.pdq_b.push_back(random_pdq());
  for (int i = 0; i < 5'000; ++i) {
    Md5Digest d;
    for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
    c.md5.push_back(d);
  }
  // Near copies (0..40 bits away) of hashes of both sets, and unrelated hashes.
  for (int q = 0; q < 40; ++q) {
    PdqHash h = q % 2 == 0 ? c.pdq_a[q * 97] : c.pdq_b[q * 31];
    for (int k = 0; k < q; ++k) h.words[k % 4] ^= std::uint64_t{1} << ((k * 13) % 64);
    c.queries.push_back(h);
  }
  for (int q = 0; q < 10; ++q) c.queries.push_back(random_pdq());
  return c;
}

std::unique_ptr<KnownIndex> OpenIndexAt(const std::string& dir, bool read_only) {
  IndexOptions o;
  o.path = dir;
  o.read_only = read_only;
  auto r = KnownIndex::Open(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

void ImportPdq(KnownIndex& index, const std::string& set, const std::vector<PdqHash>& hashes) {
  auto w = index.BeginSet(set, "pdq", false).value();
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    EntryInfo info;
    info.pdq_quality = 100;
    ASSERT_TRUE(w->Add(HashType::kPdq, internal::PdqToBytes(hashes[i]), info, 0, i + 1).ok());
  }
  ASSERT_TRUE(w->Commit(SetInfo{}).ok());
}

void ImportMd5(KnownIndex& index, const std::vector<Md5Digest>& digests) {
  auto w = index.BeginSet("md5", "test", false).value();
  for (std::size_t i = 0; i < digests.size(); ++i) {
    ASSERT_TRUE(w->Add(HashType::kMd5, digests[i].bytes, EntryInfo{}, 0, i + 1).ok());
  }
  ASSERT_TRUE(w->Commit(SetInfo{}).ok());
}

// Every answer against brute force over the sets the index should hold.
void ExpectExactAnswers(const KnownIndex& index, const Corpus& c, bool with_b) {
  for (int t : {0, 31, 48}) {
    auto r = index.SearchPdq(c.queries, t);
    ASSERT_TRUE(r.ok());
    for (std::size_t q = 0; q < c.queries.size(); ++q) {
      std::size_t expected = 0;
      for (const auto& h : c.pdq_a) expected += hashing::HammingDistance(c.queries[q], h) <= t;
      if (with_b) {
        for (const auto& h : c.pdq_b) expected += hashing::HammingDistance(c.queries[q], h) <= t;
      }
      ASSERT_EQ((*r)[q].size(), expected) << "query " << q << " t=" << t;
    }
  }
  std::vector<Md5Digest> probe(c.md5.begin(), c.md5.begin() + 200);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200; ++i) {
    Md5Digest d;
    for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
    probe.push_back(d);
  }
  auto found = index.LookupMd5(probe);
  ASSERT_TRUE(found.ok());
  for (std::size_t i = 0; i < probe.size(); ++i) ASSERT_EQ((*found)[i].size(), i < 200 ? 1u : 0u) << i;
}

class SearchStructuresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(index_, nullptr);
    ImportPdq(*index_, "a", corpus_.pdq_a);
    ImportMd5(*index_, corpus_.md5);
  }
  std::string Note(const std::string& dir) {
    auto index = OpenIndexAt(dir, true);
    return index ? index->Stats().structures : "";
  }
  testing::TempDir tmp_;
  std::string dir_ = (tmp_ / "idx").string();
  Corpus corpus_ = MakeCorpus();
  std::unique_ptr<KnownIndex> index_ = OpenIndexAt(dir_, false);
};

TEST_F(SearchStructuresTest, AnOpenMapsWhatItsWriterLeftAndAnswersAsABuiltOne) {
  ASSERT_TRUE(fs::exists(fs::path(dir_) / "structures" / "pdq.mih"));
  ASSERT_TRUE(fs::exists(fs::path(dir_) / "structures" / "md5.filter"));
  auto mapped = OpenIndexAt(dir_, true);
  EXPECT_EQ(mapped->Stats().structures, kMapped);
  EXPECT_EQ(mapped->Stats().pdq_unique_hashes, corpus_.pdq_a.size());
  ExpectExactAnswers(*mapped, corpus_, false);
  // The writer's own object searches what it wrote, too.
  ExpectExactAnswers(*index_, corpus_, false);

  fs::remove_all(fs::path(dir_) / "structures");
  auto built = OpenIndexAt(dir_, true);
  EXPECT_EQ(built->Stats().structures,
            "md5 filter built (file absent); PDQ tables built (file absent); ");
  ExpectExactAnswers(*built, corpus_, false);
}

TEST_F(SearchStructuresTest, AFileWrittenFromAnotherIndexStateIsNeverUsed) {
  const fs::path structures = fs::path(dir_) / "structures";
  fs::copy(structures, tmp_ / "old-structures", fs::copy_options::recursive);
  ImportPdq(*index_, "b", corpus_.pdq_b);
  EXPECT_EQ(Note(dir_), kMapped);
  fs::remove_all(structures);
  fs::copy(tmp_ / "old-structures", structures, fs::copy_options::recursive);
  auto index = OpenIndexAt(dir_, true);
  EXPECT_EQ(index->Stats().structures, "md5 filter built (file built from another index state); "
                                       "PDQ tables built (file built from another index state); ");
  ExpectExactAnswers(*index, corpus_, true);
  // The writer's next commit replaces the stale files with current ones.
  ImportPdq(*index_, "b", corpus_.pdq_b);
  EXPECT_EQ(Note(dir_), kMapped);
}

TEST_F(SearchStructuresTest, ATruncatedFileIsRefusedAndADamagedOneIsNeverReadPastItsEnd) {
  const fs::path pdq = fs::path(dir_) / "structures" / "pdq.mih";
  const auto size = fs::file_size(pdq);
  fs::copy_file(pdq, tmp_ / "pdq.mih");
  fs::resize_file(pdq, size - 4096);
  EXPECT_EQ(Note(dir_), "PDQ tables built (file truncated); ");
  ExpectExactAnswers(*OpenIndexAt(dir_, true), corpus_, false);
  fs::resize_file(pdq, 100);
  EXPECT_EQ(Note(dir_), "PDQ tables built (file truncated); ");

  // Same size and header, every table byte overwritten: bucket bounds and ids point anywhere. Searches
  // run (under ASan/UBSan too) without reading outside the mapping; what they find is not trusted here.
  fs::remove(pdq);
  fs::copy_file(tmp_ / "pdq.mih", pdq);
  {
    std::fstream f(pdq, std::ios::in | std::ios::out | std::ios::binary);
    const std::uint64_t tables_from = 4096 + corpus_.pdq_a.size() * 32;
    f.seekp(static_cast<std::streamoff>((tables_from + 4095) / 4096 * 4096));
    std::mt19937 rng(3);
    for (std::uint64_t i = (tables_from + 4095) / 4096 * 4096; i < size; ++i) f.put(static_cast<char>(rng()));
  }
  auto damaged = OpenIndexAt(dir_, true);
  EXPECT_EQ(damaged->Stats().structures, kMapped);
  for (int t : {0, 31, 63}) EXPECT_TRUE(damaged->SearchPdq(corpus_.queries, t).ok());
}

TEST_F(SearchStructuresTest, ARemovalThroughTheWriterLeavesFilesWithoutTheRemovedSet) {
  ImportPdq(*index_, "b", corpus_.pdq_b);
  ASSERT_TRUE(index_->RemoveSet("b").ok());
  auto index = OpenIndexAt(dir_, true);
  EXPECT_EQ(index->Stats().structures, kMapped);
  ExpectExactAnswers(*index, corpus_, false);
  ExpectExactAnswers(*index_, corpus_, false);
}

}  // namespace
}  // namespace hashtriage::index

// Regression tests for three import defects, through the real `hashtriage index import|build|list|
// lookup` where the behaviour is the command line's (exit codes, messages) and through ImportSet where
// it is the library's:
//   1. silent category: formats without a category were stored as "unknown" (which the kiosk does not
//      report) unless --category was given; now the import is refused (exit 2) naming the option;
//   2. an import that accepted no record replaced the set with an empty one; now the old set stays
//      (same generation, same answers) and the command exits 1 with one line saying why;
//   3. VICS: PDQ given only in "AlternativeHashes" was dropped, and two Media giving one MD5 with two
//      categories were kept silently (the first category, or, on one line, without any report even
//      under --strict); now both places are reported, the more serious category kept, strict fails.
// Hashes are random; expected categories, offsets and lines come from the generated text itself.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "hashing/digest_types.h"
#include "hashing/pdq_hash.h"
#include "index/importer.h"
#include "tests/test_support.h"

namespace hashtriage::index {
namespace {

using testing::Bin;
using testing::Q;
using testing::RunCommand;
using Json = nlohmann::json;

std::string RandomHex(std::mt19937_64& rng, std::size_t bytes) {
  std::vector<std::uint8_t> b(bytes);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return hashing::EncodeHex(b.data(), b.size());
}

std::size_t CountLines(const std::string& text) { return testing::SplitLines(text).size(); }

// The index in `dir`, read-write (created if missing) or read-only; `import_memory` bounds import sorting.
std::unique_ptr<KnownIndex> OpenIndex(const std::filesystem::path& dir, bool read_only,
                                      std::size_t import_memory = IndexOptions{}.import_memory_bytes) {
  IndexOptions o;
  o.path = dir.string();
  o.read_only = read_only;
  o.import_memory_bytes = import_memory;
  auto opened = KnownIndex::Open(o);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return std::move(opened).value();
}

class ImportSafetyTest : public ::testing::Test {
 protected:
  testing::CommandResult Run(const std::string& args) {
    return RunCommand(Bin() + " " + args + " --index " + Q(index_));
  }
  // The set of that name in `index list --json`, or null.
  Json ListedSet(const std::string& name) {
    const auto r = Run("index list --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& s : Json::parse(r.out)) {
      if (s["name"] == name) return s;
    }
    return Json();
  }
  // Every match of an MD5 in `index lookup` (exit 10 when known, 0 when not).
  Json LookupMd5(const std::string& md5) {
    const auto r = Run("index lookup --md5 " + md5);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 10) << r.exit_code << r.err;
    return Json::parse(r.out)["results"][0]["matches"];
  }
  // An md5sum list of `n` random hashes; returns them.
  std::vector<std::string> WriteMd5List(const std::filesystem::path& file, std::size_t n) {
    std::vector<std::string> md5s;
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      md5s.push_back(RandomHex(rng_, 16));
      text += md5s.back() + "  file" + std::to_string(i) + ".jpg\n";
    }
    testing::WriteText(file, text);
    return md5s;
  }

  std::mt19937_64 rng_{20240611};
  testing::TempDir tmp_;
  std::filesystem::path index_ = tmp_ / "idx";
};

// ------------------------------------------------------------------------------- 1. silent category

TEST_F(ImportSafetyTest, ListsWithoutCategoryAreRefusedNamingTheOption) {
  WriteMd5List(tmp_ / "base.md5", 3);
  ASSERT_EQ(Run("index import --set base --format md5sum --category A " + Q(tmp_ / "base.md5")).exit_code, 0);
  testing::WriteText(tmp_ / "list.md5", RandomHex(rng_, 16) + "  a.jpg\n");
  testing::WriteText(tmp_ / "list.sha1", RandomHex(rng_, 20) + "  a.jpg\n");
  testing::WriteText(tmp_ / "list.sha256", RandomHex(rng_, 32) + "  a.jpg\n");
  testing::WriteText(tmp_ / "list.pdq", RandomHex(rng_, 32) + ",100,a.jpg\n");
  for (const std::string format : {"md5sum", "sha1sum", "sha256sum", "pdq"}) {
    const std::string ext = format == "pdq" ? "pdq" : format.substr(0, format.size() - 3);
    const auto r = Run("index import --set s --format " + format + " " + Q(tmp_ / ("list." + ext)));
    EXPECT_EQ(r.exit_code, 2) << format << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("--category"), std::string::npos) << r.err;
    EXPECT_EQ(CountLines(r.err), 1u) << r.err;
    EXPECT_TRUE(ListedSet("s").is_null()) << format;
  }
}

TEST_F(ImportSafetyTest, ExplicitUnknownCategoryIsStoredAndListedAsNotRecorded) {
  const auto md5s = WriteMd5List(tmp_ / "list.md5", 4);
  const auto r = Run("index import --set ungraded --format md5sum --category unknown " + Q(tmp_ / "list.md5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("category not recorded"), std::string::npos) << r.out;
  const Json set = ListedSet("ungraded");
  ASSERT_FALSE(set.is_null());
  EXPECT_EQ(set["category_not_recorded"], 4);
  EXPECT_EQ(set["by_category"]["unknown"], 4);
  const auto list = Run("index list");
  EXPECT_NE(list.out.find("category not recorded"), std::string::npos) << list.out;
  const auto stats = Run("index stats --json");
  const Json unrecorded = Json::parse(stats.out)["category_not_recorded"];
  ASSERT_EQ(unrecorded.size(), 1u) << stats.out;
  EXPECT_EQ(unrecorded[0]["set"], "ungraded");
  const Json m = LookupMd5(md5s[2]);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["category"], "unknown");
  // A graded set next to it is not listed as unrecorded.
  ASSERT_EQ(Run("index import --set graded --format md5sum --category C " + Q(tmp_ / "list.md5")).exit_code, 0);
  EXPECT_EQ(ListedSet("graded")["category_not_recorded"], 0);
  EXPECT_EQ(Json::parse(Run("index stats --json").out)["category_not_recorded"].size(), 1u);
}

TEST_F(ImportSafetyTest, CsvNeedsACategoryColumnOrOption) {
  const std::string a = RandomHex(rng_, 16), b = RandomHex(rng_, 16), c = RandomHex(rng_, 16);
  testing::WriteText(tmp_ / "plain.csv", "MD5,Name\n" + a + ",x\n");
  auto r = Run("index import --set csv --format csv --columns md5=MD5 " + Q(tmp_ / "plain.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--category"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--columns category="), std::string::npos) << r.err;
  EXPECT_TRUE(ListedSet("csv").is_null());

  // A mapped category column: each row's own category; an empty cell is a located rejection (line 4).
  testing::WriteText(tmp_ / "graded.csv", "MD5,Grade\n" + a + ",A\n" + b + ",C\n" + c + ",\n");
  r = Run("index import --set csv --format csv --columns md5=MD5,category=Grade " + Q(tmp_ / "graded.csv"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("graded.csv:4 "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing category"), std::string::npos) << r.err;
  EXPECT_EQ(LookupMd5(a)[0]["category"], "A");
  EXPECT_EQ(LookupMd5(b)[0]["category"], "C");
  EXPECT_TRUE(LookupMd5(c).empty());
  // With --category too, it fills the empty cell only.
  r = Run("index import --set csv --format csv --category B --columns md5=MD5,category=Grade " + Q(tmp_ / "graded.csv"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(LookupMd5(a)[0]["category"], "A");
  EXPECT_EQ(LookupMd5(c)[0]["category"], "B");
}

TEST_F(ImportSafetyTest, IndexBuildRequiresCategory) {
  const auto photo = testing::TestDataDir() / "photos" / "scratch" / "castle.jpg";
  const auto r = Run("index build --set lib " + Q(photo));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("--category"), std::string::npos) << r.out << r.err;
  EXPECT_FALSE(std::filesystem::exists(index_));  // refused before anything was written
  const auto ok = Run("index build --set lib --category unknown --no-region " + Q(photo));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ListedSet("lib")["category_not_recorded"], ListedSet("lib")["by_category"]["unknown"]);
  EXPECT_GT(ListedSet("lib")["category_not_recorded"].get<int>(), 0);
}

TEST(ImportCategoryLibraryTest, ImportSetRefusesListsWithoutCategoryAndVicsMediaWithoutOne) {
  testing::TempDir tmp;
  auto index = OpenIndex(tmp / "idx", false);
  std::mt19937_64 rng(5);
  const std::string md5 = RandomHex(rng, 16), other = RandomHex(rng, 16);
  testing::WriteText(tmp / "list.md5", md5 + "  a.jpg\n");
  ImportOptions o;
  o.format = ImportFormat::kMd5sum;
  auto r = ImportSet(*index, "s", {(tmp / "list.md5").string()}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(index->ListSets().empty());

  // VICS: a Media without Category is a located rejection, or takes ImportOptions::category.
  testing::WriteText(tmp / "v.json",
                     "{\"odata.metadata\": \"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\",\n"
                     "\"value\": [\n{\"MediaID\": 1, \"Category\": 3, \"MD5\": \"" + md5 + "\"},\n"
                     "{\"MediaID\": 2, \"MD5\": \"" + other + "\"}\n]}\n");
  o.format = ImportFormat::kVics;
  r = ImportSet(*index, "v", {(tmp / "v.json").string()}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records_rejected, 1u);
  EXPECT_EQ(r->rejection_examples[0].line, 4u);
  EXPECT_NE(r->rejection_examples[0].reason.find("missing category"), std::string::npos);
  const auto other_digest = hashing::Md5Digest::FromHex(other).value();
  EXPECT_TRUE(index->LookupMd5(std::span(&other_digest, 1)).value()[0].empty());
  o.category = Category::kNonIndecent;
  r = ImportSet(*index, "v", {(tmp / "v.json").string()}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records_rejected, 0u);
  const auto hits = index->LookupMd5(std::vector{hashing::Md5Digest::FromHex(md5).value(), other_digest}).value();
  EXPECT_EQ(hits[0][0].info.category, Category::kC);  // its own Category (UK 3) wins over the default
  EXPECT_EQ(hits[1][0].info.category, Category::kNonIndecent);
}

// ------------------------------------------------------------- 2. a failed import replaced the set

TEST_F(ImportSafetyTest, GarbageFileLeavesTheOldSetIntact) {
  const auto md5s = WriteMd5List(tmp_ / "good.md5", 50);
  ASSERT_EQ(Run("index import --set caid --format md5sum --category A " + Q(tmp_ / "good.md5")).exit_code, 0);
  const Json before = ListedSet("caid");
  ASSERT_FALSE(before.is_null());
  std::string garbage;
  for (int i = 0; i < 12; ++i) garbage += "not-a-hash-" + std::to_string(i) + "  x.jpg\n";
  testing::WriteText(tmp_ / "garbage.md5", garbage);
  const std::string file = (tmp_ / "garbage.md5").string();
  const auto r = Run("index import --set caid --format md5sum --category A " + Q(file));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(file + ": no valid records (12 rejected: malformed md5 x12): set 'caid' left unchanged"),
            std::string::npos)
      << r.err;
  const Json after = ListedSet("caid");
  EXPECT_EQ(after["generation"], before["generation"]);
  EXPECT_EQ(after["entries"], before["entries"]);
  EXPECT_EQ(after["sources"], before["sources"]);
  const Json m = LookupMd5(md5s[17]);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["set"], "caid");
  EXPECT_EQ(m[0]["category"], "A");

  // A file with no records at all (comments only) is no better.
  testing::WriteText(tmp_ / "empty.md5", "# nothing here\n\n");
  const auto empty = Run("index import --set caid --format md5sum --category A " + Q(tmp_ / "empty.md5"));
  EXPECT_EQ(empty.exit_code, 1) << empty.err;
  EXPECT_NE(empty.err.find("no valid records (no records found)"), std::string::npos) << empty.err;
  EXPECT_EQ(ListedSet("caid")["generation"], before["generation"]);
  // A new name is not created either.
  EXPECT_EQ(Run("index import --set fresh --format md5sum --category A " + Q(file)).exit_code, 1);
  EXPECT_TRUE(ListedSet("fresh").is_null());
}

TEST(FailedImportLibraryTest, ImportSetAcceptingNothingIsCorruptionAndCommitsNothing) {
  testing::TempDir tmp;
  auto index = OpenIndex(tmp / "idx", false);
  std::mt19937_64 rng(9);
  testing::WriteText(tmp / "good.pdq", RandomHex(rng, 32) + ",90,a\n");
  testing::WriteText(tmp / "bad.pdq", "xyz,90,a\n" + RandomHex(rng, 32) + ",101,b\n");
  ImportOptions o;
  o.format = ImportFormat::kPdq;
  o.category = Category::kB;
  ASSERT_TRUE(ImportSet(*index, "p", {(tmp / "good.pdq").string()}, o).ok());
  const SetInfo before = index->ListSets().at(0);
  auto r = ImportSet(*index, "p", {(tmp / "bad.pdq").string()}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("no valid records (2 rejected: malformed pdq x1, malformed quality x1)"),
            std::string::npos)
      << r.status().message();
  ASSERT_EQ(index->ListSets().size(), 1u);
  EXPECT_EQ(index->ListSets()[0].generation, before.generation);
  EXPECT_EQ(index->ListSets()[0].entries, before.entries);
}

TEST_F(ImportSafetyTest, StrictRejectionLeavesTheOldSetIntactWithExit1) {
  WriteMd5List(tmp_ / "good.md5", 20);
  ASSERT_EQ(Run("index import --set caid --format md5sum --category A " + Q(tmp_ / "good.md5")).exit_code, 0);
  const Json before = ListedSet("caid");
  std::string text;
  for (int i = 1; i <= 10; ++i) text += (i == 7 ? std::string("zz") : RandomHex(rng_, 16)) + "  next.jpg\n";
  testing::WriteText(tmp_ / "next.md5", text);
  const auto r = Run("index import --strict --set caid --format md5sum --category A " + Q(tmp_ / "next.md5"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("next.md5:7 "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("set 'caid' left unchanged"), std::string::npos) << r.err;
  EXPECT_EQ(ListedSet("caid")["generation"], before["generation"]);
  EXPECT_EQ(ListedSet("caid")["entries"], before["entries"]);
}

TEST_F(ImportSafetyTest, IndexBuildWithNoReadableFileKeepsTheLibrary) {
  const auto lib = tmp_ / "lib";
  std::filesystem::create_directories(lib);
  std::filesystem::copy_file(testing::TestDataDir() / "photos" / "scratch" / "castle.jpg", lib / "castle.jpg");
  ASSERT_EQ(Run("index build --set lib --category A --no-region " + Q(lib)).exit_code, 0);
  const Json before = ListedSet("lib");
  const Json robust_before = ListedSet("lib+robust");
  std::filesystem::create_directories(tmp_ / "nothing");
  const auto r = Run("index build --set lib --category A --no-region " + Q(tmp_ / "nothing"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("set 'lib' left unchanged"), std::string::npos) << r.err;
  EXPECT_EQ(ListedSet("lib")["generation"], before["generation"]);
  EXPECT_EQ(ListedSet("lib")["entries"], before["entries"]);
  EXPECT_EQ(ListedSet("lib+robust")["generation"], robust_before["generation"]);
  const std::string md5 = RunCommand("md5sum " + Q(lib / "castle.jpg")).out.substr(0, 32);
  EXPECT_EQ(LookupMd5(md5).size(), 1u);
}

// ------------------------------------------------------------------------------ 3. VICS fidelity

std::string VicsHeader() {
  return "{\"@odata.context\": \"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media\",\n"
         " \"value\": [\n";
}

TEST(VicsFidelityTest, PdqOnlyInAlternativeHashesIsSearchable) {
  testing::TempDir tmp;
  std::mt19937_64 rng(7);
  const std::string pdq_alt = RandomHex(rng, 32), pdq_althash = RandomHex(rng, 32), md5 = RandomHex(rng, 16);
  testing::WriteText(tmp / "v.json", VicsHeader() +
                                         "  {\"MediaID\": 1, \"Category\": 2, \"MD5\": \"" + md5 +
                                         "\", \"AlternativeHashes\": [{\"HashName\": \"PDQ\", \"HashValue\": \"" +
                                         pdq_alt + "\"}]},\n"
                                         "  {\"MediaID\": 2, \"Category\": 3, \"AltHash\": [{\"HashName\": \"PDQ\", "
                                         "\"HashValue\": \"" + pdq_althash + "\"}]}\n ]}\n");
  {
    auto index = OpenIndex(tmp / "idx", false);
    ImportOptions o;
    o.format = ImportFormat::kVics;
    auto r = ImportSet(*index, "v", {(tmp / "v.json").string()}, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->records_rejected, 0u);
    EXPECT_EQ(r->commit.set.entries.at(HashType::kPdq), 2u);
  }
  auto index = OpenIndex(tmp / "idx", true);
  const auto queries = std::vector{hashing::PdqHash::FromHex(pdq_alt).value(), hashing::PdqHash::FromHex(pdq_althash).value()};
  const auto hits = index->SearchPdq(queries, 0).value();
  ASSERT_EQ(hits[0].size(), 1u);
  EXPECT_EQ(hits[0][0].membership.info.category, Category::kB);
  EXPECT_EQ(hits[0][0].membership.info.media_id, "1");
  ASSERT_EQ(hits[1].size(), 1u);
  EXPECT_EQ(hits[1][0].membership.info.category, Category::kC);
}

// Two Media giving one MD5, UK category 2 (B) first and 1 (A) second: reported with both places, A kept,
// exit 1; --strict fails without a set. The same file minified to one line must behave the same (Media
// are told apart by byte offset there).
TEST_F(ImportSafetyTest, VicsConflictingCategoriesAreReportedAndTheMoreSeriousKept) {
  const std::string md5 = RandomHex(rng_, 16), sha1 = RandomHex(rng_, 20);
  const std::string first = "{\"MediaID\": 1, \"Category\": 2, \"MD5\": \"" + md5 + "\"}";
  const std::string second = "{\"MediaID\": 2, \"Category\": 1, \"MD5\": \"" + md5 + "\", \"SHA1\": \"" + sha1 + "\"}";
  for (const bool one_line : {false, true}) {
    SCOPED_TRACE(one_line ? "one line" : "one Media per line");
    std::string text = VicsHeader() + "  " + first + ",\n  " + second + "\n ]}\n";
    if (one_line) std::erase(text, '\n');
    const std::string set = one_line ? "flat" : "lines";
    const auto file = tmp_ / (set + ".json");
    testing::WriteText(file, text);
    const std::string first_at = file.string() + ":" + (one_line ? "1" : "3") + " (byte " +
                                 std::to_string(text.find(first)) + ")";
    const std::string second_at = file.string() + ":" + (one_line ? "1" : "4") + " (byte " +
                                  std::to_string(text.find(second)) + ")";

    const auto r = Run("index import --set " + set + " --format vics " + Q(file));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(CountLines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(second_at + ": md5 " + md5 + ": category A conflicts with category B at " + first_at),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("category conflicts (one hash, two categories; the more serious kept): 1"), std::string::npos)
        << r.out;
    Json m;
    for (const auto& match : LookupMd5(md5)) {
      if (match["set"] == set) m.push_back(match);
    }
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0]["category"], "A");
    EXPECT_EQ(m[0]["media_id"], "2");

    const auto strict = Run("index import --strict --set " + set + "-strict --format vics " + Q(file));
    EXPECT_EQ(strict.exit_code, 1) << strict.out << strict.err;
    EXPECT_EQ(CountLines(strict.err), 1u) << strict.err;
    EXPECT_NE(strict.err.find(second_at), std::string::npos) << strict.err;
    EXPECT_NE(strict.err.find(first_at), std::string::npos) << strict.err;
    EXPECT_TRUE(ListedSet(set + "-strict").is_null());
  }
}

// Of two records giving one hash the more serious category is stored, whichever came first, for every
// pair of categories, also when the records sit in different spilled runs.
TEST(SetWriterConflictTest, TheMoreSeriousCategoryIsKeptForEveryPair) {
  // The documented order, most serious first.
  const Category order[] = {Category::kA,       Category::kB,          Category::kC,        Category::kIndecentUncategorised,
                            Category::kUnknown, Category::kNonIndecent, Category::kIgnorable};
  testing::TempDir tmp;
  std::mt19937_64 rng(11);
  auto random_md5 = [&] {
    hashing::Md5Digest d;
    for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
    return d;
  };
  struct Pair {
    hashing::Md5Digest digest;
    int first, second;  // indexes into `order`
  };
  std::vector<Pair> pairs;
  for (int a = 0; a < 7; ++a) {
    for (int b = 0; b < 7; ++b) pairs.push_back({random_md5(), a, b});
  }
  {
    auto index = OpenIndex(tmp / "idx", false, 1u << 20);  // 1 MiB: the pairs' two halves land in different runs
    auto w = index->BeginSet("pairs", "test", false).value();
    std::uint64_t line = 0;
    EntryInfo info;
    for (const auto& p : pairs) {
      info.category = order[p.first];
      ASSERT_TRUE(w->Add(HashType::kMd5, p.digest.bytes, info, 0, ++line).ok());
    }
    info.category = Category::kC;
    for (int i = 0; i < 60'000; ++i) ASSERT_TRUE(w->Add(HashType::kMd5, random_md5().bytes, info, 0, ++line).ok());
    for (const auto& p : pairs) {
      info.category = order[p.second];
      ASSERT_TRUE(w->Add(HashType::kMd5, p.digest.bytes, info, 0, ++line).ok());
    }
    auto r = w->Commit(SetInfo{});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->duplicates, pairs.size());
    EXPECT_EQ(r->category_conflicts, pairs.size() - 7);
    EXPECT_EQ(r->conflicting_duplicates, pairs.size() - 7);
  }
  auto index = OpenIndex(tmp / "idx", true);
  std::vector<hashing::Md5Digest> digests;
  for (const auto& p : pairs) digests.push_back(p.digest);
  const auto hits = index->LookupMd5(digests).value();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    ASSERT_EQ(hits[i].size(), 1u);
    EXPECT_EQ(hits[i][0].info.category, order[std::min(pairs[i].first, pairs[i].second)])
        << CategoryName(order[pairs[i].first]) << " then " << CategoryName(order[pairs[i].second]);
  }
}

// ------------------------------------------------------------------------ search structure files

TEST_F(ImportSafetyTest, StatsSaysWhetherTheStructureFilesAreCurrentAndPrepareWritesThem) {
  WriteMd5List(tmp_ / "list.md5", 5);
  testing::WriteText(tmp_ / "list.pdq", RandomHex(rng_, 32) + ",100,a.jpg\n");
  ASSERT_EQ(Run("index import --set md5s --format md5sum --category C " + Q(tmp_ / "list.md5")).exit_code, 0);
  ASSERT_EQ(Run("index import --set pdqs --format pdq --category C " + Q(tmp_ / "list.pdq")).exit_code, 0);
  auto structures = [&] { return Json::parse(Run("index stats --json").out)["search_structures"].get<std::string>(); };
  EXPECT_EQ(structures(), "current");
  std::filesystem::remove_all(index_ / "structures");
  EXPECT_EQ(structures(), "PDQ tables: absent; md5 filter: absent");
  const auto text = Run("index stats");
  EXPECT_NE(text.out.find("search structures: PDQ tables: absent; md5 filter: absent (each open builds its own: run "
                          "`hashtriage index prepare`)"),
            std::string::npos)
      << text.out;
  const auto prepared = Run("index prepare");
  EXPECT_EQ(prepared.exit_code, 0) << prepared.err;
  EXPECT_EQ(structures(), "current");
  // A removal writes them afresh: only what the remaining set needs.
  ASSERT_EQ(Run("index remove --set pdqs").exit_code, 0);
  EXPECT_EQ(structures(), "current");
  // A mistyped path is refused, not created as an empty index.
  const auto missing = RunCommand(Bin() + " index prepare --index " + Q(tmp_ / "no-such-index"));
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("no index at"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_ / "no-such-index"));
}

}  // namespace
}  // namespace hashtriage::index

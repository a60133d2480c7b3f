// Every importer round-trips a file generated here: each record's hashes, category, flags, series
// and media id come back from lookups exactly. Malformed records are reported with their line.
#include "index/importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "hashing/digest_types.h"
#include "index/internal/json_reader.h"
#include "tests/test_support.h"

namespace hashtriage::index {
namespace {

using hashing::Md5Digest;
using hashing::PdqHash;
using hashing::Sha1Digest;
using hashing::Sha256Digest;

struct Record {
  Md5Digest md5;
  Sha1Digest sha1;
  Sha256Digest sha256;
  PdqHash pdq;
  int quality = 100;
  int vics_category = 1;  // UK map: 1 A, 2 B, 3 C, 4 non-indecent
  Category category = Category::kA;
  std::uint8_t flags = 0;
  std::string series;
  std::string media_id;
};

std::vector<Record> MakeRecords(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Record> out(n);
  const Category uk[] = {Category::kUnknown, Category::kA, Category::kB, Category::kC, Category::kNonIndecent};
  for (std::size_t i = 0; i < n; ++i) {
    Record& r = out[i];
    for (auto& b : r.md5.bytes) b = static_cast<std::uint8_t>(rng());
    for (auto& b : r.sha1.bytes) b = static_cast<std::uint8_t>(rng());
    for (auto& b : r.sha256.bytes) b = static_cast<std::uint8_t>(rng());
    for (auto& w : r.pdq.words) w = rng();
    r.quality = static_cast<int>(rng() % 101);
    r.vics_category = static_cast<int>(i % 5);
    r.category = uk[r.vics_category];
    r.flags = static_cast<std::uint8_t>(rng() % 8);
    r.series = i % 3 == 0 ? "series \"" + std::to_string(i % 7) + "\"" : "";
    r.media_id = std::to_string(100000 + i);
  }
  return out;
}

std::unique_ptr<KnownIndex> OpenImportIndex(const std::string& dir, bool read_only) {
  IndexOptions o;
  o.path = dir;
  o.read_only = read_only;
  auto r = KnownIndex::Open(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

Result<ImportSummary> Import(const std::string& dir, const std::string& file, ImportOptions options,
                             const std::string& set = "s") {
  auto index = OpenImportIndex(dir, false);
  return ImportSet(*index, set, {file}, options);
}

std::string JsonBool(bool b) { return b ? "true" : "false"; }

std::string VicsFile(const std::vector<Record>& recs, const std::string& version) {
  std::ostringstream s;
  if (version == "1.3") {
    s << "{\n  \"odata.metadata\": \"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\",\n  \"value\": [\n";
  } else if (version == "2.0") {
    s << "{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media\","
         "\"value\":[\n";
  } else {  // 2.0 #Cases
    s << "{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases\","
         "\"value\":[{\"CaseID\":\"c1\",\"CaseNumber\":\"2024/1\",\"Contact\":{\"Name\":\"x\"},"
         "\"SourceApplicationName\":\"gen\",\"Media\":[\n";
  }
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const Record& r = recs[i];
    std::string series;
    for (char c : r.series) series += c == '"' ? std::string("\\\"") : std::string(1, c);
    s << "    {\"MediaID\": " << r.media_id << ", \"Category\": " << r.vics_category << ", \"MD5\": \""
      << r.md5.hex() << "\", \"SHA1\": \"" << r.sha1.hex() << "\", \"MediaSize\": 1234, \"Tags\": [\"a\", {\"b\": [1, 2]}],"
      << " \"VictimIdentified\": " << JsonBool(r.flags & kFlagVictimIdentified)
      << ", \"OffenderIdentified\": " << JsonBool(r.flags & kFlagOffenderIdentified)
      << ", \"IsDistributed\": " << JsonBool(r.flags & kFlagDistributed) << ", \"Series\": \"" << series << "\""
      << ", \"MediaFiles\": [{\"MD5\": \"" << r.md5.hex() << "\", \"FileName\": \"f\\u00e9.jpg\"}]"
      << ", \"AltHash\": [{\"HashName\": \"PDQ\", \"HashValue\": \"" << r.pdq.hex() << "\"}]}"
      << (i + 1 < recs.size() ? ",\n" : "\n");
  }
  s << (version == "cases" ? "]}]}\n" : "  ]\n}\n");
  return s.str();
}

void ExpectRoundTrip(const std::string& dir, const std::vector<Record>& recs, bool md5, bool sha1, bool pdq,
                     bool details, std::optional<Category> fixed_category = std::nullopt,
                     const std::string& set = "s") {
  auto index = OpenImportIndex(dir, true);
  std::vector<Md5Digest> md5s;
  std::vector<Sha1Digest> sha1s;
  std::vector<PdqHash> pdqs;
  for (const auto& r : recs) {
    md5s.push_back(r.md5);
    sha1s.push_back(r.sha1);
    pdqs.push_back(r.pdq);
  }
  auto check = [&](const Membership& m, const Record& r) {
    EXPECT_EQ(m.set_name, set);
    EXPECT_EQ(m.info.category, fixed_category.value_or(r.category));
    if (details) {
      EXPECT_EQ(m.info.flags & 7, r.flags);
      EXPECT_EQ(m.info.series, r.series);
      EXPECT_EQ(m.info.media_id, r.media_id);
    }
  };
  if (md5) {
    const auto hits = index->LookupMd5(md5s).value();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      ASSERT_EQ(hits[i].size(), 1u) << i;
      check(hits[i][0], recs[i]);
    }
  }
  if (sha1) {
    const auto hits = index->LookupSha1(sha1s).value();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      ASSERT_EQ(hits[i].size(), 1u) << i;
      check(hits[i][0], recs[i]);
    }
  }
  if (pdq) {
    const auto hits = index->SearchPdq(pdqs, 0).value();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      ASSERT_EQ(hits[i].size(), 1u) << i;
      EXPECT_EQ(hits[i][0].hash, recs[i].pdq);
      check(hits[i][0].membership, recs[i]);
    }
  }
}

class ImporterTest : public ::testing::Test {
 protected:
  testing::TempDir tmp_;
  std::string dir_ = (tmp_ / "idx").string();
  std::string file_ = (tmp_ / "input").string();
};

TEST_F(ImporterTest, VicsVersionsRoundTrip) {
  for (const std::string version : {"1.3", "2.0", "cases"}) {
    const auto recs = MakeRecords(300, 10);
    testing::WriteText(file_, VicsFile(recs, version));
    ImportOptions o;
    o.format = ImportFormat::kVics;
    auto r = Import(dir_, file_, o);
    ASSERT_TRUE(r.ok()) << version << ": " << r.status().ToString();
    EXPECT_EQ(r->records_read, recs.size());
    EXPECT_EQ(r->records_rejected, 0u);
    EXPECT_EQ(r->commit.set.entries.at(HashType::kMd5), recs.size());
    EXPECT_EQ(r->commit.set.entries.at(HashType::kSha1), recs.size());
    EXPECT_EQ(r->commit.set.entries.at(HashType::kPdq), recs.size());
    ExpectRoundTrip(dir_, recs, true, true, true, true);
  }
}

TEST_F(ImporterTest, VicsUsMapAndCustomMap) {
  const auto recs = MakeRecords(50, 11);
  testing::WriteText(file_, VicsFile(recs, "2.0"));
  ImportOptions o;
  o.format = ImportFormat::kVics;
  o.category_map = CategoryMap::Builtin("us").value();
  ASSERT_TRUE(Import(dir_, file_, o).ok());
  {
    auto index = OpenImportIndex(dir_, true);
    const auto hits = index->LookupMd5(std::vector<Md5Digest>{recs[1].md5, recs[0].md5}).value();
    EXPECT_EQ(hits[0][0].info.category, Category::kIndecentUncategorised);  // US 1: child abuse material
    EXPECT_EQ(hits[1][0].info.category, Category::kNonIndecent);            // US 0: non-pertinent
  }
  const std::string map_file = (tmp_ / "map.toml").string();
  testing::WriteText(map_file, "name = \"custom\"\n[vics]\n0 = \"C\"\n1 = \"C\"\n2 = \"C\"\n3 = \"C\"\n");
  o.category_map = CategoryMap::FromFile(map_file).value();
  auto r = Import(dir_, file_, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records_rejected, 10u);  // Category 4 is not in the custom map
  EXPECT_EQ(r->rejected_by_reason.at("unknown category"), 10u);
  EXPECT_FALSE(CategoryMap::Parse("[vics]\nx = \"A\"\n", "bad").ok());
  EXPECT_FALSE(CategoryMap::Parse("[vics]\n1 = \"Z\"\n", "bad").ok());
}

TEST_F(ImporterTest, VicsMalformedRecordsAreReportedWithLines) {
  auto recs = MakeRecords(20, 12);
  std::string text = VicsFile(recs, "1.3");
  // Line 4 holds record 0 (three header lines), line 8 record 4, line 11 record 7.
  auto replace_on_line = [&](int line, const std::string& from, const std::string& to) {
    std::size_t pos = 0;
    for (int l = 1; l < line; ++l) pos = text.find('\n', pos) + 1;
    const auto at = text.find(from, pos);
    ASSERT_LT(at, text.find('\n', pos));
    text.replace(at, from.size(), to);
  };
  replace_on_line(8, recs[4].md5.hex(), "xyz");
  replace_on_line(11, "\"Category\": 2", "\"Category\": 77");
  testing::WriteText(file_, text);
  ImportOptions o;
  o.format = ImportFormat::kVics;
  auto r = Import(dir_, file_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records_read, 20u);
  ASSERT_EQ(r->records_rejected, 2u);
  EXPECT_EQ(r->rejection_examples[0].line, 8u);
  EXPECT_NE(r->rejection_examples[0].reason.find("malformed md5"), std::string::npos);
  EXPECT_EQ(r->rejection_examples[1].line, 11u);
  EXPECT_NE(r->rejection_examples[1].reason.find("unknown category"), std::string::npos);
  EXPECT_EQ(r->commit.set.entries.at(HashType::kMd5), 18u);

  o.strict = true;
  auto strict = Import(dir_, file_, o, "strict");
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find(":8 "), std::string::npos) << strict.status().message();
  EXPECT_EQ(OpenImportIndex(dir_, true)->ListSets().size(), 1u);  // "strict" was never committed
}

TEST_F(ImporterTest, VicsSyntaxErrorAbortsWithoutChangingTheIndex) {
  const auto recs = MakeRecords(30, 13);
  testing::WriteText(file_, VicsFile(recs, "1.3"));
  ImportOptions o;
  o.format = ImportFormat::kVics;
  ASSERT_TRUE(Import(dir_, file_, o, "before").ok());
  std::string text = VicsFile(MakeRecords(30, 14), "1.3");
  text.resize(text.size() / 2);  // truncated mid-file
  testing::WriteText(file_, text);
  auto r = Import(dir_, file_, o, "before");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(file_ + ":"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("(byte "), std::string::npos) << r.status().message();
  ExpectRoundTrip(dir_, recs, true, true, true, true, std::nullopt, "before");  // the earlier import is untouched
  testing::WriteText(file_, "{\"value\": []}");
  EXPECT_FALSE(Import(dir_, file_, o, "x").ok());  // not VICS: no context
}

TEST_F(ImporterTest, HashListsRoundTrip) {
  const auto recs = MakeRecords(200, 15);
  std::string md5, sha1, sha256;
  for (const auto& r : recs) {
    md5 += r.md5.hex() + "  " + r.media_id + "\n";
    sha1 += r.sha1.hex() + " *" + r.media_id + "\r\n";
    sha256 += "SHA256 (" + r.media_id + ") = " + r.sha256.hex() + "\n";
  }
  md5 += "# comment\n\n0123  short.jpg\n";
  for (const auto& [format, text] : {std::pair{ImportFormat::kMd5sum, md5}, std::pair{ImportFormat::kSha1sum, sha1},
                                     std::pair{ImportFormat::kSha256sum, sha256}}) {
    testing::WriteText(file_, text);
    ImportOptions o;
    o.format = format;
    o.category = Category::kB;
    auto r = Import(dir_, file_, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->records_read, recs.size() + (format == ImportFormat::kMd5sum ? 1 : 0));
    if (format == ImportFormat::kMd5sum) {
      ASSERT_EQ(r->records_rejected, 1u);
      EXPECT_EQ(r->rejection_examples[0].line, 203u);
    }
    auto index = OpenImportIndex(dir_, true);
    for (std::size_t i = 0; i < recs.size(); ++i) {
      std::vector<Membership> m;
      if (format == ImportFormat::kMd5sum) m = index->LookupMd5(std::vector{recs[i].md5}).value()[0];
      if (format == ImportFormat::kSha1sum) m = index->LookupSha1(std::vector{recs[i].sha1}).value()[0];
      if (format == ImportFormat::kSha256sum) m = index->LookupSha256(std::vector{recs[i].sha256}).value()[0];
      ASSERT_EQ(m.size(), 1u);
      EXPECT_EQ(m[0].info.category, Category::kB);
      EXPECT_EQ(m[0].info.media_id, recs[i].media_id);
    }
  }
}

TEST_F(ImporterTest, PdqListRoundTripFlagsLowQuality) {
  const auto recs = MakeRecords(300, 16);
  std::string text = "hash,quality,label\n";
  for (const auto& r : recs) text += r.pdq.hex() + "," + std::to_string(r.quality) + "," + r.media_id + "\n";
  text += "abc,100,x\n" + recs[0].pdq.hex() + ",200,y\n";
  testing::WriteText(file_, text);
  ImportOptions o;
  o.format = ImportFormat::kPdq;
  o.category = Category::kC;
  auto r = Import(dir_, file_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records_rejected, 2u);
  EXPECT_EQ(r->rejection_examples[0].line, 302u);
  EXPECT_EQ(r->rejection_examples[1].line, 303u);
  EXPECT_NE(r->rejection_examples[1].reason.find("quality"), std::string::npos);
  auto index = OpenImportIndex(dir_, true);
  std::vector<PdqHash> q;
  for (const auto& rec : recs) q.push_back(rec.pdq);
  const auto hits = index->SearchPdq(q, 0).value();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    ASSERT_EQ(hits[i].size(), 1u);
    EXPECT_EQ(hits[i][0].membership.info.pdq_quality, recs[i].quality);
    EXPECT_EQ((hits[i][0].membership.info.flags & kFlagLowQuality) != 0, recs[i].quality < 50);
    EXPECT_EQ(hits[i][0].membership.info.media_id, recs[i].media_id);
    EXPECT_EQ(hits[i][0].membership.info.category, Category::kC);
  }
}

TEST_F(ImporterTest, IcseRoundTrip) {
  const auto recs = MakeRecords(150, 17);
  std::string text =
      "MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;"
      "Number of submissions;File Available;Media Type;Baseline\n";
  for (const auto& r : recs) {
    text += r.md5.hex() + ";" + r.sha1.hex() + ";;" + r.media_id + ";" + (r.flags & kFlagDistributed ? "Yes" : "No") +
            ";" + (r.flags & kFlagVictimIdentified ? "Yes" : "No") + ";" +
            (r.flags & kFlagOffenderIdentified ? "Yes" : "No") + ";\"" + [&] {
              std::string s;
              for (char c : r.series) s += c == '"' ? std::string("\"\"") : std::string(1, c);
              return s;
            }() + "\";3;Yes;Image;No\n";
  }
  text += "nothex;;;1;No;No;No;;1;No;Image;No\n";
  testing::WriteText(file_, text);
  ImportOptions o;
  o.format = ImportFormat::kIcse;
  auto r = Import(dir_, file_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records_rejected, 1u);
  EXPECT_EQ(r->rejection_examples[0].line, 152u);
  ExpectRoundTrip(dir_, recs, true, true, false, true, Category::kIndecentUncategorised);
}

// Regression (CSV framing): an ICSE series name holding quoted line breaks and a fake row. The
// line-based splitter rejected the real row ("unbalanced quotes") and imported the fake row's hash as a
// record of the set. Written by Python's csv module, which quotes such a name.
TEST_F(ImporterTest, IcseQuotedLineBreaksStayInTheirFieldAndCannotAddHashes) {
  const auto recs = MakeRecords(3, 21);
  const std::string fake_md5 = recs[2].md5.hex(), fake_sha1 = recs[2].sha1.hex();
  const std::string series = "holiday\n" + fake_md5 + ";" + fake_sha1 + ";;999;No;No;No;;1;No;Image;No\r\nend";
  const auto script = tmp_ / "write.py";
  testing::WriteText(script,
                     "import csv, sys\n"
                     "with open(sys.argv[1], 'w', newline='', encoding='utf-8') as f:\n"
                     "    w = csv.writer(f, delimiter=';')\n"
                     "    w.writerow(['MD5','SHA1','PhotoDNA','Image ID','Is distributed','Victim identified',"
                     "'Offender identified','Series name','Number of submissions','File Available','Media Type','Baseline'])\n"
                     "    w.writerow([sys.argv[2], sys.argv[3], '', '7', 'Yes', 'No', 'No', sys.argv[4], '1', 'No', 'Image', 'No'])\n"
                     "    w.writerow([sys.argv[5], sys.argv[6], '', '8', 'No', 'No', 'No', 'plain', '1', 'No', 'Image', 'No'])\n");
  const auto written = testing::RunCommand("python3 " + testing::Q(script) + " " + testing::Q(file_) + " " +
                                           recs[0].md5.hex() + " " + recs[0].sha1.hex() + " " +
                                           testing::ShellQuote(series) + " " + recs[1].md5.hex() + " " +
                                           recs[1].sha1.hex());
  ASSERT_EQ(written.exit_code, 0) << written.err;
  ImportOptions o;
  o.format = ImportFormat::kIcse;
  auto r = Import(dir_, file_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records_rejected, 0u);
  EXPECT_EQ(r->records_read, 2u);
  auto index = OpenImportIndex(dir_, true);
  const auto md5_hits = index->LookupMd5(std::vector{recs[0].md5, recs[1].md5, recs[2].md5}).value();
  ASSERT_EQ(md5_hits[0].size(), 1u);
  EXPECT_EQ(md5_hits[0][0].info.series, series);
  EXPECT_EQ(md5_hits[0][0].info.media_id, "7");
  ASSERT_EQ(md5_hits[1].size(), 1u);
  EXPECT_EQ(md5_hits[1][0].info.series, "plain");
  EXPECT_TRUE(md5_hits[2].empty()) << "the hash inside the quoted series name was imported";
  EXPECT_TRUE(index->LookupSha1(std::vector{recs[2].sha1}).value()[0].empty());
}

TEST_F(ImporterTest, NsrlImportsAsIgnorable) {
  const auto recs = MakeRecords(100, 18);
  std::string text = "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\n";
  for (const auto& r : recs) {
    text += "\"" + r.sha1.hex() + "\",\"" + r.md5.hex() + "\",\"0000ABCD\",\"" + r.media_id + ".dll\",12,1,\"WIN\",\"\"\n";
  }
  text += "\"" + recs[0].sha1.hex() + "\",\"" + recs[0].md5.hex() + "\",\"0000ABCD\",\"" + recs[0].media_id +
          ".dll\",12,2,\"WIN\",\"\"\n";  // the same file in another product: an identical duplicate
  testing::WriteText(file_, text);
  ImportOptions o;
  o.format = ImportFormat::kNsrl;
  o.strict = true;  // identical duplicates are not errors
  auto r = Import(dir_, file_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->commit.duplicates, 2u);  // its MD5 and its SHA-1
  EXPECT_EQ(r->commit.conflicting_duplicates, 0u);
  auto index = OpenImportIndex(dir_, true);
  const auto hits = index->LookupSha1(std::vector{recs[5].sha1}).value();
  ASSERT_EQ(hits[0].size(), 1u);
  EXPECT_EQ(hits[0][0].info.category, Category::kIgnorable);
  EXPECT_EQ(hits[0][0].info.media_id, recs[5].media_id + ".dll");
}

TEST_F(ImporterTest, GenericCsvWithColumnMapping) {
  const auto recs = MakeRecords(120, 19);
  std::string text = "Id\tHash MD5\tHash SHA1\tGrade\tSeries Name\tPDQ\tQ\n";
  for (const auto& r : recs) {
    text += r.media_id + "\t" + r.md5.hex() + "\t" + r.sha1.hex() + "\t" + std::string(CategoryName(r.category)) + "\t" +
            r.series + "\t" + r.pdq.hex() + "\t" + std::to_string(r.quality) + "\n";
  }
  text += "x\t" + recs[0].md5.hex() + "\t\tD\t\t\t\n";  // unknown category, line 122
  testing::WriteText(file_, text);
  ImportOptions o;
  o.format = ImportFormat::kCsv;
  o.columns = "md5=Hash MD5, sha1=hash sha1, category=Grade, series=Series Name, media_id=Id, pdq=PDQ, quality=Q";
  auto r = Import(dir_, file_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records_rejected, 1u);
  EXPECT_EQ(r->rejection_examples[0].line, 122u);
  auto index = OpenImportIndex(dir_, true);
  const auto hits = index->LookupMd5(std::vector{recs[3].md5}).value();
  ASSERT_EQ(hits[0].size(), 1u);
  EXPECT_EQ(hits[0][0].info.category, recs[3].category);
  EXPECT_EQ(hits[0][0].info.series, recs[3].series);
  EXPECT_EQ(hits[0][0].info.media_id, recs[3].media_id);
  EXPECT_EQ(hits[0][0].info.pdq_quality, -1);  // quality belongs to the PDQ entry only
  const auto p = index->SearchPdq(std::vector{recs[3].pdq}, 0).value();
  ASSERT_EQ(p[0].size(), 1u);
  EXPECT_EQ(p[0][0].membership.info.pdq_quality, recs[3].quality);

  o.columns = "md5=Nope";
  auto bad = Import(dir_, file_, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Nope"), std::string::npos);
}

TEST(JsonReaderTest, TokensEscapesAndErrorPositions) {
  using internal::JsonReader;
  using T = JsonReader::Token;
  auto r = JsonReader::FromString("{\"a\\\"b\": [1, -2.5e3, \"x\\u00e9\\n\", true, null, {}],\n \"c\": false}");
  std::vector<T> tokens;
  std::vector<std::string> texts;
  for (;;) {
    auto t = r->Next();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    tokens.push_back(*t);
    texts.emplace_back(r->text());
    if (*t == T::kEnd) break;
  }
  const std::vector<T> expected = {T::kBeginObject, T::kKey,        T::kBeginArray, T::kNumber, T::kNumber,
                                   T::kString,      T::kTrue,       T::kNull,       T::kBeginObject,
                                   T::kEndObject,   T::kEndArray,   T::kKey,        T::kFalse,
                                   T::kEndObject,   T::kEnd};
  EXPECT_EQ(tokens, expected);
  EXPECT_EQ(texts[1], "a\"b");
  EXPECT_EQ(texts[4], "-2.5e3");
  EXPECT_EQ(texts[5], "x\xc3\xa9\n");

  auto bad = JsonReader::FromString("{\"a\": 1,\n\n \"b\" 2}");
  Status st;
  for (;;) {
    auto t = bad->Next();
    if (!t.ok()) {
      st = t.status();
      break;
    }
    ASSERT_NE(*t, T::kEnd);
  }
  EXPECT_NE(st.message().find(":3 "), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("':'"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace hashtriage::index

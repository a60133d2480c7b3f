// Exports of the queue (CSV, JSON, self-contained HTML checked in headless Chromium) and of the
// matched media (VICS 2.0 shape of ../shared/docs/formats.md), built from case records written the
// way the scan pipeline and intake write them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "engine/case/evidence_catalogue.h"
#include "engine/case/referral_store.h"
#include "engine/risk/queue_view.h"
#include "engine/risk/rescore.h"
#include "engine/risk/vics_export.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

using index::Category;
using testing::AddHits;
using testing::AddReferral;
using testing::kDay;
using testing::kT0;

// RFC 4180 reader (the test's own) for checking the CSV export.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') rows.back().back() += '"', ++i;
      else if (c == '"') quoted = false;
      else rows.back().back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

class RiskExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(c_.store, nullptr);
    const RiskModel model = testing::DefaultModel();
    for (int i = 0; i < kSubjects; ++i) {
      SubjectProfile p = testing::Subject("S" + std::to_string(i), kT0 + (i % 20) * kDay);
      AddReferral(p, "R" + std::to_string(i), kT0 + (i % 20) * kDay);
      AddHits(p, i % 3 ? Category::kC : Category::kA, 1 + i % 4);
      if (i % 5 == 0) testing::SetAttribute(p, "lives_with_children", TriState::kYes);
      p.area = i % 2 ? "MPS" : "KENT";
      if (i == 7) p.display_name = "<script>alert('x')</script> & \"friends\"";
      if (i == 8) p.display_name = "=HYPERLINK(\"http://evil\",\"x\"), more";
      ASSERT_TRUE(RescoreProfile(*c_.store, p, kT0 + 25 * kDay, model).ok());
    }
    auto rows = LoadQueueView(*c_.store, kT0 + 25 * kDay, model, {});
    ASSERT_TRUE(rows.ok());
    rows_ = std::move(rows).value();
    context_ = {kT0 + 25 * kDay, c_.store->location(), model.name, model.sha256};
  }

  static constexpr int kSubjects = 120;
  testing::TempCase c_;
  std::vector<QueueRow> rows_;
  QueueViewContext context_;
};

TEST_F(RiskExportTest, CsvHasEveryColumnAndSubjectAndDefusesFormulas) {
  const auto table = ParseCsv(QueueCsv(rows_, context_));
  ASSERT_EQ(table.size(), kSubjects + 1u);
  const auto& header = table[0];
  for (const char* col : {"rank", "subject", "band", "deadline", "score", "urgency_flags", "top_factors", "hits_A",
                          "hits_C", "days_in_queue", "owner", "status"}) {
    EXPECT_NE(std::find(header.begin(), header.end(), col), header.end()) << col;
  }
  std::set<std::string> subjects;
  for (std::size_t r = 1; r < table.size(); ++r) {
    ASSERT_EQ(table[r].size(), header.size()) << "row " << r;
    EXPECT_EQ(table[r][0], std::to_string(r));
    subjects.insert(table[r][1]);
    EXPECT_FALSE(table[r][3].empty());
    EXPECT_EQ(table[r][2].rfind("=", 0), std::string::npos) << "display name starts a formula";
  }
  EXPECT_EQ(subjects.size(), static_cast<std::size_t>(kSubjects));
}

TEST_F(RiskExportTest, RowsNearAHighCasesDeadlineSayTheyAreOrderedAsLikelier) {
  // Brute force over the rows: below High, could be High, and 5 to 7 days in the queue (High's deadline
  // is 7 days, the window 2).
  const std::int64_t now = kT0 + 25 * kDay;
  std::size_t boosted = 0;
  const auto j = QueueJson(rows_, context_);
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const QueueEntry& e = rows_[r].entry;
    const std::int64_t age = now - e.entered_at;
    const bool expected = rows_[r].ordering_band < Band::kHigh && e.likely_high > 0 && age >= 5 * kDay && age <= 7 * kDay;
    EXPECT_EQ(rows_[r].high_deadline_boost, expected ? 30 : 0) << e.subject_id;
    EXPECT_EQ(j["subjects"][r]["high_deadline_boost"], expected ? 30 : 0) << e.subject_id;
    // The JSON's words are the text queue's (one OutlookLine).
    EXPECT_EQ(j["subjects"][r]["outlook_text"], OutlookLine(rows_[r])) << e.subject_id;
    EXPECT_EQ(j["subjects"][r]["outlook_text"].get<std::string>().find("ordered as 30 points likelier") != std::string::npos,
              expected)
        << e.subject_id;
    if (expected) {
      ++boosted;
      EXPECT_EQ(rows_[r].high_deadline, e.entered_at + 7 * kDay);
    }
  }
  ASSERT_GT(boosted, 0u);
  const std::string text = QueueText(rows_, context_);
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = text.find("is near: ordered as 30 points likelier", at)) != std::string::npos; ++at) ++lines;
  EXPECT_EQ(lines, boosted) << text;
}

TEST_F(RiskExportTest, JsonListsFactorsWithEvidence) {
  const auto j = QueueJson(rows_, context_);
  ASSERT_EQ(j["subjects"].size(), static_cast<std::size_t>(kSubjects));
  EXPECT_EQ(j["model"]["sha256"], context_.model_sha256);
  for (const auto& s : j["subjects"]) {
    ASSERT_TRUE(s["factors"].is_array());
    ASSERT_FALSE(s["factors"].empty()) << s["subject"];
    EXPECT_FALSE(s["factors"][0]["evidence"].empty());
    EXPECT_TRUE(s["deadline"].is_string());
  }
}

TEST_F(RiskExportTest, AreaFilterKeepsOnlyThatArea) {
  auto rows = LoadQueueView(*c_.store, context_.now, testing::DefaultModel(), {.area = "KENT"});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), kSubjects / 2u);
  for (const auto& r : *rows) EXPECT_EQ(r.entry.area, "KENT");
}

TEST_F(RiskExportTest, HtmlIsSelfContainedEscapedAndOpensInHeadlessChromium) {
  const std::string html = QueueHtml(rows_, context_);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);

  testing::TempDir dir;
  const auto path = dir / "queue.html";
  testing::WriteText(path, html);
  const auto out = testing::ChromiumDumpDom(path, dir / "profile");
  ASSERT_EQ(out.exit_code, 0) << "headless chromium failed (scripts/install-deps installs it)";
  std::set<std::string> rendered;
  const std::regex row(R"re(<tr id="subject-([^"]+)")re");
  for (auto it = std::sregex_iterator(out.out.begin(), out.out.end(), row); it != std::sregex_iterator(); ++it) {
    rendered.insert((*it)[1]);
  }
  EXPECT_EQ(rendered.size(), static_cast<std::size_t>(kSubjects));
  for (const auto& r : rows_) EXPECT_TRUE(rendered.count(r.entry.subject_id)) << r.entry.subject_id;
  // The hostile display name was rendered as text, not run: no script element reached the DOM.
  EXPECT_EQ(out.out.find("<script"), std::string::npos);
  EXPECT_NE(out.out.find("alert('x')"), std::string::npos);
}

// An evidence item with four files (a twice, b, notes.txt without hits, an NSRL-only file) and a
// referral holding b again, written through the typed stores as a scan and an intake would.
void WriteScanAndReferral(Case& store) {
  auto txn = store.Begin();
  EvidenceRecord e;
  e.number = 1;
  e.id = "phone.E01";
  e.source = "/ev/phone.E01";
  e.subject = "S1";
  e.status = EvidenceStatus::kComplete;
  ASSERT_TRUE(store.evidence().Put(*txn, e).ok());
  auto hit = [](index::Category category, MatchKind kind, int distance, std::string set = "caid") {
    Hit h;
    h.set = std::move(set);
    h.category = category;
    h.kind = kind;
    h.distance = distance;
    return h;
  };
  auto file = [&](std::uint64_t seq, std::string path, std::string md5, std::string sha1, std::vector<Hit> hits,
                  bool deleted) {
    FileRecord r;
    r.evidence = 1;
    r.seq = seq;
    r.info.path = r.info.original_path = std::move(path);
    r.info.size = 1234;
    r.info.created = 1767261600;
    r.info.modified = 1767348000;
    r.info.deleted = deleted;
    r.digests.md5 = *hashing::Md5Digest::FromHex(md5);
    if (!sha1.empty()) r.digests.sha1 = *hashing::Sha1Digest::FromHex(sha1);
    r.query.md5 = r.digests.md5;
    r.query.sha1 = r.digests.sha1;
    r.hits = std::move(hits);
    store.evidence().PutFile(*txn, r);
  };
  const std::string md5a(32, 'a'), md5b(32, 'b'), md5c(32, 'c'), md5d(32, 'd');
  const std::string sha1a(40, '1'), sha1b(40, '2');
  const Hit hit_a = hit(index::Category::kA, MatchKind::kMd5, 0);
  const Hit hit_c = hit(index::Category::kC, MatchKind::kPdq, 12);
  file(0, "DCIM/a.jpg", md5a, sha1a, {hit_a}, false);
  file(1, "Download/copy-of-a.jpg", md5a, sha1a, {hit_a}, true);
  file(2, "DCIM/b.jpg", md5b, sha1b, {hit_c}, false);
  file(3, "notes.txt", md5c, "", {}, false);
  file(4, "Windows/kernel32.dll", md5d, "", {hit(index::Category::kIgnorable, MatchKind::kMd5, 0, "nsrl")}, false);
  ReferralRecord r;
  r.id = "R1";
  r.subject = "S2";
  ReferralFileRecord f;
  f.name = "upload.jpg";
  f.md5 = md5b;
  f.sha1 = sha1b;
  f.size = 99;
  f.hits = {hit_c};
  r.files.push_back(f);
  store.referrals().Put(*txn, r);
  ASSERT_TRUE(txn->Commit().ok());
}

TEST(RiskVicsExportTest, MatchedMediaInVics20ShapeWithProvenance) {
  testing::TempCase c;
  ASSERT_NE(c.store, nullptr);
  WriteScanAndReferral(*c.store);
  auto vics = BuildVicsExport(*c.store, {});
  ASSERT_TRUE(vics.ok()) << vics.status().ToString();
  const nlohmann::json doc = nlohmann::json::parse(vics->document.dump());
  EXPECT_TRUE(std::regex_match(doc["@odata.context"].get<std::string>(),
                               std::regex(R"(http://github\.com/VICSDATAMODEL/ProjectVic/DataModels/2\.0\.xml/(Default|US|UK|CUSTOM)/\$metadata#Cases)")));
  ASSERT_EQ(doc["value"].size(), 1u);
  const auto& header = doc["value"][0];
  for (const char* key : {"CaseID", "CaseNumber", "Contact", "SourceApplicationName", "SourceApplicationVersion"}) {
    EXPECT_TRUE(header.contains(key)) << key;
  }
  const auto& media = header["Media"];
  ASSERT_EQ(media.size(), 2u);  // a (found twice) and b (scan + referral); notes.txt had no hit
  EXPECT_EQ(vics->media_files, 4u);
  // Regression (defect 9): the NSRL-only file was exported as "Category 0, IsPrecategorized: true".
  EXPECT_EQ(vics->ignorable_left_out, 1u);
  std::set<std::int64_t> ids;
  for (const auto& m : media) {
    ids.insert(m["MediaID"].get<std::int64_t>());
    EXPECT_TRUE(m["Category"].is_number_integer());
    EXPECT_TRUE(std::regex_match(m["MD5"].get<std::string>(), std::regex("[0-9A-F]{32}")));
    EXPECT_TRUE(std::regex_match(m["SHA1"].get<std::string>(), std::regex("[0-9A-F]{40}")));
    ASSERT_FALSE(m["MediaFiles"].empty());
    for (const auto& f : m["MediaFiles"]) {
      for (const char* key : {"MD5", "FileName", "FilePath", "SourceID", "Deleted", "Unallocated"}) {
        EXPECT_TRUE(f.contains(key)) << key;
      }
    }
    EXPECT_FALSE(m.contains("PhotoDNA"));
  }
  EXPECT_EQ(ids.size(), 2u);
  const auto& a = media[0]["MD5"] == std::string(32, 'A') ? media[0] : media[1];
  const auto& b = media[0]["MD5"] == std::string(32, 'A') ? media[1] : media[0];
  EXPECT_EQ(a["Category"], 1);  // UK profile: A = 1
  EXPECT_EQ(b["Category"], 3);  // C = 3
  // Regression (defect 9): a category known only from a near (PDQ) match is a suggestion for review,
  // not a precategorisation; an exact match's is.
  EXPECT_EQ(a["IsPrecategorized"], true);
  EXPECT_EQ(b["IsPrecategorized"], false);
  ASSERT_EQ(a["MediaFiles"].size(), 2u);
  EXPECT_EQ(a["MediaFiles"][0]["SourceID"], "phone.E01");
  EXPECT_EQ(a["MediaFiles"][0]["FilePath"], "DCIM/a.jpg");
  EXPECT_EQ(a["MediaFiles"][1]["Deleted"], true);
  std::set<std::string> sources;
  for (const auto& f : b["MediaFiles"]) sources.insert(f["SourceID"]);
  EXPECT_EQ(sources, (std::set<std::string>{"phone.E01", "referral:R1"}));
  // Hashes and metadata only.
  for (const auto& m : media) {
    for (const auto& [key, value] : m.items()) {
      if (value.is_string()) {
        EXPECT_LT(value.get<std::string>().size(), 400u) << key;
      }
    }
  }
}

}  // namespace
}  // namespace hashtriage::engine::risk

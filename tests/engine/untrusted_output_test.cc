// Regression tests for text from outside on output (engine/text/untrusted_text.h), driven through the
// real executable as an attacker would: provider reports whose report id, display and screen names and
// file names carry NUL, ESC[31m, an OSC title sequence ended by BEL and newlines, display names that
// are spreadsheet formulas, and a seized folder whose file names start with = + - @ or hold controls.
// Before the fix a NUL cut `subject show` short, controls reached the terminal raw, a newline split a
// `subject list` row and CSV exports carried formulas and NUL bytes. Python's csv and json modules are
// the independent parsers of the exports.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/engine/subjects_test_util.h"
#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

using nlohmann::json;
using namespace std::string_literals;

const std::string kNulName = "Alpha\0Hidden"s;                          // shown as Alpha\x00Hidden
const std::string kNulNameShown = "Alpha\\x00Hidden";
const std::string kEscapesName = "Bad\x1b[31mRed\x1b]0;title\x07\nNext";  // colour, window title, new line
const std::string kReportId = "TIP-1\0hidden\x1b[2J"s;                    // the provider's report id
const std::string kReportIdShown = "TIP-1\\x00hidden\\x1b[2J";
const std::vector<std::string> kFormulaNames = {"=cmd|' /C calc'!A0", "+cmd", "-2+3", "@SUM(1)"};
const std::string kOwner = "DC \x1b[31mRed\x07";  // pasted into --assign

std::string ReadText(const std::filesystem::path& file) {
  const auto bytes = ReadBytes(file);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string HexOf(const std::string& bytes) {
  std::string out;
  char two[3];
  for (unsigned char c : bytes) {
    std::snprintf(two, sizeof two, "%02x", c);
    out += two;
  }
  return out;
}

// The first byte below 0x20 other than a newline, or DEL, as "offset N: 0xNN"; "" when there is none.
std::string RawControl(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b < 0x20 && b != '\n') || b == 0x7f) {
      char where[48];
      std::snprintf(where, sizeof where, "offset %zu: 0x%02x", i, b);
      return where;
    }
  }
  return "";
}

// Python's csv module reads `file` (UTF-8, strictly) and prints its rows as JSON.
json CsvRows(const std::filesystem::path& file) {
  const auto r = RunCommand(
      "python3 -c 'import csv, json, sys\n"
      "print(json.dumps(list(csv.reader(open(sys.argv[1], encoding=\"utf-8\", newline=\"\")))))' " + Q(file));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

// A cell a spreadsheet would evaluate (OWASP CSV injection): "" when there is none.
std::string FormulaCell(const json& rows) {
  for (const auto& row : rows) {
    for (const auto& c : row) {
      const std::string cell = c.get<std::string>();
      const std::size_t first = cell.find_first_not_of(' ');
      if ((!cell.empty() && (cell[0] == '\t' || cell[0] == '\r')) ||
          (first != std::string::npos && std::string("=+-@").find(cell[first]) != std::string::npos)) {
        return cell;
      }
    }
  }
  return "";
}

json Report(const std::string& id, const std::string& account, const std::string& display_name,
            const std::string& screen_name, const std::string& file_name, const std::string& md5) {
  json person{{"espService", "examplechat"}, {"espIdentifier", account}, {"displayName", {display_name}}};
  if (!screen_name.empty()) person["screenName"] = screen_name;
  return json{{"reportId", id},
              {"incidentSummary", {{"incidentType", "Apparent Child Pornography"},
                                   {"incidentDateTime", "2026-11-20T10:00:00Z"},
                                   {"escalateToHighPriority", true}}},
              {"reportedPerson", person},
              {"files", json::array({{{"originalFileName", file_name},
                                      {"originalFileHash", json::array({{{"hashType", "MD5"}, {"value", md5}}})}}})}};
}

class UntrustedOutputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string known = std::string(32, 'a');
    BuildIndex(Index(), "test-set", {{known, index::Category::kB}});
    std::vector<json> reports = {
        Report(kReportId, "acct-nul", kNulName, "scr\x1b[31mRED\x1b[0m", "f\x1b]0;title\x07\nname.jpg", known),
        Report("TIP-2", "acct-escapes", kEscapesName, "", "plain.jpg", known)};
    for (std::size_t i = 0; i < kFormulaNames.size(); ++i) {
      reports.push_back(Report("TIP-F" + std::to_string(i), "acct-f" + std::to_string(i), kFormulaNames[i], "",
                               kFormulaNames[i] + ".jpg", std::string(32, 'b')));
    }
    WriteJsonLines(ReferralFile(), reports);
    intake_ = new CommandResult(Run("intake --index " + Q(Index()) + " --by 'DC Test' " + Q(ReferralFile())));
    ASSERT_EQ(intake_->exit_code, 0) << intake_->err;
    const json list = Json("subject list");
    for (const auto& s : list["subjects"]) {
      if (s["name"] == kNulName) nul_subject_ = s["id"].get<std::string>();
    }
    ASSERT_FALSE(nul_subject_.empty()) << list.dump();
    const auto review = Run("review " + nul_subject_ +
                            " --outcome keep --band high --reason checked --by 'DC Test' --assign " + ShellQuote(kOwner));
    ASSERT_EQ(review.exit_code, 0) << review.err;
  }
  static void TearDownTestSuite() {
    delete intake_;
    delete dir_;
  }

  static std::filesystem::path Case() { return *dir_ / "case"; }
  static std::filesystem::path Index() { return *dir_ / "index"; }
  // The referral file's own name carries a colour sequence and a newline too.
  static std::filesystem::path ReferralFile() { return *dir_ / "referrals\x1b[31m\nday.jsonl"; }
  static CommandResult Run(const std::string& args) {
    return RunCommand(Hashtriage() + " " + args + " --case " + Q(Case()) + " --now 2026-11-21T08:00:00Z");
  }
  // For the commands without a clock (subject list|show).
  static CommandResult Read(const std::string& args) {
    return RunCommand(Hashtriage() + " " + args + " --case " + Q(Case()));
  }
  static json Json(const std::string& args) {
    const auto r = RunCommand(Hashtriage() + " " + args + " --json --case " + Q(Case()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  static TempDir* dir_;
  static CommandResult* intake_;
  static std::string nul_subject_;
};
TempDir* UntrustedOutputTest::dir_ = nullptr;
CommandResult* UntrustedOutputTest::intake_ = nullptr;
std::string UntrustedOutputTest::nul_subject_;

TEST_F(UntrustedOutputTest, IntakeNotesAndFileLinesShowControlsEscapedAndUncut) {
  EXPECT_EQ(RawControl(intake_->out), "") << intake_->out;
  EXPECT_EQ(RawControl(intake_->err), "") << intake_->err;
  // The note for the escalated referral names it by the provider's id, all of it.
  EXPECT_NE(intake_->out.find("cybertip:" + kReportIdShown + " -> " + nul_subject_ + " ESCALATE"), std::string::npos)
      << intake_->out;
  EXPECT_NE(intake_->out.find("referrals\\x1b[31m\\nday.jsonl [cybertip]: 6 records, 6 stored"), std::string::npos)
      << intake_->out;
}

TEST_F(UntrustedOutputTest, SubjectShowIsNotCutByANulAndPrintsNoControl) {
  const auto r = Read("subject show " + nul_subject_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RawControl(r.out), "") << r.out;
  EXPECT_NE(r.out.find("Subject " + nul_subject_ + "  \"" + kNulNameShown + "\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scr\\x1b[31mred\\x1b[0m"), std::string::npos) << r.out;  // screen names are matched lower-case
  EXPECT_NE(r.out.find(kReportIdShown), std::string::npos) << r.out;
  // The last section is still there: nothing stopped at the NUL.
  EXPECT_NE(r.out.find("\nTimeline (UTC)\n"), std::string::npos) << r.out;
}

TEST_F(UntrustedOutputTest, SubjectListHasOneLinePerSubjectAndNoControl) {
  const auto r = Read("subject list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RawControl(r.out), "") << r.out;
  const auto lines = SplitLines(r.out);
  const std::size_t subjects = 2 + kFormulaNames.size();
  ASSERT_EQ(lines.size(), subjects + 2) << r.out;  // header, one row each, total
  for (std::size_t i = 1; i <= subjects; ++i) EXPECT_TRUE(lines[i].starts_with("S-")) << lines[i];
  EXPECT_EQ(lines.back(), std::to_string(subjects) + " subjects");
  EXPECT_NE(r.out.find(" " + kNulNameShown + " "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" Bad\\x1b[31mRed\\x1b]0;... "), std::string::npos) << r.out;  // cut to 24, whole escapes
}

TEST_F(UntrustedOutputTest, JsonOutputEscapesControlsAndKeepsEveryByte) {
  // JSON's own escaping (\u0000, \u001b) is exact: a JSON reader gets the provider's bytes back.
  const auto show = RunCommand(Hashtriage() + " subject show " + nul_subject_ + " --json --case " + Q(Case()));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(RawControl(show.out), "");
  EXPECT_NE(show.out.find("Alpha\\u0000Hidden"), std::string::npos) << show.out;
  const auto out = *dir_ / "queue.json";
  ASSERT_EQ(Run("export queue --format json --out " + Q(out)).exit_code, 0);
  const std::string text = ReadText(out);
  EXPECT_EQ(RawControl(text), "");
  const auto names = RunCommand(
      "python3 -c 'import json, sys\n"
      "for s in json.load(open(sys.argv[1]))[\"subjects\"]: print(s[\"display_name\"].encode().hex())' " + Q(out));
  ASSERT_EQ(names.exit_code, 0) << names.err;
  std::vector<std::string> got = SplitLines(names.out), want;
  for (const std::string& name : std::vector<std::string>{kNulName, kEscapesName}) want.push_back(HexOf(name));
  for (const std::string& name : kFormulaNames) want.push_back(HexOf(name));
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST_F(UntrustedOutputTest, QueueTextPrintsNoControl) {
  const auto r = Run("queue");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RawControl(r.out), "") << r.out;
  EXPECT_NE(r.out.find("owner: DC \\x1b[31mRed\\x07\n"), std::string::npos) << r.out;
}

TEST_F(UntrustedOutputTest, QueueCsvNeutralisesEveryFormulaAndHoldsNoControl) {
  const auto out = *dir_ / "queue.csv";
  const auto r = Run("export queue --format csv --out " + Q(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RawControl(ReadText(out)), "");
  const json rows = CsvRows(out);
  ASSERT_TRUE(rows.is_array());
  ASSERT_EQ(rows.size(), 1 + 2 + kFormulaNames.size());
  EXPECT_EQ(FormulaCell(rows), "");
  ASSERT_EQ(rows[0][2], "display_name");
  std::vector<std::string> names;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), rows[0].size()) << rows[i].dump();
    names.push_back(rows[i][2]);
  }
  std::vector<std::string> want = {kNulNameShown, "Bad\\x1b[31mRed\\x1b]0;title\\x07\\nNext"};
  for (const std::string& name : kFormulaNames) want.push_back("'" + name);
  std::sort(names.begin(), names.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
}

TEST_F(UntrustedOutputTest, QueueHtmlHoldsNoControlAndShowsTheWholeName) {
  const auto out = *dir_ / "queue.html";
  ASSERT_EQ(Run("export queue --format html --out " + Q(out)).exit_code, 0);
  const std::string html = ReadText(out);
  EXPECT_EQ(RawControl(html), "");
  EXPECT_NE(html.find(kNulNameShown), std::string::npos);
  EXPECT_NE(html.find("Bad\\x1b[31mRed\\x1b]0;title\\x07\\nNext"), std::string::npos);
  EXPECT_NE(html.find("DC \\x1b[31mRed\\x07"), std::string::npos);
  const auto utf8 = RunCommand("python3 -c 'import sys; open(sys.argv[1], encoding=\"utf-8\").read()' " + Q(out));
  EXPECT_EQ(utf8.exit_code, 0) << utf8.err;
}

TEST_F(UntrustedOutputTest, ErrorMessagesShowFileNamesEscaped) {
  const auto missing = *dir_ / "no\x1b[31m\nsuch.jsonl";
  const auto r = Run("intake --index " + Q(Index()) + " " + Q(missing));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(RawControl(r.err), "") << r.err;
  EXPECT_NE(r.err.find("no\\x1b[31m\\nsuch.jsonl"), std::string::npos) << r.err;
  const auto unknown = Read("subject show 'S-9\x1b[2J'");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_EQ(RawControl(unknown.err), "") << unknown.err;
  EXPECT_NE(unknown.err.find("S-9\\x1b[2J"), std::string::npos) << unknown.err;
}

// A seized folder whose file names are formulas or hold controls (all legal on Linux), in a folder
// whose own name holds a window-title sequence: scan text, kiosk screen and `export files --format csv`.
class UntrustedFileNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(Evidence());
    for (const std::string& name : Names()) WriteText(Evidence() / name, "benign file " + name + "\n");
  }
  static std::vector<std::string> Names() {
    return {"=HYPERLINK(\"http:x\").txt", "+cmd.txt", "-2+3.txt", "@SUM(1).txt", " =1.txt", "\x1b[31mred.txt",
            "new\nline.txt", "tab\tname.txt", "bell\x07.txt", "del\x7f.txt", "c1\xc2\x9b" "2J.txt", "bad\xff.txt"};
  }
  std::filesystem::path Evidence() const { return dir_ / "ev\x1b]0;title\x07"; }
  std::string Scan(const std::string& c, const std::string& extra) {
    const auto r =
        RunCommand(Hashtriage() + " scan --no-index --case " + Q(dir_ / c) + " " + extra + " " + Q(Evidence()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(RawControl(r.err), "") << r.err;
    return r.out;
  }
  TempDir dir_;
};

TEST_F(UntrustedFileNamesTest, ScanSummaryAndKioskShowTheSourceEscaped) {
  for (const std::string extra : {"", "--kiosk"}) {
    const std::string out = Scan(extra.empty() ? "case" : "kiosk-case", extra);
    EXPECT_EQ(RawControl(out), "") << extra << "\n" << out;
    EXPECT_NE(out.find("ev\\x1b]0;title\\x07"), std::string::npos) << out;
  }
}

TEST_F(UntrustedFileNamesTest, ExportFilesCsvNeutralisesFormulaNamesAndHoldsNoControl) {
  Scan("case", "");
  const auto out = dir_ / "files.csv";
  const auto r =
      RunCommand(Hashtriage() + " export files --format csv --case " + Q(dir_ / "case") + " --out " + Q(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RawControl(ReadText(out)), "");
  const json rows = CsvRows(out);
  ASSERT_TRUE(rows.is_array());
  ASSERT_EQ(rows.size(), 1 + Names().size());
  EXPECT_EQ(FormulaCell(rows), "");
  ASSERT_EQ(rows[0][2], "original_path");
  ASSERT_EQ(rows[0][4], "size");
  std::vector<std::string> got, sizes, want_sizes;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), rows[0].size()) << rows[i].dump();
    got.push_back(rows[i][2]);
    sizes.push_back(rows[i][4]);  // a number hashtriage measured: written as the number
  }
  for (const std::string& name : Names()) want_sizes.push_back(std::to_string(("benign file " + name + "\n").size()));
  std::sort(sizes.begin(), sizes.end());
  std::sort(want_sizes.begin(), want_sizes.end());
  EXPECT_EQ(sizes, want_sizes);
  // Evidence paths already percent-encode C0 controls, DEL and bytes that are not UTF-8 (ingest/provenance.h);
  // C1 controls, which are valid UTF-8, reach the CSV in their terminal form.
  std::vector<std::string> want = {"'=HYPERLINK(\"http:x\").txt", "'+cmd.txt", "'-2+3.txt", "'@SUM(1).txt", "' =1.txt",
                                   "%1B[31mred.txt", "new%0Aline.txt", "tab%09name.txt", "bell%07.txt",
                                   "del%7F.txt", "c1\\u009b2J.txt", "bad%FF.txt"};
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace hashtriage::testing

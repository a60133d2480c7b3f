// Index updates reach finished work: a scan re-run after `index import` re-matches from the stored
// query hashes (and says so), the kiosk's counts follow, and `hashtriage rematch` re-matches every
// evidence item and referral of a case without reading the evidence, reports hits gained and lost,
// re-scores the subjects and is audited. Regression tests for the issue "Results an examiner can rely
// on", defect 2 (after an import, a re-run scan said "nothing to do" and referrals were never
// re-matched).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/engine/subjects_test_util.h"
#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RematchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    faces_ = TestDataDir() / "photos/gnome-faces";
    evidence_ = dir_ / "phone";
    fs::create_directories(evidence_ / "DCIM");
    fs::copy_file(faces_ / "astronaut.jpg", evidence_ / "DCIM/a.jpg");
    fs::copy_file(faces_ / "cat.jpg", evidence_ / "DCIM/b.jpg");
    Import("first", {faces_ / "book.jpg"}, "A");  // matches nothing on the phone
  }
  CommandResult Run(const std::string& args) {
    return RunCommand(Bin() + " " + args + " --case " + Q(dir_ / "case") + " --index " + Q(dir_ / "index"));
  }
  void Import(const std::string& set, const std::vector<fs::path>& photos, const std::string& category) {
    std::string list;
    for (const auto& p : photos) list += Md5Of(p) + "  " + p.filename().string() + "\n";
    WriteText(dir_ / (set + ".md5"), list);
    const auto r = RunCommand(Bin() + " index import --index " + Q(dir_ / "index") + " --set " + set +
                              " --format md5sum --category " + category + " " + Q(dir_ / (set + ".md5")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Evidence reads of the phone's files: the rematch must not open them (strace counts opens).
  std::size_t EvidenceOpens(const std::string& args) {
    const auto r = RunCommand("strace -f -e trace=open,openat -o " + Q(dir_ / "trace") + " " + Bin() + " " + args +
                              " --case " + Q(dir_ / "case") + " --index " + Q(dir_ / "index") + " >/dev/null 2>&1");
    (void)r;
    std::size_t opens = 0;
    for (const auto& line : SplitLines(RunCommand("cat " + Q(dir_ / "trace")).out)) {
      if (line.find((evidence_ / "DCIM").string()) != std::string::npos) ++opens;
    }
    return opens;
  }

  TempDir dir_;
  fs::path faces_, evidence_;
};

TEST_F(RematchTest, ARescanAfterAnIndexUpdateRematchesAndSaysSo) {
  const auto first = Run("scan --kiosk " + Q(evidence_));
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("exact matches:  0"), std::string::npos) << first.out;
  Import("update", {faces_ / "cat.jpg"}, "B");

  const auto again = Run("scan " + Q(evidence_));
  EXPECT_EQ(again.exit_code, 10) << again.err;
  EXPECT_EQ(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("the index changed since: re-matched"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("re-matched: 1 hit(s) gained, 0 lost, 1 file record(s) changed"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("B                        exact      1"), std::string::npos) << again.out;
  // The kiosk reports the new counts for the same phone, and refers it.
  const auto kiosk = Run("scan --kiosk " + Q(evidence_));
  EXPECT_EQ(kiosk.exit_code, 10) << kiosk.out;
  EXPECT_NE(kiosk.out.find("exact matches:  1"), std::string::npos) << kiosk.out;
  // The exported record carries the new hit.
  const auto files = RunCommand(Bin() + " export files --hits-only --case " + Q(dir_ / "case"));
  ASSERT_EQ(SplitLines(files.out).size(), 1u) << files.out;
  const json record = json::parse(SplitLines(files.out)[0]);
  EXPECT_EQ(record["md5"], Md5Of(faces_ / "cat.jpg"));
  EXPECT_EQ(record["hits"][0]["set"], "update");
  EXPECT_EQ(record["hits"][0]["category"], "B");
}

TEST_F(RematchTest, RematchGainsAndLosesHitsWithoutReadingTheEvidence) {
  ASSERT_EQ(Run("scan --subject SUSPECT-1 " + Q(evidence_)).exit_code, 0);
  const auto clean = Run("rematch");
  EXPECT_EQ(clean.exit_code, 0) << "nothing in the case matches: " << clean.out << clean.err;
  EXPECT_EQ(clean.out.find("Known indecent material"), std::string::npos) << clean.out;
  // A referral whose file becomes known later.
  WriteJsonLines(dir_ / "tips.jsonl",
                 {CybertipReport({.id = "R1", .account = "9", .emails = {"x@example.org"}, .md5s = {Md5Of(faces_ / "astronaut.jpg")}})});
  const auto intake = Run("intake --now 2026-11-21T08:00:00Z " + Q(dir_ / "tips.jsonl"));
  ASSERT_EQ(intake.exit_code, 0) << intake.err;
  Import("update", {faces_ / "astronaut.jpg", faces_ / "cat.jpg"}, "A");

  EXPECT_EQ(EvidenceOpens("rematch"), 0u) << "rematch reads stored hashes, never the evidence";
  // That run re-matched already; import again to see a fresh re-match with its report.
  Import("update", {faces_ / "cat.jpg"}, "C");  // astronaut leaves the set; cat changes category
  const auto r = Run("rematch --json");
  ASSERT_EQ(r.exit_code, 10) << "cat still matches (category C): known material, as a scan would say" << r.err;
  const json report = json::parse(r.out);
  ASSERT_EQ(report["evidence"].size(), 1u);
  const json& e = report["evidence"][0];
  EXPECT_EQ(e["files_examined"], 2);
  EXPECT_EQ(e["hits_lost"], 1);    // astronaut's A
  EXPECT_EQ(e["files_changed"], 2);  // astronaut lost its hit, cat's category changed
  EXPECT_EQ(e["files_with_hits"], 1);
  ASSERT_EQ(report["referrals"].size(), 1u);
  EXPECT_EQ(report["referrals"][0]["hits_lost"], 1);
  // Both subjects changed and were re-scored.
  EXPECT_EQ(report["subjects"].size(), 2u);
  const auto status = json::parse(RunCommand(Bin() + " case status --json --case " + Q(dir_ / "case")).out);
  EXPECT_EQ(status["evidence"][0]["categories"]["C"]["exact"], 1);
  EXPECT_FALSE(status["evidence"][0]["categories"].contains("A"));
  EXPECT_EQ(status["evidence"][0]["index"]["sha256"], report["index"]["sha256"]);
  const auto text = Run("rematch");
  EXPECT_EQ(text.exit_code, 10) << text.err;
  EXPECT_NE(text.out.find("Known indecent material is in this case: 1 evidence file(s) match the index now"),
            std::string::npos) << text.out;
  // Audited, and the chain holds.
  const auto audit = RunCommand(Bin() + " audit show --json --case " + Q(dir_ / "case"));
  EXPECT_NE(audit.out.find("\"action\":\"rematch\""), std::string::npos) << audit.out;
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(dir_ / "case")).exit_code, 0);
  // The referral's subject lost its only hit: its profile shows none.
  const auto subjects = json::parse(RunCommand(Bin() + " subject list --json --case " + Q(dir_ / "case")).out);
  for (const auto& s : subjects["subjects"]) {
    if (s["referrals"] == 1) {
      EXPECT_EQ(s["referral_hits"], 0) << s.dump();
    }
  }
}

}  // namespace
}  // namespace hashtriage::testing

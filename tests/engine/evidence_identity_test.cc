// Evidence is recognised by its content, never by its path: the kiosk officer's second phone
// extracted to the same folder, a disk image replaced at the same path, several devices in one kiosk
// run. Regression tests for the issue "Results an examiner can rely on", defect 1 (a second device at
// the same path read "exact matches: 0", exit 0, and "verified unchanged: yes").
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/engine/subjects_test_util.h"
#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class EvidenceIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path faces = TestDataDir() / "photos/gnome-faces";
    known_ = faces / "astronaut.jpg";
    clean_ = faces / "cat.jpg";
    WriteText(dir_ / "known.md5", Md5Of(known_) + "  known.jpg\n");
    const auto imported = Run("index import --index " + Q(Index()) + " --set caid --format md5sum --category A " +
                              Q(dir_ / "known.md5"));
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  fs::path Index() const { return dir_ / "index"; }
  fs::path Case() const { return dir_ / "case"; }
  CommandResult Run(const std::string& args) { return RunCommand(Bin() + " " + args); }
  CommandResult Scan(const std::string& sources, const std::string& extra = "") {
    return Run("scan --case " + Q(Case()) + " --index " + Q(Index()) + " " + extra + " " + sources);
  }
  // A phone extraction at `mnt` holding exactly `photos`.
  void Extraction(const fs::path& mnt, const std::vector<fs::path>& photos) {
    fs::remove_all(mnt);
    fs::create_directories(mnt / "DCIM");
    int i = 0;
    for (const auto& p : photos) fs::copy_file(p, mnt / "DCIM" / ("IMG_" + std::to_string(i++) + ".jpg"));
  }
  json Status() {
    const auto r = Run("case status --json --case " + Q(Case()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  TempDir dir_;
  fs::path known_, clean_;
};

TEST_F(EvidenceIdentityTest, ASecondPhoneAtTheSamePathIsNewEvidenceAndItsMatchesAreFound) {
  const fs::path mnt = dir_ / "mnt";
  Extraction(mnt, {clean_});
  const auto first = Scan(Q(mnt), "--kiosk");
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("Known indecent images, exact matches:  0"), std::string::npos) << first.out;

  // The next phone, extracted to the same folder, holds a known image.
  Extraction(mnt, {known_, clean_});
  const auto second = Scan(Q(mnt), "--kiosk");
  EXPECT_EQ(second.exit_code, 10) << second.out << second.err;
  EXPECT_NE(second.out.find("Known indecent images, exact matches:  1"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("category A"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("REFER TO THE SPECIALIST UNIT NOW"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("checked on"), std::string::npos) << "no earlier result reused: " << second.out;

  const json status = Status();
  ASSERT_EQ(status["evidence"].size(), 2u);
  EXPECT_EQ(status["evidence"][0]["files_with_hits"], 0);
  EXPECT_EQ(status["evidence"][1]["files_with_hits"], 1);
  EXPECT_EQ(status["evidence"][1]["files"], 2);
  EXPECT_NE(status["evidence"][0]["fingerprint"]["id"], status["evidence"][1]["fingerprint"]["id"]);
  EXPECT_NE(status["evidence"][0]["id"], status["evidence"][1]["id"]) << "two devices never share an evidence id";
}

TEST_F(EvidenceIdentityTest, ANormalRescanOfOtherContentIsNotSaidToBeDoneOrVerified) {
  const fs::path mnt = dir_ / "mnt";
  Extraction(mnt, {clean_});
  ASSERT_EQ(Scan(Q(mnt)).exit_code, 0);
  Extraction(mnt, {known_});
  const auto again = Scan(Q(mnt));
  EXPECT_EQ(again.exit_code, 10) << again.err;
  EXPECT_EQ(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("evidence 2 "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("new content at this path: evidence 1"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("A                        exact      1"), std::string::npos) << again.out;
  // The same content again: done before, said so, and not claimed verified now (it was not read).
  const auto third = Scan(Q(mnt));
  EXPECT_NE(third.out.find("nothing to do"), std::string::npos) << third.out;
  EXPECT_EQ(third.out.find("verified unchanged at the end"), std::string::npos) << third.out;
  EXPECT_NE(third.out.find("not read in this run"), std::string::npos) << third.out;
}

TEST_F(EvidenceIdentityTest, ADiskImageReplacedAtTheSamePathGetsItsOwnHash) {
  const fs::path image = dir_ / "phone.zip";
  auto zip = [&](const fs::path& photo) {
    fs::remove(image);
    ASSERT_EQ(RunCommand("cd " + Q(photo.parent_path()) + " && zip -q " + Q(image) + " " + Q(photo.filename())).exit_code, 0);
  };
  zip(clean_);
  const std::string first_md5 = RunCommand("md5sum " + Q(image)).out.substr(0, 32);
  const auto first = Scan(Q(image));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("md5 " + first_md5), std::string::npos) << first.out;
  zip(known_);
  const std::string second_md5 = RunCommand("md5sum " + Q(image)).out.substr(0, 32);
  ASSERT_NE(first_md5, second_md5);
  const auto second = Scan(Q(image));
  ASSERT_EQ(second.exit_code, 10) << second.err;
  EXPECT_NE(second.out.find("md5 " + second_md5), std::string::npos) << "the new image's own hash: " << second.out;
  EXPECT_EQ(second.out.find("md5 " + first_md5), std::string::npos) << second.out;
  const json status = Status();
  ASSERT_EQ(status["evidence"].size(), 2u);
  EXPECT_EQ(status["evidence"][0]["integrity"]["md5"], first_md5);
  EXPECT_EQ(status["evidence"][1]["integrity"]["md5"], second_md5);
}

TEST_F(EvidenceIdentityTest, AKioskRunOverSeveralDevicesGivesOneVerdictEach) {
  const fs::path a = dir_ / "phone-a", b = dir_ / "phone-b";
  Extraction(a, {clean_});
  Extraction(b, {known_});
  const auto r = Scan(Q(a) + " " + Q(b), "--kiosk");
  EXPECT_EQ(r.exit_code, 10) << r.out << r.err;
  // One verdict per device, each with its own counts and next step; the screen says when, which case,
  // which content (fingerprint) and which hash sets.
  const auto at_a = r.out.find("Device / source:   " + a.string());
  const auto at_b = r.out.find("Device / source:   " + b.string());
  ASSERT_NE(at_a, std::string::npos) << r.out;
  ASSERT_NE(at_b, std::string::npos) << r.out;
  ASSERT_LT(at_a, at_b);
  const std::string verdict_a = r.out.substr(at_a, at_b - at_a), verdict_b = r.out.substr(at_b);
  EXPECT_NE(verdict_a.find("exact matches:  0"), std::string::npos) << verdict_a;
  EXPECT_NE(verdict_a.find("no known material found"), std::string::npos) << verdict_a;
  EXPECT_NE(verdict_b.find("exact matches:  1"), std::string::npos) << verdict_b;
  EXPECT_NE(verdict_b.find("REFER TO THE SPECIALIST UNIT NOW"), std::string::npos) << verdict_b;
  const json status = Status();
  ASSERT_EQ(status["evidence"].size(), 2u);
  for (const auto& e : status["evidence"]) {
    const std::string fingerprint = e["fingerprint"]["id"];
    EXPECT_NE(r.out.find("content fingerprint " + fingerprint), std::string::npos) << r.out;
  }
  EXPECT_NE(r.out.find("Date and time:"), std::string::npos);
  EXPECT_NE(r.out.find("Case:              " + Case().string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("caid (generation"), std::string::npos) << "the index's sets are listed: " << r.out;
}

// Defect 3 (kiosk part): a match in a set whose category was not recorded is known material all the
// same — it read "no known material", exit 0.
TEST_F(EvidenceIdentityTest, AMatchInASetOfUnrecordedCategoryIsReferredForReview) {
  WriteText(dir_ / "other.md5", Md5Of(clean_) + "  other.jpg\n");
  const auto imported = Run("index import --index " + Q(Index()) + " --set seized --format md5sum --category unknown " +
                            Q(dir_ / "other.md5"));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const fs::path mnt = dir_ / "mnt";
  Extraction(mnt, {clean_});
  const auto r = Scan(Q(mnt), "--kiosk");
  EXPECT_EQ(r.exit_code, 10) << r.out;
  EXPECT_NE(r.out.find("Known material, category not recorded (specialist review): 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("REFER TO THE SPECIALIST UNIT NOW"), std::string::npos) << r.out;
  // It is not called indecent: nobody graded it.
  EXPECT_NE(r.out.find("Known material whose category is not recorded was found"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Known indecent material was found"), std::string::npos) << r.out;
}

TEST_F(EvidenceIdentityTest, IgnorableMatchesNeverMakeAKnownMaterialVerdict) {
  WriteText(dir_ / "nsrl.md5", Md5Of(clean_) + "  os-wallpaper.jpg\n");
  ASSERT_EQ(Run("index import --index " + Q(Index()) + " --set nsrl --format md5sum --category ignorable " +
                Q(dir_ / "nsrl.md5")).exit_code, 0);
  const fs::path mnt = dir_ / "mnt";
  Extraction(mnt, {clean_});
  const auto r = Scan(Q(mnt), "--kiosk");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Known ordinary software files:       1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no known material found"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hashtriage::testing

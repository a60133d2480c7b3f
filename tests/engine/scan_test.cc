// The evidence scan end to end through the real executable: matches (exact and near, rotated and
// mirrored copies), resume after SIGKILL at several points giving the same records as an
// uninterrupted run, 1 thread vs 2 giving identical records, evidence left untouched, kiosk exit codes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage {
namespace {

using testing::RunCommand;
using testing::Bin;
using testing::Q;

class ScanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto photos = testing::TestDataDir() / "photos";
    const auto ev = *dir_ / "evidence";
    std::filesystem::create_directories(ev / "DCIM" / "nested");
    // Known exactly (by MD5): baboon. Known perceptually: chelsea (query side gets a mirrored and
    // a rotated copy). Unknown: the rest. Duplicates and a zip exercise dedupe and archives.
    std::filesystem::copy_file(photos / "opencv/baboon.jpg", ev / "DCIM/IMG_0001.jpg");
    std::filesystem::copy_file(photos / "opencv/baboon.jpg", ev / "DCIM/nested/copy.jpg");
    std::filesystem::copy_file(photos / "scratch/kitchen.jpg", ev / "DCIM/IMG_0002.jpg");
    std::filesystem::copy_file(photos / "skimage/coffee.png", ev / "coffee.png");
    ASSERT_EQ(RunCommand("convert " + Q(photos / "skimage/chelsea.png") + " -flop -quality 90 " + Q(ev / "DCIM/mirror.jpg")).exit_code, 0);
    ASSERT_EQ(RunCommand("convert " + Q(photos / "skimage/chelsea.png") + " -rotate 90 " + Q(ev / "rotated.png")).exit_code, 0);
    testing::WriteText(ev / "notes.txt", "shopping list\n");
    ASSERT_EQ(RunCommand("cd " + Q(ev) + " && zip -q archive.zip coffee.png notes.txt").exit_code, 0);
    for (int i = 0; i < 40; ++i) testing::WriteText(ev / ("filler" + std::to_string(i) + ".txt"), std::string(100 + i, 'a' + i % 26));

    index_ = *dir_ / "index";
    const auto md5 = RunCommand("md5sum " + Q(photos / "opencv/baboon.jpg")).out.substr(0, 32);
    testing::WriteText(*dir_ / "known.md5", md5 + "  baboon\n");
    const auto pdq = RunCommand(Bin() + " hash --pdq " + Q(photos / "skimage/chelsea.png")).out.substr(0, 64);
    testing::WriteText(*dir_ / "known.pdq", pdq + ",100,chelsea\n");
    ASSERT_EQ(RunCommand(Bin() + " index import --index " + Q(index_) + " --set test-a --format md5sum --category A " + Q(*dir_ / "known.md5")).exit_code, 0);
    ASSERT_EQ(RunCommand(Bin() + " index import --index " + Q(index_) + " --set test-b --format pdq --category B " + Q(*dir_ / "known.pdq")).exit_code, 0);
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::filesystem::path Evidence() { return *dir_ / "evidence"; }

  // Scans into a fresh case and returns the exported records.
  static std::string ScanAndExport(const std::string& name, const std::string& extra = "") {
    const auto c = *dir_ / name;
    const auto run = RunCommand(Bin() + " scan --case " + Q(c) + " --index " + Q(index_) + " " + extra + " " + Q(Evidence()));
    EXPECT_EQ(run.exit_code, 10) << run.err;
    return RunCommand(Bin() + " export files --case " + Q(c)).out;
  }

  static testing::TempDir* dir_;
  static std::filesystem::path index_;
};
testing::TempDir* ScanTest::dir_ = nullptr;
std::filesystem::path ScanTest::index_;

TEST_F(ScanTest, FindsExactAndNearMatchesIncludingMirroredAndRotatedCopies) {
  const std::string records = ScanAndExport("case-matches");
  std::map<std::string, nlohmann::json> by_path;  // by original path, directory items only
  bool found_in_zip = false;
  for (const auto& line : testing::SplitLines(records)) {
    auto j = nlohmann::json::parse(line);
    if (j["inside_archive"].get<bool>()) {
      found_in_zip |= j["original_path"] == "coffee.png" && j["path"].get<std::string>().find("archive.zip") != std::string::npos;
    } else {
      by_path[j["original_path"]] = j;
    }
  }
  ASSERT_TRUE(by_path.count("DCIM/IMG_0001.jpg"));
  EXPECT_EQ(by_path["DCIM/IMG_0001.jpg"]["hits"][0]["kind"], "md5");
  EXPECT_EQ(by_path["DCIM/IMG_0001.jpg"]["hits"][0]["category"], "A");
  EXPECT_EQ(by_path["DCIM/nested/copy.jpg"]["hits"][0]["category"], "A");
  ASSERT_FALSE(by_path["DCIM/mirror.jpg"]["hits"].empty());
  // The DCT-sign dihedral hash ("pdq") or the physically re-oriented one ("pdq-reoriented"), closest wins.
  const std::string mirror_kind = by_path["DCIM/mirror.jpg"]["hits"][0]["kind"];
  EXPECT_TRUE(mirror_kind == "pdq" || mirror_kind == "pdq-reoriented") << mirror_kind;
  EXPECT_NE(by_path["DCIM/mirror.jpg"]["hits"][0]["orientation"], "original");
  EXPECT_EQ(by_path["DCIM/mirror.jpg"]["hits"][0]["category"], "B");
  EXPECT_LE(by_path["DCIM/mirror.jpg"]["hits"][0]["distance"].get<int>(), 31);
  ASSERT_FALSE(by_path["rotated.png"]["hits"].empty());
  EXPECT_NE(by_path["rotated.png"]["hits"][0]["orientation"], "original");
  EXPECT_TRUE(by_path["DCIM/IMG_0002.jpg"]["hits"].empty());
  EXPECT_TRUE(by_path["coffee.png"]["hits"].empty());
  // Archive entries are scanned with provenance through the archive.
  EXPECT_TRUE(found_in_zip);
  // Digests in the records are the coreutils ones.
  EXPECT_EQ(by_path["DCIM/IMG_0002.jpg"]["md5"],
            RunCommand("md5sum " + Q(Evidence() / "DCIM/IMG_0002.jpg")).out.substr(0, 32));
}

TEST_F(ScanTest, OneThreadAndTwoThreadsGiveIdenticalRecords) {
  EXPECT_EQ(ScanAndExport("case-t1", "--threads 1"), ScanAndExport("case-t2", "--threads 2"));
}

TEST_F(ScanTest, KilledScanResumesToTheSameRecordsAsAnUninterruptedOne) {
  const std::string expected = ScanAndExport("case-reference");
  const auto c = *dir_ / "case-killed";
  const std::string args = " scan --case " + Q(c) + " --index " + Q(index_) + " " + Q(Evidence());
  const std::string scan = Bin() + args;
  // Commit every 4 records; die at several points (before and after commits), resuming each time.
  for (int kill_at : {0, 3, 9, 10, 27}) {
    const auto run = RunCommand("HASHTRIAGE_TEST_KILL_AT_ITEM=" + std::to_string(kill_at) +
                                " HASHTRIAGE_TEST_COMMIT_EVERY=4 " + testing::DriverBin() + args);
    EXPECT_EQ(run.exit_code, 128 + 9) << "kill at " << kill_at << ": " << run.err;
  }
  const auto resumed = RunCommand(scan);
  EXPECT_EQ(resumed.exit_code, 10) << resumed.err;
  EXPECT_NE(resumed.out.find("resumed"), std::string::npos) << resumed.out;
  EXPECT_EQ(RunCommand(Bin() + " export files --case " + Q(c)).out, expected);
  // Running a finished scan again is a no-op that says so.
  const auto again = RunCommand(scan);
  EXPECT_EQ(again.exit_code, 10);
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_EQ(RunCommand(Bin() + " export files --case " + Q(c)).out, expected);
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);
}

TEST_F(ScanTest, EvidenceBytesAndTimesAreUnchanged) {
  auto hashes = [&] { return RunCommand("cd " + Q(Evidence()) + " && find . -type f | sort | xargs md5sum").out; };
  auto times = [&] {
    std::string s;
    for (const auto& f : testing::FilesUnder(Evidence())) {
      struct stat st;
      ::stat(f.c_str(), &st);
      s += f.string() + " m" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " a" +
           std::to_string(st.st_atim.tv_sec) + "." + std::to_string(st.st_atim.tv_nsec) + "\n";
    }
    return s;
  };
  const std::string hashes_before = hashes();
  // Access times older than the modification times: with relatime (the Linux default) any ordinary
  // read would now update them, so unchanged atimes show the scan opened files with O_NOATIME.
  ASSERT_EQ(RunCommand("cd " + Q(Evidence()) + " && find . -type f -exec touch -a -d '2001-02-03 04:05:06' {} +").exit_code, 0);
  const std::string times_before = times();
  ScanAndExport("case-integrity");
  EXPECT_EQ(times(), times_before);
  EXPECT_EQ(hashes(), hashes_before);
}

TEST_F(ScanTest, KioskExitCodesAndPlainVerdict) {
  const auto hit = RunCommand(Bin() + " scan --kiosk --case " + Q(*dir_ / "kiosk1") + " --index " + Q(index_) + " " +
                              Q(Evidence()));
  EXPECT_EQ(hit.exit_code, 10) << hit.err;
  EXPECT_NE(hit.out.find("REFER TO THE SPECIALIST UNIT"), std::string::npos);
  EXPECT_EQ(hit.out.find(".jpg"), std::string::npos) << "kiosk screen must not list file names";
  testing::TempDir clean;
  std::filesystem::copy_file(testing::TestDataDir() / "photos/skimage/camera.png", clean / "a.png");
  const auto none = RunCommand(Bin() + " scan --kiosk --case " + Q(*dir_ / "kiosk2") + " --index " + Q(index_) + " " +
                               Q(clean.path()));
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("no known material found"), std::string::npos);
  testing::WriteText(clean / "broken.jpg", "");
  std::filesystem::copy_file(testing::TestDataDir() / "bad/truncated.jpg", clean / "truncated.jpg");
  const auto errors = RunCommand(Bin() + " scan --kiosk --case " + Q(*dir_ / "kiosk3") + " --index " + Q(index_) + " " +
                                 Q(clean.path()));
  EXPECT_EQ(errors.exit_code, 1) << errors.out;
  EXPECT_NE(errors.out.find("could not be read:          1"), std::string::npos) << errors.out;
}

// Not only the kiosk: every scan's exit status says known material (10) before errors (1), so a
// script that reads only the status never takes a scan that found something for "nothing found".
TEST_F(ScanTest, EveryScanExitsTenOnKnownMaterialEvenWithErrorsAndOneOnErrorsAlone) {
  auto plain = [&](const std::string& name, const std::filesystem::path& evidence, const std::string& extra = "") {
    return RunCommand(Bin() + " scan " + extra + " --case " + Q(*dir_ / name) + " --index " + Q(index_) + " " + Q(evidence));
  };
  testing::TempDir clean, known_and_broken;
  std::filesystem::copy_file(testing::TestDataDir() / "photos/skimage/camera.png", clean / "a.png");
  EXPECT_EQ(plain("exit-clean", clean.path()).exit_code, 0);
  EXPECT_EQ(plain("exit-clean-json", clean.path(), "--json").exit_code, 0);
  EXPECT_EQ(plain("exit-known", Evidence()).exit_code, 10);
  EXPECT_EQ(plain("exit-known-json", Evidence(), "--json").exit_code, 10);
  std::filesystem::copy_file(testing::TestDataDir() / "bad/truncated.jpg", clean / "truncated.jpg");
  const auto broken = plain("exit-broken", clean.path());
  EXPECT_EQ(broken.exit_code, 1) << broken.out;
  std::filesystem::copy(Evidence(), known_and_broken.path(), std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(testing::TestDataDir() / "bad/truncated.jpg", known_and_broken / "truncated.jpg");
  const auto both = plain("exit-both", known_and_broken.path());
  EXPECT_EQ(both.exit_code, 10) << both.out;
  EXPECT_NE(both.out.find("errors"), std::string::npos) << both.out;
  // Without an index nothing can be known: errors alone decide.
  const auto unmatched = RunCommand(Bin() + " scan --no-index --case " + Q(*dir_ / "exit-no-index") + " " + Q(known_and_broken.path()));
  EXPECT_EQ(unmatched.exit_code, 1) << unmatched.out;
}

TEST_F(ScanTest, CaseDirectoryIsPrivateAndGroupWritableCaseIsRefused) {
  ScanAndExport("case-perms");
  struct stat st;
  ASSERT_EQ(::stat((*dir_ / "case-perms").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ::chmod((*dir_ / "case-perms").c_str(), 0770);
  const auto run = RunCommand(Bin() + " case status --case " + Q(*dir_ / "case-perms"));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("writable by group or others"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace hashtriage

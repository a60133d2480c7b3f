// Evidence integrity: disk images (raw and E01) are only ever opened read-only (every open the scan
// makes is traced with strace), their bytes, mtimes and atimes are unchanged by a scan, the evidence's
// own hash is recorded when the scan starts and verified when it ends, and evidence that changes
// between the start and the end of a scan (even across a kill and resume) makes the scan fail loudly.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "engine/scan/evidence_fingerprint.h"
#include "tests/reliability/reliability_util.h"

namespace hashtriage::reliability {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;

std::string StatLine(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return std::to_string(st.st_size) + " m" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) +
         " a" + std::to_string(st.st_atim.tv_sec) + "." + std::to_string(st.st_atim.tv_nsec);
}

nlohmann::json EvidenceRecord(const fs::path& case_dir, int number) {
  const auto status = RunCommand(Bin() + " case status --json --case " + Q(case_dir));
  const auto parsed = nlohmann::json::parse(status.out);
  for (const auto& e : parsed["evidence"]) {
    if (e["number"] == number) return e;
  }
  return nullptr;
}

class EvidenceIntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A FAT image holding two photos, one of them deleted, and its E01 acquisition.
    const fs::path photos = testing::TestDataDir() / "photos/skimage";
    disk_ = dir_ / "disk.img";
    ASSERT_EQ(RunCommand("mkfs.fat -C " + Q(disk_) + " 4096 >/dev/null && mcopy -i " + Q(disk_) + " " +
                         Q(photos / "camera.png") + " ::/a.png && mcopy -i " + Q(disk_) + " " + Q(photos / "coins.png") +
                         " ::/b.png && mdel -i " + Q(disk_) + " ::/b.png").exit_code, 0);
    ASSERT_EQ(RunCommand("cd " + Q(dir_.path()) + " && ewfacquire -u -t acquired -f encase6 disk.img >/dev/null 2>&1").exit_code, 0);
    e01_ = dir_ / "acquired.E01";
    ASSERT_TRUE(fs::exists(e01_));
    zip_ = dir_ / "photos.zip";
    ASSERT_EQ(RunCommand("cd " + Q(photos) + " && zip -q " + Q(zip_) + " camera.png coins.png").exit_code, 0);
    // Access times older than modification times: any ordinary read would now update them (relatime).
    ASSERT_EQ(RunCommand("touch -a -d '2001-02-03 04:05:06' " + Q(disk_) + " " + Q(e01_) + " " + Q(zip_)).exit_code, 0);
  }

  testing::TempDir dir_;
  fs::path disk_, e01_, zip_;
};

TEST_F(EvidenceIntegrityTest, DiskImagesAreOpenedReadOnlyAndLeftUnchanged) {
  for (const fs::path& image : {disk_, e01_}) {
    SCOPED_TRACE(image.string());
    // The checksum first, then access times reset older than the mtimes, so that any read without
    // O_NOATIME from now on would update them (relatime).
    const std::string md5_before = RunCommand("md5sum " + Q(image)).out;
    ASSERT_EQ(RunCommand("touch -a -d '2001-02-03 04:05:06' " + Q(image)).exit_code, 0);
    const std::string before = StatLine(image);
    const fs::path trace = dir_ / (image.filename().string() + ".strace");
    const auto run = RunCommand(kNoLeakCheckUnderTrace + "strace -f -qq -e trace=%file -o " + Q(trace) + " " + Bin() + " scan --no-index --case " +
                                Q(dir_ / ("case-" + image.filename().string())) + " " + Q(image));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    // Every open of the evidence by any thread: read-only, never created, truncated or written.
    int opens = 0;
    for (const auto& line : testing::SplitLines(RunCommand("cat " + Q(trace)).out)) {
      if (line.find("\"" + image.string() + "\"") == std::string::npos) continue;
      if (line.find("open") == std::string::npos) continue;
      ++opens;
      EXPECT_NE(line.find("O_RDONLY"), std::string::npos) << line;
      for (const char* flag : {"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"}) {
        EXPECT_EQ(line.find(flag), std::string::npos) << line;
      }
    }
    EXPECT_GT(opens, 0) << "strace saw no open of the evidence";
    EXPECT_EQ(StatLine(image), before) << "size, mtime or atime changed";
    EXPECT_EQ(RunCommand("md5sum " + Q(image)).out, md5_before);
  }
  // The scan found the deleted file too: the image was really read.
  const auto records = ExportRecords(dir_ / "case-disk.img");
  bool deleted = false;
  for (const auto& r : records) deleted = deleted || (r["deleted"] == true && r["md5"].is_string());
  EXPECT_TRUE(deleted);
}

TEST_F(EvidenceIntegrityTest, EvidenceHashIsRecordedAtTheStartAndVerifiedAtTheEnd) {
  const auto run = RunCommand(Bin() + " scan --no-index --case " + Q(dir_ / "case") + " " + Q(zip_) + " " + Q(e01_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("verified unchanged at the end: yes"), std::string::npos) << run.out;
  const auto zip = EvidenceRecord(dir_ / "case", 1);
  ASSERT_TRUE(zip.is_object());
  EXPECT_EQ(zip["integrity"]["md5"], RunCommand("md5sum " + Q(zip_)).out.substr(0, 32));
  EXPECT_EQ(zip["integrity"]["sha1"], RunCommand("sha1sum " + Q(zip_)).out.substr(0, 40));
  EXPECT_EQ(zip["fingerprint"]["kind"], "file");
  EXPECT_EQ(zip["fingerprint"]["size"], fs::file_size(zip_));
  // The whole (small) file is its head and tail: the fingerprint's hash is its SHA-256.
  EXPECT_EQ(zip["fingerprint"]["head_tail_sha256"], RunCommand("sha256sum " + Q(zip_)).out.substr(0, 64));
  EXPECT_EQ(zip["verified_at_end"]["state"], "yes");
  EXPECT_EQ(zip["verified_at_end"]["method"], "metadata+rehash");
  // The E01's hash is that of the acquired media (the raw image), and equals the hashes stored in it.
  const auto e01 = EvidenceRecord(dir_ / "case", 2);
  ASSERT_TRUE(e01.is_object());
  EXPECT_EQ(e01["integrity"]["md5"], RunCommand("md5sum " + Q(disk_)).out.substr(0, 32));
  EXPECT_EQ(e01["integrity"]["stored_hash_check"], "verified");
  EXPECT_EQ(e01["verified_at_end"]["state"], "yes");
  // Above --rehash-max-mb the end check compares metadata only, and says so.
  const auto big = RunCommand(Bin() + " scan --no-index --rehash-max-mb 0 --case " + Q(dir_ / "case2") + " " + Q(zip_));
  ASSERT_EQ(big.exit_code, 0) << big.err;
  const auto meta = EvidenceRecord(dir_ / "case2", 1);
  EXPECT_EQ(meta["verified_at_end"]["method"], "metadata");
  EXPECT_NE(meta["verified_at_end"]["detail"].get<std::string>().find("not re-hashed"), std::string::npos);
}

TEST_F(EvidenceIntegrityTest, EvidenceChangedWhileAScanWasInterruptedIsNewEvidence) {
  // A scan is killed part-way, the evidence at that path changes, the scan is run again: the changed
  // content is not resumed onto the first run's records (that would mix two devices): it is new
  // evidence, scanned from the start, and the interrupted one stays beside it in the case.
  for (const bool directory : {false, true}) {
    SCOPED_TRACE(directory ? "directory" : "single file");
    fs::path evidence = zip_;
    if (directory) {
      evidence = dir_ / "tree";
      fs::create_directories(evidence);
      for (int i = 0; i < 6; ++i) testing::WriteText(evidence / ("f" + std::to_string(i)), std::string(10 + i, 'x'));
    }
    const fs::path c = dir_ / (directory ? "case-tree" : "case-zip");
    const std::string args = " scan --no-index --case " + Q(c) + " " + Q(evidence);
    ASSERT_EQ(RunCommand("HASHTRIAGE_TEST_KILL_AT_ITEM=1 HASHTRIAGE_TEST_COMMIT_EVERY=1 " + testing::DriverBin() + args)
                  .exit_code,
              128 + 9);
    if (directory) {
      testing::WriteText(evidence / "added-later", "new");
    } else {
      // Same size, other bytes, mtime restored: the ctime and the head/tail hash tell.
      const std::string mtime = RunCommand("stat -c %y " + Q(zip_)).out;
      auto bytes = testing::ReadBytes(zip_);
      bytes[bytes.size() / 2] ^= std::byte{1};
      testing::WriteBytes(zip_, bytes);
      ASSERT_EQ(RunCommand("touch -m -d '" + mtime.substr(0, mtime.size() - 1) + "' " + Q(zip_)).exit_code, 0);
    }
    const auto again = RunCommand(Bin() + args);
    // The flipped byte lands inside a zip entry: that entry fails its CRC (an error of the new scan).
    EXPECT_EQ(again.exit_code, directory ? 0 : 1) << again.out << again.err;
    EXPECT_EQ(again.out.find("resumed"), std::string::npos) << again.out;
    EXPECT_NE(again.out.find("evidence 2 "), std::string::npos) << again.out;
    EXPECT_NE(again.out.find("new content at this path: evidence 1"), std::string::npos) << again.out;
    EXPECT_EQ(EvidenceRecord(c, 1)["status"], "running");  // the interrupted scan of the old content
    EXPECT_EQ(EvidenceRecord(c, 2)["status"], "complete");
    EXPECT_EQ(EvidenceRecord(c, 2)["verified_at_end"]["state"], "yes");
    EXPECT_NE(EvidenceRecord(c, 1)["fingerprint"]["id"], EvidenceRecord(c, 2)["fingerprint"]["id"]);
  }
}

TEST_F(EvidenceIntegrityTest, ReHashCatchesContentChangedWithItsMetadataRestored) {
  // The check itself: same size and mtime, content changed, is caught by the re-hash.
  auto baseline = engine::TakeEvidenceFingerprint(zip_.string());
  ASSERT_TRUE(baseline.ok()) << baseline.status().ToString();
  auto start = ingest::ComputeEvidenceIntegrity(zip_.string());
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(engine::VerifyEvidenceAtEnd(zip_.string(), *baseline, &*start, 1 << 30).state, "yes");
  auto bytes = testing::ReadBytes(zip_);
  bytes[10] ^= std::byte{0x40};
  testing::WriteBytes(zip_, bytes);
  // The head/tail hash sees a change in the first or last MiB even with the metadata restored.
  baseline->ctime_ns = engine::TakeEvidenceFingerprint(zip_.string())->ctime_ns;  // as if ctime could be reset
  baseline->mtime_ns = engine::TakeEvidenceFingerprint(zip_.string())->mtime_ns;
  const auto by_head = engine::VerifyEvidenceAtEnd(zip_.string(), *baseline, &*start, 1 << 30);
  EXPECT_EQ(by_head.state, "changed") << by_head.detail;
  EXPECT_EQ(by_head.method, "metadata");
  // A change past the first and last MiB of a large image is seen only by the re-hash: simulated by
  // restoring the head/tail hash too.
  baseline->head_tail_sha256 = engine::TakeEvidenceFingerprint(zip_.string())->head_tail_sha256;
  const auto v = engine::VerifyEvidenceAtEnd(zip_.string(), *baseline, &*start, 1 << 30);
  EXPECT_EQ(v.state, "changed") << v.detail;
  EXPECT_EQ(v.method, "metadata+rehash");
  // And a directory tree: a file's size changing is seen without reading any content.
  const fs::path tree = dir_ / "t";
  fs::create_directories(tree / "sub");
  testing::WriteText(tree / "sub/a", "aaaa");
  auto tree_baseline = engine::TakeEvidenceFingerprint(tree.string());
  ASSERT_TRUE(tree_baseline.ok());
  EXPECT_EQ(tree_baseline->kind, "tree");
  EXPECT_EQ(tree_baseline->tree_entries, 2u);
  EXPECT_EQ(engine::VerifyEvidenceAtEnd(tree.string(), *tree_baseline, nullptr, 0).state, "yes");
  testing::WriteText(tree / "sub/a", "aaaaa");
  EXPECT_EQ(engine::VerifyEvidenceAtEnd(tree.string(), *tree_baseline, nullptr, 0).state, "changed");
}

}  // namespace
}  // namespace hashtriage::reliability

// Evidence integrity: disk images (raw and E01) are only ever opened read-only (every open the scan
// makes is traced with strace), their bytes, mtimes and atimes are unchanged by a scan, the evidence's
// own hash is recorded when the scan starts and verified when it ends, and evidence that changes
// between the start and the end of a scan (even across a kill and resume) makes the scan fail loudly.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>
#include <set>

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

// An acquisition that stopped part-way (1 MiB segments, the second cut short, the rest never written):
// the scan hashes what the segments still hold, records each file it could not read with the reason
// (never a hash of zeros in place of the lost bytes), gives the evidence no hash it cannot compute, and
// exits 1. An E01 cut inside its only segment cannot be read at all: not scanned, and it says why.
// Truth from ewf-tools (ewfexport's unreadable sectors), TSK's istat on the raw image and md5sum.
TEST_F(EvidenceIntegrityTest, ScanOfATruncatedE01RecordsWhatItStillHeldAndWhyTheRestIsMissing) {
  const fs::path photos = testing::TestDataDir() / "photos/skimage";
  const std::string in = "cd " + Q(dir_.path()) + " && ";
  // camera.png and astronaut.png lie in the first MiB of the media; coffee.png runs past it.
  ASSERT_EQ(RunCommand(in + "mkfs.fat -C three.img 8192 >/dev/null && mcopy -i three.img " + Q(photos / "camera.png") +
                       " ::/a.png && mcopy -i three.img " + Q(photos / "astronaut.png") + " ::/b.png && mcopy -i three.img " +
                       Q(photos / "coffee.png") + " ::/c.png").exit_code, 0);
  ASSERT_EQ(RunCommand(in + "ewfacquire -q -u -t seg -f encase6 -S 1048576 three.img >/dev/null 2>&1 && mkdir cut && "
                       "cp seg.E01 cut/ && head -c 500000 seg.E02 > cut/seg.E02").exit_code, 0);
  ASSERT_EQ(RunCommand(in + "ewfacquire -q -u -t whole -f encase6 three.img >/dev/null 2>&1 && "
                       "head -c 2000000 whole.E01 > only.E01").exit_code, 0);
  const auto exported = RunCommand(in + "ewfexport -q -u -f raw -t exported cut/seg.E01 2>&1");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(exported.out, m, std::regex(R"(at sector\(s\): (\d+) - )"))) << exported.out;
  const long long first_bad = std::stoll(m[1]);
  const std::map<std::string, std::string> originals{
      {"/a.png", "camera.png"}, {"/b.png", "astronaut.png"}, {"/c.png", "coffee.png"}};

  // libewf 20140813 leaks a chunk buffer on every failed chunk read (not ours): no leak check for these scans.
  const std::string scan = kNoLeakCheckUnderTrace + Bin() + " scan --no-index --case ";
  const fs::path c = dir_ / "case-cut";
  const auto run = RunCommand(scan + Q(c) + " " + Q(dir_ / "cut/seg.E01"));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  int hashed = 0, unreadable = 0, errors = 0;
  std::set<std::string> files;
  for (const auto& r : ExportRecords(c)) {
    errors += !r["error"].is_null();
    if (r["kind"] != "file") {
      // Anything else recorded is a listing the lost segments cut short, saying so.
      EXPECT_NE(r["error"].get<std::string>().find("EWF read failed at media offset"), std::string::npos) << r.dump();
      continue;
    }
    const std::string name = r["original_path"];
    ASSERT_TRUE(originals.count(name)) << r.dump();
    files.insert(name);
    // The file's last sector on the raw image, by TSK's istat.
    const std::string inode = r["path"].get<std::string>().substr(r["path"].get<std::string>().rfind("/inode:") + 7);
    const auto last_sector = RunCommand(in + "istat three.img " + inode.substr(0, inode.find(':')) +
                                        " | sed -n '/^Sectors:/,$p' | tail -n +2 | tr -s ' ' '\\n' | grep . | sort -n | tail -1");
    ASSERT_EQ(last_sector.exit_code, 0);
    if (std::stoll(last_sector.out) < first_bad) {
      ++hashed;
      EXPECT_TRUE(r["error"].is_null()) << r.dump();
      EXPECT_EQ(r["md5"], RunCommand("md5sum " + Q(photos / originals.at(name))).out.substr(0, 32)) << name;
    } else {
      ++unreadable;
      EXPECT_TRUE(r["md5"].is_null()) << r.dump();
      EXPECT_NE(r["error"].get<std::string>().find("EWF read failed at media offset"), std::string::npos) << r.dump();
    }
  }
  EXPECT_EQ(files.size(), 3u);
  EXPECT_EQ(hashed, 2);
  EXPECT_EQ(unreadable, 1);
  // The evidence record: every item was enumerated (status complete), its errors counted, and no hash
  // of the media, which cannot be read whole: the reason names the first lost byte.
  const auto e01 = EvidenceRecord(c, 1);
  ASSERT_TRUE(e01.is_object());
  EXPECT_EQ(e01["status"], "complete");
  EXPECT_EQ(e01["files"], 3);
  EXPECT_EQ(e01["errors"], errors);
  EXPECT_EQ(e01["integrity"]["computed"], false) << e01["integrity"].dump();
  EXPECT_EQ(e01["integrity"]["md5"], "") << e01["integrity"].dump();
  EXPECT_NE(e01["integrity"]["not_computed"].get<std::string>().find("EWF read failed at media offset " +
                                                                     std::to_string(first_bad * 512)),
            std::string::npos)
      << e01["integrity"].dump();
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);

  // Cut inside its only segment: nothing readable (ewfexport), so not scanned, with the read failure as
  // the reason (not "no file system"), in the output and in the audit log; no evidence record.
  const auto nothing = RunCommand(in + "ewfexport -q -u -f raw -t exported2 only.E01 2>&1");
  ASSERT_NE(nothing.out.find("at sector(s): 0 - "), std::string::npos) << nothing.out;
  const fs::path c2 = dir_ / "case-only";
  const auto only = RunCommand(scan + Q(c2) + " " + Q(dir_ / "only.E01"));
  EXPECT_EQ(only.exit_code, 1) << only.out << only.err;
  const std::string reason = (dir_ / "only.E01").string() + ": cannot read the image to look for a file system: ";
  EXPECT_NE(only.out.find("NOT SCANNED: " + reason), std::string::npos) << only.out;
  EXPECT_TRUE(EvidenceRecord(c2, 1).is_null());
  const auto audit = RunCommand(Bin() + " audit show --json --case " + Q(c2));
  const auto entry = nlohmann::json::parse(testing::SplitLines(audit.out).back());
  EXPECT_EQ(entry["details"]["evidence"][0]["failure"].get<std::string>().rfind(reason, 0), 0u) << audit.out;
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

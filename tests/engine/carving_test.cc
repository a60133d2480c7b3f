// Carving through the real executable: FAT and ext4 images made with Debian's tools (mkfs.vfat + mtools,
// mke2fs + debugfs) in which known JPEGs were deleted and their directory entries overwritten (FAT: the
// slots reused by new files; ext4: the inode cleared). Independent truth: each picture's first sector or
// block as `istat` (The Sleuth Kit) reported it before the deletion, and the carved bytes at the
// reported offset cut out with `dd` and hashed by `md5sum`. Also: a picture split in two fragments is
// reported as truncated and matches nothing; deleted files still named are not carved a second time;
// allocated ones neither; the carving budget reports what it left unexamined.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage {
namespace {

using nlohmann::json;
using testing::Bin;
using testing::Q;
using testing::RunCommand;
using testing::RunOk;

std::string Md5(const std::filesystem::path& file) { return RunOk("md5sum " + Q(file)).substr(0, 32); }

// The first data unit (sector or block) `istat` lists for metadata address `inode`.
std::uint64_t FirstUnit(const std::filesystem::path& image, int inode) {
  const std::string out = RunOk("istat " + Q(image) + " " + std::to_string(inode));
  std::smatch m;
  EXPECT_TRUE(std::regex_search(out, m, std::regex(R"((Sectors|Direct Blocks):\s*\n\s*(\d+))"))) << out;
  return m.empty() ? 0 : std::stoull(m[2]);
}

// md5sum of `length` bytes at `offset` of `image`, cut out by dd.
std::string Md5At(const std::filesystem::path& image, std::uint64_t offset, std::uint64_t length) {
  return RunOk("dd if=" + Q(image) + " iflag=skip_bytes,count_bytes skip=" + std::to_string(offset) +
             " count=" + std::to_string(length) + " status=none | md5sum")
      .substr(0, 32);
}

class CarvingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto photos = testing::TestDataDir() / "photos/scratch";
    const char* names[] = {"all-sports-mural.jpg", "atom-playground.jpg", "baseball-field.jpg", "basketball-court1-a.jpg"};
    for (int i = 0; i < 4; ++i) {
      known_[i] = *dir_ / ("k" + std::to_string(i) + ".jpg");
      std::filesystem::copy_file(photos / names[i], known_[i]);
      std::filesystem::permissions(known_[i], std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
    }
    // A fifth known picture, deleted on FAT with its name left in place (recoverable as a deleted file).
    known_[4] = *dir_ / "k4.jpg";
    RunOk("convert " + Q(known_[1]) + " -rotate 90 " + Q(known_[4]));
    std::string list;
    for (const auto& k : known_) list += Md5(k) + "  " + k.filename().string() + "\n";
    testing::WriteText(*dir_ / "known.md5", list);
    index_ = *dir_ / "index";
    RunOk(Bin() + " index import --index " + Q(index_) + " --set known --format md5sum --category A " + Q(*dir_ / "known.md5"));
  }
  static void TearDownTestSuite() { delete dir_; }

  struct Scan {
    int exit_code = -1;
    std::string out;
    std::vector<json> records;
  };
  static Scan ScanImage(const std::filesystem::path& image, const std::string& name, const std::string& extra = "") {
    const auto c = *dir_ / name;
    Scan s;
    const auto run = RunCommand(Bin() + " scan --case " + Q(c) + " --index " + Q(index_) + " " + extra + " " + Q(image));
    s.exit_code = run.exit_code;
    s.out = run.out + run.err;
    for (const std::string& line : testing::SplitLines(RunOk(Bin() + " export files --format jsonl --case " + Q(c)))) {
      if (!line.empty()) s.records.push_back(json::parse(line));
    }
    return s;
  }
  static std::vector<json> Carved(const Scan& s) {
    std::vector<json> out;
    for (const json& r : s.records) {
      if (r["carved"].get<bool>()) out.push_back(r);
    }
    return out;
  }
  static std::string HitMedia(const json& r) {
    return r["hits"].empty() ? "" : r["hits"][0]["media_id"].get<std::string>();
  }

  static testing::TempDir* dir_;
  static std::filesystem::path index_;
  static std::filesystem::path known_[5];
};
testing::TempDir* CarvingTest::dir_ = nullptr;
std::filesystem::path CarvingTest::index_;
std::filesystem::path CarvingTest::known_[5];

TEST_F(CarvingTest, FatDeletedPicturesWhoseEntriesWereReusedAreCarvedAndMatchedAtTheirOffsets) {
  const auto image = *dir_ / "fat.dd";
  const std::string m = "MTOOLS_SKIP_CHECK=1 ";
  const std::string in = " -i " + Q(image) + " ";
  testing::WriteText(*dir_ / "small.txt", std::string(1000, 'x'));
  testing::WriteText(*dir_ / "empty.txt", "");
  // 2 KiB clusters. hole.txt's cluster is freed, then frag.jpg fills it and continues after keep.jpg's
  // clusters: two fragments with allocated clusters between them.
  RunOk("mkfs.vfat -C -s 4 " + Q(image) + " 8192 >/dev/null");
  RunOk(m + "mcopy" + in + Q(*dir_ / "small.txt") + " ::hole.txt && " + m + "mcopy" + in + Q(*dir_ / "small.txt") + " ::spacer.txt");
  RunOk(m + "mcopy" + in + Q(known_[0]) + " ::k0.jpg && " + m + "mcopy" + in + Q(known_[1]) + " ::k1.jpg && " + m + "mcopy" +
      in + Q(known_[3]) + " ::keep.jpg && " + m + "mcopy" + in + Q(known_[4]) + " ::k4.jpg");
  RunOk(m + "mdel" + in + "::hole.txt && " + m + "mcopy" + in + Q(known_[2]) + " ::frag.jpg");
  const std::string listing = RunOk("fls -p " + Q(image));
  ASSERT_NE(listing.find("r/r 3:\tfrag.jpg"), std::string::npos) << listing;
  ASSERT_NE(listing.find("r/r 5:\tk0.jpg"), std::string::npos) << listing;
  ASSERT_NE(listing.find("r/r 6:\tk1.jpg"), std::string::npos) << listing;
  const std::uint64_t k0_at = FirstUnit(image, 5) * 512, k1_at = FirstUnit(image, 6) * 512;
  const std::uint64_t frag_at = FirstUnit(image, 3) * 512;
  const std::string frag_istat = RunOk("istat " + Q(image) + " 3");
  // Delete, then reuse the three directory slots with empty files (no clusters: the data stays).
  RunOk(m + "mdel" + in + "::k0.jpg ::k1.jpg ::frag.jpg");
  for (const char* n : {"::ea.txt", "::eb.txt", "::ec.txt"}) RunOk(m + "mcopy" + in + Q(*dir_ / "empty.txt") + " " + n);
  RunOk(m + "mdel" + in + "::k4.jpg");
  const std::string after = RunOk("fls -r -p " + Q(image));
  for (const char* gone : {"k0.jpg", "k1.jpg", "frag.jpg"}) EXPECT_EQ(after.find(gone), std::string::npos) << after;

  const Scan s = ScanImage(image, "fat-case");
  EXPECT_EQ(s.exit_code, 10) << s.out;
  const std::vector<json> carved = Carved(s);
  ASSERT_EQ(carved.size(), 3u) << s.out;
  std::map<std::uint64_t, json> by_offset;
  for (const json& r : carved) by_offset[r["image_offset"].get<std::uint64_t>()] = r;
  ASSERT_EQ(by_offset.count(k0_at), 1u);
  ASSERT_EQ(by_offset.count(k1_at), 1u);
  ASSERT_EQ(by_offset.count(frag_at), 1u) << frag_istat;
  for (const auto& [at, k] : {std::pair{k0_at, 0}, std::pair{k1_at, 1}}) {
    const json& r = by_offset[at];
    EXPECT_EQ(r["size"].get<std::uint64_t>(), std::filesystem::file_size(known_[k]));
    EXPECT_EQ(r["md5"], Md5(known_[k]));
    EXPECT_EQ(Md5At(image, at, r["size"].get<std::uint64_t>()), Md5(known_[k]));
    EXPECT_EQ(HitMedia(r), known_[k].filename().string());
    EXPECT_TRUE(r["anomaly"].is_null()) << r.dump();
    EXPECT_EQ(r["format"], "jpeg");
  }
  // The fragmented picture: its first cluster only, reported as truncated, matching nothing.
  const json& frag = by_offset[frag_at];
  EXPECT_EQ(frag["size"], 2048);
  EXPECT_TRUE(frag["hits"].empty()) << frag.dump();
  EXPECT_NE(frag["anomaly"].get<std::string>().find("carved jpeg truncated"), std::string::npos) << frag.dump();
  EXPECT_TRUE(frag["error"].is_null()) << frag.dump();
  // The deleted picture still named and the allocated one: once each, as files, never carved.
  int k4_records = 0, keep_records = 0;
  for (const json& r : s.records) {
    if (r["md5"] == Md5(known_[4])) {
      ++k4_records;
      EXPECT_TRUE(r["deleted"].get<bool>()) << r.dump();
    }
    if (r["md5"] == Md5(known_[3])) {
      ++keep_records;
      EXPECT_FALSE(r["carved"].get<bool>()) << r.dump();
    }
  }
  EXPECT_EQ(k4_records, 1);
  EXPECT_EQ(keep_records, 1);
  EXPECT_NE(s.out.find("errors 0"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("carved from unallocated space 3 (counted in files)"), std::string::npos) << s.out;

  // Without carving: none; with a 1 MB budget on 8 MB: the scan says how much it left unexamined.
  EXPECT_TRUE(Carved(ScanImage(image, "fat-no-carve", "--no-carve")).empty());
  const Scan budget = ScanImage(image, "fat-budget", "--max-carve-mb 1");
  EXPECT_EQ(budget.exit_code, 10) << budget.out;
  bool reported = false;
  for (const json& r : budget.records) {
    const std::string error = r["error"].is_string() ? r["error"].get<std::string>() : "";
    reported = reported || std::regex_search(error, std::regex(R"(carving stopped at the image's budget of 1 MB: \d+ MB of \d+ MB)"));
  }
  EXPECT_TRUE(reported) << budget.out;
}

TEST_F(CarvingTest, Ext4PictureWhoseInodeWasClearedIsCarvedAndOneStillRecoverableIsNot) {
  const auto src = *dir_ / "ext4-src";
  std::filesystem::create_directories(src);
  for (int k : {0, 1, 3}) std::filesystem::copy_file(known_[k], src / known_[k].filename());
  const auto image = *dir_ / "ext4.dd";
  RunOk("mke2fs -q -t ext4 -b 1024 -d " + Q(src) + " " + Q(image) + " 8M");
  const std::string listing = RunOk("fls -p " + Q(image));
  std::smatch m0, m1;
  ASSERT_TRUE(std::regex_search(listing, m0, std::regex(R"(r/r (\d+):\tk0\.jpg)"))) << listing;
  ASSERT_TRUE(std::regex_search(listing, m1, std::regex(R"(r/r (\d+):\tk1\.jpg)"))) << listing;
  const int k0_inode = std::stoi(m0[1]), k1_inode = std::stoi(m1[1]);
  const std::uint64_t k0_at = FirstUnit(image, k0_inode) * 1024;
  // k0: unlinked and its inode cleared (nothing left to recover it by); k1: unlinked only.
  testing::WriteText(*dir_ / "debugfs.cmd", "rm /k0.jpg\nclri <" + std::to_string(k0_inode) + ">\nrm /k1.jpg\n");
  RunOk("debugfs -w -f " + Q(*dir_ / "debugfs.cmd") + " " + Q(image) + " >/dev/null 2>&1");

  const Scan s = ScanImage(image, "ext4-case");
  EXPECT_EQ(s.exit_code, 10) << s.out;
  const std::vector<json> carved = Carved(s);
  ASSERT_EQ(carved.size(), 1u) << s.out;
  EXPECT_EQ(carved[0]["image_offset"].get<std::uint64_t>(), k0_at);
  EXPECT_EQ(carved[0]["size"].get<std::uint64_t>(), std::filesystem::file_size(known_[0]));
  EXPECT_EQ(Md5At(image, k0_at, std::filesystem::file_size(known_[0])), Md5(known_[0]));
  EXPECT_EQ(HitMedia(carved[0]), "k0.jpg");
  int k1_records = 0;
  for (const json& r : s.records) {
    if (r["md5"] == Md5(known_[1])) {
      ++k1_records;
      EXPECT_TRUE(r["deleted"].get<bool>());
      EXPECT_EQ(r["path"], "ext4.dd/inode:" + std::to_string(k1_inode) + ":/k1.jpg");
    }
  }
  EXPECT_EQ(k1_records, 1);
}

}  // namespace
}  // namespace hashtriage

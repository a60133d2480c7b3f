// Disk images made with mtools (mkfs.fat, mcopy, mdel) and ewfacquire, checked against The Sleuth Kit's
// own command-line tools (fls, icat, mmls) and md5sum of the original photos.
#include <filesystem>
#include <gtest/gtest.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "ingest/evidence_integrity.h"
#include "tests/ingest/ingest_test_util.h"

namespace hashtriage::ingest::testing {
namespace {

namespace fs = std::filesystem;

// Pauses LeakSanitizer on this thread (no-op without AddressSanitizer).
class ScopedLeakCheckPause {
 public:
  ScopedLeakCheckPause() {
#if defined(__SANITIZE_ADDRESS__)
    __lsan_disable();
#endif
  }
  ~ScopedLeakCheckPause() { Resume(); }
  void Resume() {
#if defined(__SANITIZE_ADDRESS__)
    if (!resumed_) __lsan_enable();
#endif
    resumed_ = true;
  }

 private:
  bool resumed_ = false;
};

struct Expected {
  std::string inode, path;
  bool deleted;
  friend auto operator<=>(const Expected&, const Expected&) = default;
};

class DiskImageSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string img = P("disk.img");
    In("mkfs.fat -C disk.img 8192 >/dev/null && mmd -i disk.img ::/DCIM && "
       "mcopy -i disk.img " + ShellQuote(Photo("skimage/astronaut.png").string()) + " ::/DCIM/ && "
       "mcopy -i disk.img " + ShellQuote(Photo("skimage/camera.png").string()) + " ::/ && "
       "mcopy -i disk.img " + ShellQuote(Photo("skimage/coffee.png").string()) + " ::/ && "
       "mdel -i disk.img ::/coffee.png");
  }
  std::string In(const std::string& cmd) { return MustRun("cd " + ShellQuote(dir_.path().string()) + " && " + cmd); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  void MakeE01() { In("ewfacquire -q -u -t out -f encase6 disk.img >/dev/null"); }

  // Truth for a damaged E01 from ewf-tools, not our reader: ewfexport lists the sectors it could not
  // read (on stderr: "at sector(s): FIRST - LAST"). {FIRST, LAST}, or {-1, -1} when it read everything.
  std::pair<long long, long long> UnreadableSectors(const std::string& e01) {
    const std::string report = In("ewfexport -q -u -f raw -t exported " + e01 + " 2>&1 && rm -f exported.raw exported.raw.info");
    std::smatch m;
    if (!std::regex_search(report, m, std::regex(R"(at sector\(s\): (\d+) - (\d+))"))) return {-1, -1};
    return {std::stoll(m[1]), std::stoll(m[2])};
  }

  // The sectors TSK's istat lists for metadata address `addr` of `image`.
  std::vector<long long> SectorsOf(const std::string& image, const std::string& addr) {
    std::istringstream words(In("istat " + image + " " + addr + " | sed -n '/^Sectors:/,$p' | tail -n +2"));
    std::vector<long long> sectors;
    for (long long sector; words >> sector;) sectors.push_back(sector);
    return sectors;
  }

  // Regular files (allocated and deleted) as `fls -r -p` lists them.
  std::set<Expected> FromFls(const std::string& args) {
    std::set<Expected> out;
    for (const std::string& line : hashtriage::testing::SplitLines(In("fls -r -p " + args))) {
      // "r/r 518:\tDCIM/astronaut.png" or, deleted, "r/r * 5:\t_offee.png"
      if (line.rfind("r/r ", 0) != 0) continue;
      std::string rest = line.substr(4);
      const bool deleted = rest.rfind("* ", 0) == 0;
      if (deleted) rest = rest.substr(2);
      const std::size_t colon = rest.find(":\t");
      if (colon == std::string::npos) continue;
      out.insert(Expected{rest.substr(0, colon), "/" + rest.substr(colon + 2), deleted});
    }
    return out;
  }

  static std::set<Expected> FromItems(const std::vector<Item>& items) {
    std::set<Expected> out;
    for (const Item& item : items) {
      if (item.info.kind != ItemKind::kFile) continue;
      // ".../inode:<addr>:<fs path>"
      const std::size_t at = item.info.path.rfind("/inode:");
      EXPECT_NE(at, std::string::npos) << item.info.path;
      if (at == std::string::npos) continue;
      const std::string step = item.info.path.substr(at + 7);
      const std::size_t colon = step.find(':');
      EXPECT_EQ(step.substr(colon + 1), item.info.original_path);
      out.insert(Expected{step.substr(0, colon), item.info.original_path, item.info.deleted});
    }
    return out;
  }

  static SourceOptions Named(const std::string& id) {
    SourceOptions o;
    o.evidence_id = id;
    return o;
  }

  TempDir dir_;
};

TEST_F(DiskImageSourceTest, FatImageFilesMatchFlsAndIcatIncludingTheDeletedOne) {
  EXPECT_EQ(*DetectSourceType(P("disk.img")), SourceType::kDiskImage);
  std::vector<Item> items = OpenAndCollect(P("disk.img"), Named("disk"));
  const std::set<Expected> truth = FromFls("disk.img");
  ASSERT_EQ(truth.size(), 3u);
  EXPECT_EQ(FromItems(items), truth);
  EXPECT_TRUE(OfKind(items, ItemKind::kError).empty()) << "an intact FAT has no unreached allocated space";
  for (Item& item : items) {
    if (item.info.kind != ItemKind::kFile) continue;
    ASSERT_NE(item.reader, nullptr) << item.info.path;
    const std::string inode = item.info.path.substr(item.info.path.find("inode:") + 6);
    EXPECT_EQ(ReaderMd5(*item.reader), In("icat disk.img " + inode.substr(0, inode.find(':')) + " | md5sum").substr(0, 32));
    EXPECT_TRUE(item.info.modified.has_value());
  }
  int deleted = 0;
  for (Item& item : items) {
    if (!item.info.deleted) continue;
    ++deleted;
    EXPECT_EQ(item.info.original_path, "/_offee.png");  // FAT overwrote the first letter
    ASSERT_TRUE(item.reader->Seek(0).ok());
    EXPECT_EQ(ReaderMd5(*item.reader), Md5sum(Photo("skimage/coffee.png")));
  }
  EXPECT_EQ(deleted, 1);
}

TEST_F(DiskImageSourceTest, IncludeDeletedFalseSkipsDeletedFiles) {
  SourceOptions options = Named("disk");
  options.include_deleted = false;
  std::vector<Item> items = OpenAndCollect(P("disk.img"), options);
  EXPECT_EQ(OfKind(items, ItemKind::kFile).size(), 2u);
  for (const Item& item : items) EXPECT_FALSE(item.info.deleted);
}

TEST_F(DiskImageSourceTest, E01GivesIdenticalResultsToTheRawImage) {
  MakeE01();
  EXPECT_EQ(*DetectSourceType(P("out.E01")), SourceType::kEwf);
  std::vector<Item> raw = OpenAndCollect(P("disk.img"), Named("evidence"));
  std::vector<Item> ewf = OpenAndCollect(P("out.E01"), Named("evidence"));
  ASSERT_EQ(raw.size(), ewf.size());
  ASSERT_FALSE(raw.empty());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const ItemInfo& a = raw[i].info;
    const ItemInfo& b = ewf[i].info;
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.original_path, b.original_path);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.created, b.created);
    EXPECT_EQ(a.modified, b.modified);
    EXPECT_EQ(a.accessed, b.accessed);
    EXPECT_EQ(a.deleted, b.deleted);
    EXPECT_EQ(a.kind, b.kind);
  }
  EXPECT_EQ(DigestsByPath(raw), DigestsByPath(ewf));
}

TEST_F(DiskImageSourceTest, EvidenceIntegrityMatchesMd5sumAndVerifiesTheE01StoredHash) {
  MakeE01();
  const std::string truth = Md5sum(P("disk.img"));
  auto raw = ComputeEvidenceIntegrity(P("disk.img"));
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->md5.hex(), truth);
  EXPECT_EQ(raw->sha1.hex(), In("sha1sum disk.img").substr(0, 40));
  EXPECT_EQ(raw->check, StoredHashCheck::kNotApplicable);
  auto ewf = ComputeEvidenceIntegrity(P("out.E01"));
  ASSERT_TRUE(ewf.ok()) << ewf.status().ToString();
  EXPECT_EQ(ewf->md5.hex(), truth);  // the media, not the container file
  EXPECT_EQ(ewf->bytes_hashed, fs::file_size(P("disk.img")));
  ASSERT_TRUE(ewf->stored_md5.has_value());
  EXPECT_EQ(ewf->stored_md5->hex(), truth);
  EXPECT_EQ(ewf->check, StoredHashCheck::kVerified);
  EXPECT_EQ(ComputeEvidenceIntegrity(dir_.path().string()).status().code(), StatusCode::kNotSupported);
}

TEST_F(DiskImageSourceTest, PartitionedImageNamesVolumesByMmlsSlot) {
  // An MBR with the FAT file system at sector 2048 and a partition holding no file system.
  In("python3 -c '\n"
     "import struct\n"
     "img = bytearray(40 << 20)\n"
     "def entry(t, start, count): return bytes([0, 0, 0, 0, t, 0, 0, 0]) + struct.pack(\"<II\", start, count)\n"
     "img[446:462] = entry(0x0c, 2048, 16384); img[462:478] = entry(0x83, 20480, 8192); img[510:512] = b\"\\x55\\xaa\"\n"
     "fat = open(\"disk.img\", \"rb\").read(); img[2048 * 512:2048 * 512 + len(fat)] = fat\n"
     "open(\"part.img\", \"wb\").write(img)\n'");
  std::string fat_slot, linux_slot;
  for (const std::string& line : hashtriage::testing::SplitLines(In("mmls part.img"))) {
    if (line.find("0000002048") != std::string::npos && line.find("FAT") != std::string::npos) fat_slot = line.substr(0, 3);
    if (line.find("0000020480") != std::string::npos) linux_slot = line.substr(0, 3);
  }
  ASSERT_FALSE(fat_slot.empty());
  const std::string p_fat = "p" + std::to_string(std::stoi(fat_slot));
  const std::string p_linux = "p" + std::to_string(std::stoi(linux_slot));
  std::vector<Item> items = OpenAndCollect(P("part.img"), Named("part"));
  EXPECT_EQ(FromItems(items), FromFls("-o 2048 part.img"));
  EXPECT_NE(FindByPath(items, "part/" + p_fat + "/inode:4:/camera.png"), nullptr);
  bool reported = false;
  for (const Item& item : items) {
    if (item.info.kind == ItemKind::kError && item.info.path == "part/" + p_linux) {
      reported = true;
      EXPECT_EQ(item.info.status.code(), StatusCode::kNotSupported);
    }
  }
  EXPECT_TRUE(reported);
}

TEST_F(DiskImageSourceTest, ReadersWorkOnOtherThreadsAfterTheSourceIsGone) {
  MakeE01();
  std::vector<Item> items;
  {
    auto source = OpenEvidenceSource(P("out.E01"), Named("e"));
    ASSERT_TRUE(source.ok());
    items = CollectAll(**source);
  }
  std::vector<std::string> md5(items.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].reader) threads.emplace_back([&, i] { md5[i] = ReaderMd5(*items[i].reader); });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].info.original_path == "/camera.png") {
      EXPECT_EQ(md5[i], Md5sum(Photo("skimage/camera.png")));
    }
    if (items[i].info.original_path == "/DCIM/astronaut.png") {
      EXPECT_EQ(md5[i], Md5sum(Photo("skimage/astronaut.png")));
    }
  }
}

TEST_F(DiskImageSourceTest, ArchivesInsideTheFileSystemAreExpanded) {
  In("cp " + ShellQuote(Photo("skimage/coffee.png").string()) + " coffee.png && zip -q photos.zip coffee.png && "
     "mcopy -i disk.img photos.zip ::/");
  std::vector<Item> items = OpenAndCollect(P("disk.img"), Named("d"));
  Item* inner = nullptr;
  for (Item& item : items) {
    if (item.info.path.ends_with(":/PHOTOS.ZIP/zip:coffee.png") || item.info.path.ends_with(":/photos.zip/zip:coffee.png")) {
      inner = &item;
    }
  }
  ASSERT_NE(inner, nullptr);
  EXPECT_TRUE(inner->info.inside_archive);
  EXPECT_EQ(ReaderMd5(*inner->reader), Md5sum(Photo("skimage/coffee.png")));
}


TEST_F(DiskImageSourceTest, E01MissingItsLaterSegmentsYieldsTheFilesItHoldsAndReadErrorsForTheRest) {
  // An acquisition in 1 MiB segments that stopped half-way through the second: the first segment is
  // whole, the second cut, the others never written.
  In("ewfacquire -q -u -t seg -f encase6 -S 1048576 disk.img >/dev/null && mkdir cut && cp seg.E01 cut/ && "
     "head -c 500000 seg.E02 > cut/seg.E02");
  ScopedLeakCheckPause pause;  // libewf leaks a chunk buffer on every failed chunk read (not ours)
  const auto [first_bad, last_bad] = UnreadableSectors("cut/seg.E01");
  ASSERT_GT(first_bad, 0);
  std::vector<Item> items = OpenAndCollect(P("cut/seg.E01"), Named("cut"));
  // Every file the raw image's file system names is still named (its directories are in the first
  // segment); each is read exactly when all its sectors (istat) lie before the first unreadable one,
  // with icat's bytes, else fails (never zeros in place of the lost bytes).
  const std::set<Expected> truth = FromFls("disk.img");
  EXPECT_EQ(FromItems(items), truth);
  int read = 0, failed = 0;
  for (Item& item : items) {
    if (item.info.kind == ItemKind::kError) {
      EXPECT_NE(item.info.status.message().find("EWF read failed at media offset"), std::string::npos)
          << item.info.path << ": " << item.info.status.message();
      continue;
    }
    if (item.info.kind != ItemKind::kFile) continue;
    SCOPED_TRACE(item.info.path);
    ASSERT_NE(item.reader, nullptr);
    const std::string inode = item.info.path.substr(item.info.path.rfind("/inode:") + 7);
    const std::string addr = inode.substr(0, inode.find(':'));
    const std::vector<long long> sectors = SectorsOf("disk.img", addr);
    ASSERT_FALSE(sectors.empty());
    const long long lowest = *std::min_element(sectors.begin(), sectors.end());
    const long long highest = *std::max_element(sectors.begin(), sectors.end());
    const std::string md5 = ReaderMd5(*item.reader);
    if (highest < first_bad) {
      ++read;
      EXPECT_EQ(md5, In("icat disk.img " + addr + " | md5sum").substr(0, 32));
    } else {
      ++failed;
      // The failed read named by its media offset: within the file, not after the first lost byte.
      std::smatch m;
      ASSERT_TRUE(std::regex_search(md5, m, std::regex(R"(^error: .*EWF read failed at media offset (\d+))"))) << md5;
      EXPECT_GE(std::stoll(m[1]), lowest * 512) << md5;
      EXPECT_LE(std::stoll(m[1]), first_bad * 512) << md5;
    }
  }
  // The fixture has both kinds: the photos in the first MiB, and the deleted coffee.png across its end.
  EXPECT_EQ(read, 2);
  EXPECT_EQ(failed, 1);
}

TEST_F(DiskImageSourceTest, E01CutInsideItsOnlySegmentIsReportedUnreadable) {
  MakeE01();
  In("head -c 4000000 out.E01 > cut.E01");
  ScopedLeakCheckPause pause;  // libewf leaks a chunk buffer on every failed chunk read (not ours)
  // ewfexport can read nothing of it: the cut falls before the segment's chunk table.
  const auto [first_bad, last_bad] = UnreadableSectors("cut.E01");
  ASSERT_EQ(first_bad, 0);
  ASSERT_EQ(last_bad, static_cast<long long>(fs::file_size(P("disk.img")) / 512 - 1));
  // Not "no file system": the source says the image cannot be read, and where.
  auto cut = OpenEvidenceSource(P("cut.E01"), Named("cut"));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(cut.status().message().rfind(P("cut.E01") + ": cannot read the image to look for a file system: ", 0), 0u)
      << cut.status().message();
  EXPECT_NE(cut.status().message().find("EWF read failed at media offset 0"), std::string::npos)
      << cut.status().message();
}

TEST_F(DiskImageSourceTest, DamagedFatYieldsExactlyWhatFlsAndIcatRecover) {
  // Noise over chosen sectors of a copy of the image (random but seeded: the same bytes every run).
  auto damage = [&](const std::string& name, long long first_sector, long long sectors) {
    In("cp disk.img " + name + " && python3 -c '\n"
       "import random\n"
       "random.seed(7)\n"
       "f = open(\"" + name + "\", \"r+b\"); f.seek(" + std::to_string(first_sector * 512) + ")\n"
       "f.write(bytes(random.getrandbits(8) for _ in range(" + std::to_string(sectors * 512) + "))); f.close()\n'");
  };
  // The DCIM directory's own sectors (istat of its inode) overwritten: its photo is lost, the files in
  // the root directory, the deleted one included, are still found and read.
  const std::string dcim = In("fls -p disk.img | grep -P '^d/d \\d+:\\tDCIM$' | sed -E 's/^d\\/d ([0-9]+):.*/\\1/'");
  ASSERT_FALSE(dcim.empty());
  const std::vector<long long> sectors = SectorsOf("disk.img", dcim.substr(0, dcim.size() - 1));
  ASSERT_FALSE(sectors.empty());
  damage("dcim-lost.img", sectors.front(), static_cast<long long>(sectors.size()));
  const std::set<Expected> partial = FromFls("dcim-lost.img");
  ASSERT_EQ(partial.size(), 2u) << "fls should still find camera.png and the deleted _offee.png";
  std::vector<Item> items = OpenAndCollect(P("dcim-lost.img"), Named("dcim-lost"));
  EXPECT_EQ(FromItems(items), partial);
  // ... and the photo's clusters, still allocated but named by no directory, are reported unexamined.
  const auto errors = OfKind(items, ItemKind::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]->info.path, "dcim-lost");
  EXPECT_NE(errors[0]->info.status.message().find("not reachable from any directory"), std::string::npos)
      << errors[0]->info.status.message();
  for (Item& item : items) {
    if (item.info.kind != ItemKind::kFile) continue;
    const std::string inode = item.info.path.substr(item.info.path.rfind("/inode:") + 7);
    EXPECT_EQ(ReaderMd5(*item.reader), In("icat dcim-lost.img " + inode.substr(0, inode.find(':')) + " | md5sum").substr(0, 32))
        << item.info.path;
  }
  // The FAT, the root directory and the start of the data overwritten (64 KiB from sector 1): fls finds
  // no file at all, and neither does the source (nothing invented from the noise).
  damage("noisy.img", 1, 128);
  ASSERT_TRUE(FromFls("noisy.img").empty());
  const std::vector<Item> noisy = OpenAndCollect(P("noisy.img"), Named("noisy"));
  EXPECT_TRUE(FromItems(noisy).empty());
  EXPECT_EQ(OfKind(noisy, ItemKind::kError).size(), 1u) << "no files found must not read as an empty card";
}

// A card whose root directory was wiped (zeroed) while the FAT still marks its files' clusters
// allocated: no file is found, and the source says so with exactly the clusters the files and the
// subdirectory held (istat on the intact image is the truth), instead of yielding an empty card.
TEST_F(DiskImageSourceTest, WipedRootDirectoryIsReportedWithTheClustersNoDirectoryReaches) {
  In("mkfs.fat -F 16 -s 4 -C wiped.img 16384 >/dev/null && mmd -i wiped.img ::/DCIM && "
     "mcopy -i wiped.img " + ShellQuote(Photo("skimage/astronaut.png").string()) + " ::/DCIM/ && "
     "mcopy -i wiped.img " + ShellQuote(Photo("skimage/camera.png").string()) + " ::/");
  EXPECT_TRUE(OfKind(OpenAndCollect(P("wiped.img"), Named("intact")), ItemKind::kError).empty());
  long long held = 0;  // sectors of every file and directory below the root, as istat lists them
  for (const std::string& line : hashtriage::testing::SplitLines(In("fls -r -p wiped.img"))) {
    const std::size_t colon = line.find(':');
    if (line.rfind("r/r ", 0) != 0 && line.rfind("d/d ", 0) != 0) continue;
    held += static_cast<long long>(SectorsOf("wiped.img", line.substr(4, colon - 4)).size());
  }
  ASSERT_GT(held, 0);
  // The root directory region of FAT16 follows the reserved sectors and the FATs (boot sector fields).
  In("python3 -c '\n"
     "import struct\n"
     "b = bytearray(open(\"wiped.img\", \"rb\").read())\n"
     "bps, rsv, nfats, entries, fatsz = struct.unpack_from(\"<H\", b, 11)[0], struct.unpack_from(\"<H\", b, 14)[0], b[16], struct.unpack_from(\"<H\", b, 17)[0], struct.unpack_from(\"<H\", b, 22)[0]\n"
     "root = (rsv + nfats * fatsz) * bps\n"
     "b[root:root + entries * 32] = bytes(entries * 32)\n"
     "open(\"wiped.img\", \"wb\").write(b)\n'");
  ASSERT_TRUE(FromFls("wiped.img").empty());
  const std::vector<Item> items = OpenAndCollect(P("wiped.img"), Named("wiped"));
  EXPECT_TRUE(FromItems(items).empty());
  const auto errors = OfKind(items, ItemKind::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]->info.status.code(), StatusCode::kCorruption);
  const std::string expected = std::to_string(held / 4) + " allocated cluster(s) are not reachable from any directory";
  EXPECT_NE(errors[0]->info.status.message().find(expected), std::string::npos) << errors[0]->info.status.message();
}

TEST_F(DiskImageSourceTest, Ext4ImageBuiltWithMke2fsMatchesFls) {
  In("mkdir -p tree/DCIM && cp " + ShellQuote(Photo("skimage/coffee.png").string()) + " tree/DCIM/ && cp " +
     ShellQuote(Photo("skimage/camera.png").string()) + " tree/ && ln -s DCIM/coffee.png tree/link && "
     "truncate -s 16M ext4.img && mke2fs -q -t ext4 -d tree ext4.img");
  std::vector<Item> items = OpenAndCollect(P("ext4.img"), Named("ext4"));
  EXPECT_EQ(FromItems(items), FromFls("ext4.img"));
  Item* coffee = nullptr;
  for (Item& item : items) {
    if (item.info.original_path == "/DCIM/coffee.png") coffee = &item;
  }
  ASSERT_NE(coffee, nullptr);
  EXPECT_EQ(ReaderMd5(*coffee->reader), Md5sum(Photo("skimage/coffee.png")));
  EXPECT_EQ(OfKind(items, ItemKind::kSymlink).size(), 1u);
}

}  // namespace
}  // namespace hashtriage::ingest::testing

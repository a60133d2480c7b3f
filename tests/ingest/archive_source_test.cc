// Archives built at test time with zip, tar, gzip/bzip2/xz, 7z and python: entries match md5sum of the
// originals; nesting, the depth limit, hostile names, zip bombs, large entries and truncation.
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>
#include <gtest/gtest.h>

#include "tests/ingest/ingest_test_util.h"

namespace hashtriage::ingest::testing {
namespace {

namespace fs = std::filesystem;

class ArchiveSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "src/DCIM");
    fs::copy_file(Photo("skimage/coffee.png"), dir_ / "src/DCIM/coffee.png");
    fs::copy_file(Photo("skimage/camera.png"), dir_ / "src/camera.png");
    coffee_md5_ = Md5sum(dir_ / "src/DCIM/coffee.png");
    camera_md5_ = Md5sum(dir_ / "src/camera.png");
  }
  std::string In(const std::string& cmd) { return MustRun("cd " + ShellQuote(dir_.path().string()) + " && " + cmd); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  static SourceOptions Named(const std::string& id) {
    SourceOptions o;
    o.evidence_id = id;
    return o;
  }

  TempDir dir_;
  std::string coffee_md5_, camera_md5_;
};

TEST_F(ArchiveSourceTest, EveryFormatYieldsTheOriginalBytes) {
  In("cd src && zip -q -r ../a.zip . && tar cf ../a.tar . && tar czf ../a.tar.gz . && tar cjf ../a.tar.bz2 . && "
     "tar cJf ../a.tar.xz . && 7z a -bd -y ../a.7z . >/dev/null");
  for (const std::string name : {"a.zip", "a.tar", "a.tar.gz", "a.tar.bz2", "a.tar.xz", "a.7z"}) {
    SCOPED_TRACE(name);
    auto type = DetectSourceType(P(name));
    ASSERT_TRUE(type.ok());
    EXPECT_EQ(*type, SourceType::kArchive);
    std::vector<Item> items = OpenAndCollect(P(name), Named(name));
    std::map<std::string, std::string> by_name;
    for (Item& item : items) {
      ASSERT_TRUE(item.info.status.ok()) << item.info.status.ToString();
      EXPECT_TRUE(item.info.inside_archive);
      if (item.reader) by_name[item.info.original_path] = ReaderMd5(*item.reader);
    }
    const std::string prefix = name == "a.zip" || name == "a.7z" ? "" : "./";
    EXPECT_EQ(by_name.size(), 2u);
    EXPECT_EQ(by_name[prefix + "DCIM/coffee.png"], coffee_md5_);
    EXPECT_EQ(by_name[prefix + "camera.png"], camera_md5_);
  }
}

TEST_F(ArchiveSourceTest, ProvenanceNamesFormatAndEntry) {
  In("cd src && zip -q -r ../a.zip DCIM");
  std::vector<Item> items = OpenAndCollect(P("a.zip"), Named("case.zip"));
  ASSERT_NE(FindByPath(items, "case.zip/zip:DCIM/coffee.png"), nullptr);
}

TEST_F(ArchiveSourceTest, SingleCompressedFileIsOneEntryNamedAfterIt) {
  In("cp src/camera.png camera.png && gzip camera.png");
  std::vector<Item> items = OpenAndCollect(P("camera.png.gz"), Named("camera.png.gz"));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].info.path, "camera.png.gz/gz:camera.png");
  EXPECT_EQ(ReaderMd5(*items[0].reader), camera_md5_);
}

TEST_F(ArchiveSourceTest, NestedArchivesAreExpandedUnderTheirContainer) {
  In("cd src && zip -q ../inner.zip DCIM/coffee.png && cd .. && mkdir mid && mv inner.zip mid/ && "
     "tar czf mid.tar.gz mid && zip -q outer.zip mid.tar.gz");
  std::vector<Item> items = OpenAndCollect(P("outer.zip"), Named("outer.zip"));
  const Item* deep = FindByPath(items, "outer.zip/zip:mid.tar.gz/tar:mid/inner.zip/zip:DCIM/coffee.png");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ(ReaderMd5(*const_cast<Item*>(deep)->reader), coffee_md5_);
  // The containers themselves are items too (their own hashes matter).
  EXPECT_NE(FindByPath(items, "outer.zip/zip:mid.tar.gz"), nullptr);
  EXPECT_NE(FindByPath(items, "outer.zip/zip:mid.tar.gz/tar:mid/inner.zip"), nullptr);
}

TEST_F(ArchiveSourceTest, StopsAtMaxDepth) {
  // l1.zip > l2.zip > ... > l6.zip > coffee.png
  In("cp src/DCIM/coffee.png . && zip -q l6.zip coffee.png && for i in 5 4 3 2 1; do zip -q l$i.zip l$((i+1)).zip; done");
  SourceOptions options = Named("l1.zip");
  options.max_archive_depth = 3;
  std::vector<Item> items = OpenAndCollect(P("l1.zip"), options);
  // Depth 1 (l1), 2 (l2), 3 (l3) are expanded; l4.zip is yielded but not opened.
  const std::string l4 = "l1.zip/zip:l2.zip/zip:l3.zip/zip:l4.zip";
  ASSERT_NE(FindByPath(items, l4), nullptr);
  bool limit_reported = false;
  for (const Item& item : items) {
    EXPECT_EQ(item.info.path.find(l4 + "/"), std::string::npos) << item.info.path;
    if (item.info.kind == ItemKind::kError && item.info.path == l4) {
      EXPECT_EQ(item.info.status.code(), StatusCode::kResourceLimit);
      EXPECT_NE(item.info.status.message().find("depth limit (3)"), std::string::npos);
      limit_reported = true;
    }
  }
  EXPECT_TRUE(limit_reported);
  options.max_archive_depth = 6;
  items = OpenAndCollect(P("l1.zip"), options);
  EXPECT_NE(FindByPath(items, "l1.zip/zip:l2.zip/zip:l3.zip/zip:l4.zip/zip:l5.zip/zip:l6.zip/zip:coffee.png"), nullptr);
}

TEST_F(ArchiveSourceTest, TraversalAndAbsoluteEntryNamesAreDataNeverPaths) {
  In("python3 -c '\n"
     "import zipfile, tarfile, io\n"
     "z = zipfile.ZipFile(\"evil.zip\", \"w\")\n"
     "z.writestr(\"../../etc/hashtriage-escape\", \"pwned\")\n"
     "z.writestr(\"/tmp/hashtriage-absolute\", \"pwned\")\n"
     "z.writestr(\"ok.txt\", \"fine\")\n"
     "z.close()\n"
     "t = tarfile.open(\"evil.tar\", \"w\")\n"
     "data = b\"pwned\"\n"
     "for name in [\"../evil-tar\", \"/abs-tar\"]:\n"
     "    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))\n"
     "t.close()\n'");
  const auto before = hashtriage::testing::FilesUnder(dir_.path());
  for (const std::string name : {"evil.zip", "evil.tar"}) {
    std::vector<Item> items = OpenAndCollect(P(name), Named(name));
    int flagged = 0;
    for (Item& item : items) {
      ASSERT_TRUE(item.info.status.ok()) << item.info.status.ToString();
      ASSERT_NE(item.reader, nullptr);
      EXPECT_EQ(item.info.path.rfind(name + "/", 0), 0u) << item.info.path;  // always below the evidence
      if (!item.info.anomaly.empty()) {
        ++flagged;
        EXPECT_EQ(ReaderMd5(*item.reader), MustRun("printf pwned | md5sum").substr(0, 32));
      }
    }
    EXPECT_EQ(flagged, 2) << name;
  }
  EXPECT_NE(FindByPath(OpenAndCollect(P("evil.zip"), Named("e")), "e/zip:../../etc/hashtriage-escape"), nullptr);
  EXPECT_FALSE(fs::exists("/etc/hashtriage-escape"));
  EXPECT_FALSE(fs::exists("/tmp/hashtriage-absolute"));
  EXPECT_EQ(before, hashtriage::testing::FilesUnder(dir_.path()));  // nothing written anywhere
}

TEST_F(ArchiveSourceTest, ZipBombHitsTheDecompressionBudgetWithAClearError) {
  // 10 entries of 8 MiB of zeros: ~80 KB compressed, 80 MiB expanded.
  In("python3 -c '\n"
     "import zipfile\n"
     "z = zipfile.ZipFile(\"bomb.zip\", \"w\", zipfile.ZIP_DEFLATED)\n"
     "for i in range(10): z.writestr(\"zeros%d.bin\" % i, bytes(8 << 20))\n"
     "z.writestr(\"zz-after.txt\", \"never reached\")\n"
     "z.close()\n'");
  ASSERT_LT(fs::file_size(P("bomb.zip")), 200000u);
  SourceOptions options = Named("bomb.zip");
  options.max_decompressed_bytes = 20 << 20;
  options.max_expansion_ratio = 1;
  std::vector<Item> items = OpenAndCollect(P("bomb.zip"), options);
  ASSERT_FALSE(items.empty());
  const Item& last = items.back();
  EXPECT_EQ(last.info.kind, ItemKind::kError);
  EXPECT_EQ(last.info.status.code(), StatusCode::kResourceLimit);
  EXPECT_NE(last.info.status.message().find("zip-bomb guard"), std::string::npos) << last.info.status.message();
  EXPECT_NE(last.info.status.message().find("bomb.zip"), std::string::npos);
  EXPECT_EQ(OfKind(items, ItemKind::kFile).size(), 2u);  // 16 MiB fit in 20 MiB; the third entry crosses it
  EXPECT_EQ(FindByOriginalPath(items, "zz-after.txt"), nullptr);
}

TEST_F(ArchiveSourceTest, NestedBombsShareTheOutermostBudget) {
  In("python3 -c '\n"
     "import zipfile\n"
     "z = zipfile.ZipFile(\"inner.zip\", \"w\", zipfile.ZIP_DEFLATED)\n"
     "z.writestr(\"zeros.bin\", bytes(8 << 20)); z.close()\n"
     "o = zipfile.ZipFile(\"outer.zip\", \"w\")\n"
     "for i in range(5): o.write(\"inner.zip\", \"inner%d.zip\" % i)\n"
     "o.close()\n'");
  SourceOptions options = Named("outer.zip");
  options.max_decompressed_bytes = 20 << 20;
  options.max_expansion_ratio = 1;
  std::vector<Item> items = OpenAndCollect(P("outer.zip"), options);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back().info.status.code(), StatusCode::kResourceLimit);
  EXPECT_LT(OfKind(items, ItemKind::kFile).size(), 10u);
}

TEST_F(ArchiveSourceTest, LargeEntriesSpillToScratchOrAreReported) {
  In("head -c 3000000 /dev/urandom > big.bin && zip -q big.zip big.bin src/camera.png");
  SourceOptions options = Named("big.zip");
  options.max_in_memory_entry_bytes = 1 << 20;
  std::vector<Item> items = OpenAndCollect(P("big.zip"), options);
  const Item* big = FindByOriginalPath(items, "big.bin");
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->info.status.code(), StatusCode::kResourceLimit);
  EXPECT_NE(FindByOriginalPath(items, "src/camera.png"), nullptr);  // the next entry is still read

  fs::create_directories(dir_ / "scratch");
  options.scratch_dir = P("scratch");
  items = OpenAndCollect(P("big.zip"), options);
  Item* spilled = const_cast<Item*>(FindByOriginalPath(items, "big.bin"));
  ASSERT_NE(spilled, nullptr);
  ASSERT_NE(spilled->reader, nullptr);
  EXPECT_EQ(ReaderMd5(*spilled->reader), Md5sum(dir_ / "big.bin"));
  EXPECT_TRUE(fs::is_empty(dir_ / "scratch"));  // anonymous temporary file
}

TEST_F(ArchiveSourceTest, TruncatedArchiveYieldsTheEntriesBeforeTheCutAndAnErrorForTheOneItSplits) {
  constexpr int kCut = 200000;
  In("cd src && zip -q -0 ../a.zip camera.png DCIM/coffee.png && cd .. && head -c " + std::to_string(kCut) +
     " a.zip > cut.zip && tar cf a.tar src && head -c " + std::to_string(kCut) + " a.tar > cut.tar");
  // Truth from Python's zipfile and tarfile on the whole archives: "<entry> <first byte> <end>" of each
  // file's data (for zip, past its local header) in archive order.
  const std::string layout = In(
      "python3 -c '\n"
      "import struct, tarfile, zipfile\n"
      "raw = open(\"a.zip\", \"rb\").read()\n"
      "for i in zipfile.ZipFile(\"a.zip\").infolist():\n"
      "    name_len, extra_len = struct.unpack(\"<HH\", raw[i.header_offset + 26:i.header_offset + 30])\n"
      "    start = i.header_offset + 30 + name_len + extra_len\n"
      "    print(\"cut.zip/zip:\" + i.filename, start, start + i.compress_size)\n"
      "for m in tarfile.open(\"a.tar\"):\n"
      "    if m.isfile(): print(\"cut.tar/tar:\" + m.name, m.offset_data, m.offset_data + m.size)\n'");
  const std::map<std::string, std::string> md5_of{{"camera.png", camera_md5_}, {"coffee.png", coffee_md5_}};
  for (const std::string name : {"cut.zip", "cut.tar"}) {
    SCOPED_TRACE(name);
    auto source = OpenEvidenceSource(P(name), Named(name));
    ASSERT_TRUE(source.ok());
    std::vector<Item> items = CollectAll(**source);
    int whole = 0, split = 0;
    for (const std::string& line : hashtriage::testing::SplitLines(layout)) {
      std::istringstream fields(line);
      std::string path;
      long long start = 0, end = 0;
      fields >> path >> start >> end;
      if (path.rfind(name + "/", 0) != 0) continue;
      const Item* item = FindByPath(items, path);
      if (end <= kCut) {
        // Wholly before the cut: read, with the original bytes.
        ++whole;
        ASSERT_NE(item, nullptr) << path;
        ASSERT_NE(item->reader, nullptr) << path;
        EXPECT_EQ(ReaderMd5(*item->reader), md5_of.at(path.substr(path.find_last_of("/:") + 1))) << path;
      } else if (start < kCut) {
        // Split by the cut: recorded with an error naming it, never with a digest of what was left.
        ++split;
        bool reported = false;
        for (Item& i : items) {
          if (i.info.path != path) continue;
          reported = true;
          EXPECT_EQ(i.info.kind, ItemKind::kFile);
          Status status = i.info.status;
          if (status.ok() && i.reader != nullptr) {
            const std::string md5 = ReaderMd5(*i.reader);
            EXPECT_EQ(md5.rfind("error: ", 0), 0u) << md5;
            status = Status::Corruption(md5);
          }
          EXPECT_NE(status.message().find(path + ": "), std::string::npos) << status.message();
          EXPECT_NE(status.message().find("Truncated"), std::string::npos) << status.message();
        }
        EXPECT_TRUE(reported) << path;
      } else {
        // Wholly after the cut: not there.
        EXPECT_EQ(item, nullptr) << path;
      }
    }
    EXPECT_EQ(split, 1);
    EXPECT_EQ(whole, name == "cut.zip" ? 1 : 0);
    // Nothing else was made up: every item is one of the archive's entries or an error about the archive.
    for (const Item& item : items) {
      if (item.info.kind == ItemKind::kError) {
        EXPECT_EQ(item.info.path, name);
        EXPECT_FALSE(item.info.status.ok());
        EXPECT_NE(item.info.status.message().find(name + ": archive unreadable after"), std::string::npos)
            << item.info.status.message();
      } else {
        EXPECT_NE(layout.find(item.info.path + " "), std::string::npos) << item.info.path;
      }
    }
  }
}

TEST_F(ArchiveSourceTest, ReadersOutliveTheSourceAndWorkOnAnotherThread) {
  In("cd src && zip -q -r ../a.zip .");
  std::vector<Item> items;
  {
    auto source = OpenEvidenceSource(P("a.zip"), Named("a.zip"));
    ASSERT_TRUE(source.ok());
    items = CollectAll(**source);
  }
  std::map<std::string, std::string> digests;
  std::thread worker([&] { digests = DigestsByPath(items); });
  worker.join();
  EXPECT_EQ(digests["a.zip/zip:DCIM/coffee.png"], coffee_md5_);
  EXPECT_EQ(digests["a.zip/zip:camera.png"], camera_md5_);
}

TEST_F(ArchiveSourceTest, Iso9660ImageIsReadAsAnArchive) {
  // bsdtar (libarchive-tools) writes ISO 9660; skip where it is not installed.
  if (RunCommand("command -v bsdtar").exit_code != 0) GTEST_SKIP() << "bsdtar (libarchive-tools) not installed";
  In("cd src && bsdtar -cf ../a.iso --format iso9660 .");
  EXPECT_EQ(*DetectSourceType(P("a.iso")), SourceType::kArchive);
  std::vector<Item> items = OpenAndCollect(P("a.iso"), Named("a.iso"));
  Item* coffee = const_cast<Item*>(FindByPath(items, "a.iso/iso9660:DCIM/coffee.png"));
  ASSERT_NE(coffee, nullptr);
  EXPECT_EQ(ReaderMd5(*coffee->reader), coffee_md5_);
}

}  // namespace
}  // namespace hashtriage::ingest::testing

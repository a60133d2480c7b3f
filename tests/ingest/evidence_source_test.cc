// Type detection by content, the --type override, and refusing what must never be opened.
#include <sys/stat.h>

#include <filesystem>
#include <gtest/gtest.h>

#include "tests/ingest/ingest_test_util.h"

namespace hashtriage::ingest::testing {
namespace {

namespace fs = std::filesystem;

TEST(EvidenceSourceTest, DetectsTypeFromContentNotName) {
  TempDir dir;
  fs::create_directories(dir / "tree");
  fs::copy_file(Photo("skimage/coffee.png"), dir / "photo.zip");  // a PNG with a misleading name
  MustRun("cd " + ShellQuote(dir.path().string()) + " && cp photo.zip x && zip -q real.jpg x && tar cf t.dat x");
  EXPECT_EQ(*DetectSourceType((dir / "tree").string()), SourceType::kDirectory);
  EXPECT_EQ(*DetectSourceType((dir / "photo.zip").string()), SourceType::kFile);
  EXPECT_EQ(*DetectSourceType((dir / "real.jpg").string()), SourceType::kArchive);
  EXPECT_EQ(*DetectSourceType((dir / "t.dat").string()), SourceType::kArchive);
  EXPECT_EQ(DetectSourceType((dir / "absent").string()).status().code(), StatusCode::kNotFound);
}

TEST(EvidenceSourceTest, SingleFileIsOneItem) {
  TempDir dir;
  fs::copy_file(Photo("skimage/coffee.png"), dir / "coffee.png");
  std::vector<Item> items = OpenAndCollect((dir / "coffee.png").string());
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].info.path, "coffee.png");
  EXPECT_EQ(ReaderMd5(*items[0].reader), Md5sum(dir / "coffee.png"));
}

TEST(EvidenceSourceTest, EvidenceIdDefaultsToTheRealName) {
  TempDir dir;
  fs::create_directories(dir / "Seized Laptop");
  MustRun("printf x > " + ShellQuote((dir / "Seized Laptop/a.txt").string()));
  auto source = OpenEvidenceSource((dir / "Seized Laptop" / ".").string());
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->evidence_id(), "Seized Laptop");
  std::vector<Item> items = CollectAll(**source);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].info.path, "Seized Laptop/a.txt");
}

TEST(EvidenceSourceTest, TypeOverrideIsHonoured) {
  TempDir dir;
  MustRun("cd " + ShellQuote(dir.path().string()) + " && printf abc > x && zip -q a.zip x");
  SourceOptions options;
  options.type = SourceType::kFile;
  std::vector<Item> items = OpenAndCollect((dir / "a.zip").string(), options);
  // Forced to a single file: the zip is one item (and, with recursion, its entry follows).
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].info.path, "a.zip");
  options.recurse_into_archives = false;
  EXPECT_EQ(OpenAndCollect((dir / "a.zip").string(), options).size(), 1u);
  EXPECT_EQ(*ParseSourceType("e01"), SourceType::kEwf);
  EXPECT_EQ(ParseSourceType("floppy").status().code(), StatusCode::kInvalidArgument);
}

TEST(EvidenceSourceTest, FifoEvidenceIsRefusedWithoutBlocking) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0644), 0);
  auto type = DetectSourceType((dir / "pipe").string());
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().code(), StatusCode::kInvalidArgument);
  SourceOptions options;
  options.type = SourceType::kArchive;
  EXPECT_FALSE(OpenEvidenceSource((dir / "pipe").string(), options).ok());
}

}  // namespace
}  // namespace hashtriage::ingest::testing

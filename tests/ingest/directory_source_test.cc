// Directory trees: symlinks recorded not followed, loops, FIFOs, unreadable and vanishing entries,
// files changing while read, odd names, sparse files, and the evidence left exactly as it was.
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "tests/ingest/ingest_test_util.h"

namespace hashtriage::ingest::testing {
namespace {

namespace fs = std::filesystem;

// Root bypasses permission bits; this clears CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the calling
// thread's effective set (capabilities are per thread) so chmod 000 means unreadable, and restores them.
class ScopedNoDacOverride {
 public:
  ScopedNoDacOverride() {
    header_.version = _LINUX_CAPABILITY_VERSION_3;
    header_.pid = 0;
    ok_ = ::syscall(SYS_capget, &header_, saved_) == 0;
    if (!ok_) return;
    __user_cap_data_struct reduced[2] = {saved_[0], saved_[1]};
    reduced[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
    ok_ = ::syscall(SYS_capset, &header_, reduced) == 0;
  }
  ~ScopedNoDacOverride() {
    if (ok_) ::syscall(SYS_capset, &header_, saved_);
  }

 private:
  __user_cap_header_struct header_{};
  __user_cap_data_struct saved_[2]{};
  bool ok_ = false;
};

SourceOptions Named(const std::string& id) {
  SourceOptions o;
  o.evidence_id = id;
  return o;
}

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

TEST(DirectorySourceTest, YieldsEveryFileWithTheBytesMd5sumSees) {
  TempDir dir;
  fs::create_directories(dir / "ev/DCIM/sub");
  fs::copy_file(Photo("skimage/coffee.png"), dir / "ev/DCIM/coffee.png");
  fs::copy_file(Photo("skimage/camera.png"), dir / "ev/DCIM/sub/camera.png");
  Write(dir / "ev/empty.txt", "");
  std::vector<Item> items = OpenAndCollect((dir / "ev").string(), Named("ev"));
  ASSERT_EQ(OfKind(items, ItemKind::kFile).size(), 3u);
  auto digests = DigestsByPath(items);
  EXPECT_EQ(digests["ev/DCIM/coffee.png"], Md5sum(dir / "ev/DCIM/coffee.png"));
  EXPECT_EQ(digests["ev/DCIM/sub/camera.png"], Md5sum(dir / "ev/DCIM/sub/camera.png"));
  EXPECT_EQ(digests["ev/empty.txt"], Md5sum(dir / "ev/empty.txt"));
  const Item* coffee = FindByPath(items, "ev/DCIM/coffee.png");
  ASSERT_NE(coffee, nullptr);
  EXPECT_EQ(coffee->info.original_path, "DCIM/coffee.png");
  EXPECT_EQ(coffee->info.size, fs::file_size(dir / "ev/DCIM/coffee.png"));
  EXPECT_TRUE(coffee->info.modified.has_value());
  EXPECT_FALSE(coffee->info.deleted || coffee->info.inside_archive);
}

TEST(DirectorySourceTest, RecordsSymlinksWithoutFollowingThemAndSurvivesLoops) {
  TempDir dir;
  fs::create_directories(dir / "ev/a");
  fs::copy_file(Photo("skimage/coffee.png"), dir / "ev/a/coffee.png");
  fs::create_directory_symlink("..", dir / "ev/a/up");           // loop back to the root
  fs::create_symlink("loop2", dir / "ev/loop1");                  // a -> b -> a
  fs::create_symlink("loop1", dir / "ev/loop2");
  fs::create_symlink("/etc/passwd", dir / "ev/outside");          // points out of the evidence
  std::vector<Item> items = OpenAndCollect((dir / "ev").string(), Named("ev"));
  EXPECT_EQ(OfKind(items, ItemKind::kSymlink).size(), 4u);
  EXPECT_EQ(OfKind(items, ItemKind::kFile).size(), 1u);  // /etc/passwd and the loop are not entered
  for (const Item& item : items) {
    if (item.info.kind == ItemKind::kSymlink) {
      EXPECT_EQ(item.reader, nullptr);
    }
    EXPECT_NE(item.info.kind, ItemKind::kError) << item.info.status.ToString();
  }
}

TEST(DirectorySourceTest, FifoIsRecordedAsSpecialAndNeverOpened) {
  TempDir dir;
  fs::create_directories(dir / "ev");
  ASSERT_EQ(::mkfifo((dir / "ev/pipe").c_str(), 0644), 0);
  Write(dir / "ev/z.txt", "after the fifo");
  std::vector<Item> items = OpenAndCollect((dir / "ev").string(), Named("ev"));  // would hang if opened
  const Item* pipe = FindByPath(items, "ev/pipe");
  ASSERT_NE(pipe, nullptr);
  EXPECT_EQ(pipe->info.kind, ItemKind::kSpecial);
  EXPECT_EQ(pipe->reader, nullptr);
  EXPECT_NE(FindByPath(items, "ev/z.txt"), nullptr);
}

TEST(DirectorySourceTest, ReportsUnreadableFileAndDirectoryAndGoesOn) {
  TempDir dir;
  fs::create_directories(dir / "ev/locked");
  Write(dir / "ev/locked/inside.txt", "x");
  Write(dir / "ev/secret.txt", "secret");
  Write(dir / "ev/readable.txt", "fine");
  fs::permissions(dir / "ev/secret.txt", fs::perms::none);
  fs::permissions(dir / "ev/locked", fs::perms::none);
  std::vector<Item> items;
  {
    ScopedNoDacOverride no_override;
    items = OpenAndCollect((dir / "ev").string(), Named("ev"));
  }
  fs::permissions(dir / "ev/locked", fs::perms::owner_all);
  const Item* secret = FindByPath(items, "ev/secret.txt");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ(secret->info.status.code(), StatusCode::kIOError);
  EXPECT_NE(secret->info.status.message().find("ev/secret.txt"), std::string::npos);
  EXPECT_EQ(secret->reader, nullptr);
  bool locked_reported = false;
  for (const Item& item : items) {
    if (item.info.kind == ItemKind::kError && item.info.path == "ev/locked") locked_reported = true;
  }
  EXPECT_TRUE(locked_reported);
  ASSERT_NE(FindByPath(items, "ev/readable.txt"), nullptr);
}

TEST(DirectorySourceTest, FileThatVanishesBeforeItsTurnIsReported) {
  TempDir dir;
  fs::create_directories(dir / "ev");
  Write(dir / "ev/a.txt", "a");
  Write(dir / "ev/b.txt", "b");
  auto source = OpenEvidenceSource((dir / "ev").string(), Named("ev"));
  ASSERT_TRUE(source.ok());
  auto first = (*source)->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->info.path, "ev/a.txt");
  fs::remove(dir / "ev/b.txt");
  auto second = (*source)->Next();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->info.kind, ItemKind::kError);
  EXPECT_EQ((*second)->info.status.code(), StatusCode::kNotFound);
  auto end = (*source)->Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(DirectorySourceTest, ReaderFailsWhenFileGrowsOrShrinksAfterEnumeration) {
  TempDir dir;
  fs::create_directories(dir / "ev");
  Write(dir / "ev/grows.txt", "0123456789");
  Write(dir / "ev/shrinks.txt", "0123456789");
  std::vector<Item> items = OpenAndCollect((dir / "ev").string(), Named("ev"));
  ASSERT_EQ(items.size(), 2u);
  { std::ofstream(dir / "ev/grows.txt", std::ios::app) << "more bytes"; }
  fs::resize_file(dir / "ev/shrinks.txt", 3);
  for (Item& item : items) {
    ASSERT_NE(item.reader, nullptr);
    const std::string md5 = ReaderMd5(*item.reader);
    EXPECT_EQ(md5.rfind("error: IO error", 0), 0u) << item.info.path << " " << md5;
  }
}

TEST(DirectorySourceTest, HandlesNonUtf8VeryLongAndDeepNames) {
  TempDir dir;
  fs::create_directories(dir / "ev");
  // A name with invalid UTF-8, a 255-byte name, and a file more than PATH_MAX below the root.
  MustRun("cd " + ShellQuote((dir / "ev").string()) + " && python3 -c '\n"
          "import os\n"
          "open(b\"bad\\xff\\xfe.txt\", \"wb\").write(b\"latin\")\n"
          "open(\"n\" * 251 + \".txt\", \"wb\").write(b\"long\")\n"
          "for i in range(20):\n"
          "    os.mkdir(\"d\" * 250); os.chdir(\"d\" * 250)\n"
          "open(\"deep.txt\", \"wb\").write(b\"deep\")\n'");
  std::vector<Item> items = OpenAndCollect((dir / "ev").string(), Named("ev"));
  const Item* bad = FindByPath(items, "ev/bad%FF%FE.txt");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(ReaderMd5(*bad->reader), Md5sum(dir / "ev" / "bad\xff\xfe.txt"));
  const Item* long_name = FindByPath(items, "ev/" + std::string(251, 'n') + ".txt");
  ASSERT_NE(long_name, nullptr);
  EXPECT_EQ(ReaderMd5(*long_name->reader), Md5sum(dir / "ev" / (std::string(251, 'n') + ".txt")));
  std::string deep = "ev";
  for (int i = 0; i < 20; ++i) deep += "/" + std::string(250, 'd');
  deep += "/deep.txt";
  ASSERT_GT(deep.size(), 4096u);
  Item* deep_item = nullptr;
  for (Item& item : items) {
    if (item.info.path == deep) deep_item = &item;
  }
  ASSERT_NE(deep_item, nullptr);
  EXPECT_EQ(ReaderMd5(*deep_item->reader), MustRun("printf deep | md5sum").substr(0, 32));
}

TEST(DirectorySourceTest, SparseFileLargerThan4GiBEnumeratesAndStreams) {
  TempDir dir;
  fs::create_directories(dir / "ev");
  MustRun("truncate -s 5G " + ShellQuote((dir / "ev/big.sparse").string()));
  std::vector<Item> items = OpenAndCollect((dir / "ev").string(), Named("ev"));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].info.size, std::uint64_t{5} << 30);
  ASSERT_NE(items[0].reader, nullptr);
  EXPECT_EQ(items[0].reader->size(), std::uint64_t{5} << 30);
  std::vector<std::byte> buf(1 << 20);
  auto n = items[0].reader->Read(buf);  // streams: no attempt to load 5 GiB
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, buf.size());
  ASSERT_TRUE(items[0].reader->Seek((std::uint64_t{5} << 30) - 10).ok());
  auto tail = items[0].reader->Read(buf);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, 10u);
}

struct StatRecord {
  std::int64_t atime_ns, mtime_ns, ctime_ns;
  friend bool operator==(const StatRecord&, const StatRecord&) = default;
};

std::vector<fs::path> TreePaths(const fs::path& root) {
  std::vector<fs::path> paths{root};
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    paths.push_back(it->path());
  }
  return paths;
}

// Times only: stat() changes no time. (md5sum would update atimes, so digests are taken separately.)
std::map<std::string, StatRecord> TimesOf(const fs::path& root) {
  std::map<std::string, StatRecord> out;
  for (const fs::path& p : TreePaths(root)) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    out[p.string()] = StatRecord{st.st_atim.tv_sec * 1000000000LL + st.st_atim.tv_nsec,
                                 st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                                 st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec};
  }
  return out;
}

std::map<std::string, std::string> Md5sOf(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const fs::path& p : TreePaths(root)) {
    if (fs::is_regular_file(fs::symlink_status(p))) out[p.string()] = Md5sum(p);
  }
  return out;
}

TEST(DirectorySourceTest, EvidenceIsUnchangedAfterAFullScanAndRead) {
  TempDir dir;
  fs::create_directories(dir / "ev/DCIM");
  fs::copy_file(Photo("skimage/coffee.png"), dir / "ev/DCIM/coffee.png");
  fs::copy_file(Photo("skimage/camera.png"), dir / "ev/camera.png");
  MustRun("cd " + ShellQuote(dir.path().string()) + " && zip -q -r ev/photos.zip ev/DCIM");
  fs::create_symlink("DCIM/coffee.png", dir / "ev/link");
  const auto md5_before = Md5sOf(dir / "ev");
  // Old atimes: with relatime, any ordinary read or directory listing would now update them.
  MustRun("find " + ShellQuote((dir / "ev").string()) + " -not -type l -exec touch -a -d 2001-01-01 {} +");
  // Is the oracle able to fail here: does this file system record atimes on read?
  Write(dir / "probe.txt", "probe");
  MustRun("touch -a -d 2001-01-01 " + ShellQuote((dir / "probe.txt").string()) + " && cat " +
          ShellQuote((dir / "probe.txt").string()) + " >/dev/null");
  struct stat probe;
  ASSERT_EQ(::stat((dir / "probe.txt").c_str(), &probe), 0);
  const bool atime_recorded = probe.st_atim.tv_sec > 1020000000;
  const auto times_before = TimesOf(dir / "ev");

  std::vector<Item> items = OpenAndCollect((dir / "ev").string(), Named("ev"));
  auto digests = DigestsByPath(items);
  EXPECT_EQ(digests.size(), 4u);  // coffee, camera, the zip, and coffee inside the zip
  EXPECT_EQ(digests["ev/photos.zip/zip:ev/DCIM/coffee.png"], md5_before.at((dir / "ev/DCIM/coffee.png").string()));
  EXPECT_EQ(digests["ev/camera.png"], md5_before.at((dir / "ev/camera.png").string()));

  EXPECT_EQ(times_before, TimesOf(dir / "ev"));
  EXPECT_EQ(md5_before, Md5sOf(dir / "ev"));
  if (!atime_recorded) std::cerr << "note: this file system does not update atimes; the atime check is vacuous\n";
}

}  // namespace
}  // namespace hashtriage::ingest::testing

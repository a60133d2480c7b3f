// The hostile evidence suite: one scan over everything an adversarial or damaged device may hold
// (tests/reliability/make-hostile-evidence: corrupt and truncated images of every format, headers
// claiming 60000x60000, a zip bomb, deep nesting, path-traversal entry names, symlink loops, a FIFO,
// unreadable files, odd and very long names, a 4 GiB sparse file, a file rewritten during the scan).
// The scan must complete, record every bad item with its reason, write nothing outside its case
// directory, stay within its memory budget, leave the evidence as it was, and say in its exit status
// that there were errors. Run as root, the scan runs without the capabilities that bypass permissions.
#include <gtest/gtest.h>

#include <atomic>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include "tests/reliability/reliability_util.h"

namespace hashtriage::reliability {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;

constexpr int kMemoryMb = 64;
constexpr std::uint64_t kSparseSize = (std::uint64_t{4} << 30) + (1 << 20);

// md5 of `n` copies of byte `c`, from coreutils.
std::string Md5OfRepeated(std::uint64_t n, char c) {
  const std::string tr = c == '\0' ? "" : std::string(" | tr '\\0' '") + c + "'";
  return RunCommand("head -c " + std::to_string(n) + " /dev/zero" + tr + " | md5sum").out.substr(0, 32);
}

// Rewrites a file between 0 and 2 MiB of 'g' bytes until stopped: whatever the scan reads of it must be
// a consistent size and content, or an error saying it changed.
class ChangingFile {
 public:
  explicit ChangingFile(fs::path path) : path_(std::move(path)) {
    testing::WriteText(path_, std::string(1 << 20, 'g'));
    thread_ = std::thread([this] {
      const std::string block(2 << 20, 'g');
      while (!stop_) {
        const int fd = ::open(path_.c_str(), O_WRONLY);
        if (fd < 0) return;
        if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, block.data(), block.size(), 0) < 0 || ::ftruncate(fd, 1 << 20) != 0) {
          ::close(fd);
          return;
        }
        ::close(fd);
        ++rewrites_;
      }
    });
  }
  ~ChangingFile() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long rewrites() const { return rewrites_; }

 private:
  fs::path path_;
  std::atomic<bool> stop_{false};
  std::atomic<long> rewrites_{0};
  std::thread thread_;
};

class HostileEvidenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new testing::TempDir();
    const fs::path root = root_->path();
    absolute_entry_ = root / "absolute-target" / "x";
    const auto script = fs::path(HASHTRIAGE_SOURCE_DIR) / "tests/reliability/make-hostile-evidence";
    const auto made = RunCommand(Q(script) + " " + Q(root / "evidence") + " " + Q(testing::TestDataDir()) + " " +
                                 Q(absolute_entry_));
    ASSERT_EQ(made.exit_code, 0) << made.err;
    for (const auto& line : testing::SplitLines(made.out)) {
      const auto tab = line.find('\t');
      bad_items_.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    for (const char* d : {"work/a/b", "home", "tmpdir", "baseline-evidence"}) fs::create_directories(root / d);
    fs::copy_file(root / "evidence/images/ok.jpg", root / "baseline-evidence/ok.jpg");
    // A known set, so that matching runs too: the good JPEG, category A.
    const std::string md5 = RunCommand("md5sum " + Q(root / "evidence/images/ok.jpg")).out.substr(0, 32);
    testing::WriteText(root / "known.md5", md5 + "  ok.jpg\n");
    const auto imported = RunCommand(Bin() + " index import --index " + Q(root / "index") +
                                     " --set known --format md5sum --category A " + Q(root / "known.md5"));
    ASSERT_EQ(imported.exit_code, 0) << imported.err;

    const std::vector<std::string> env{"HOME=" + (root / "home").string(), "TMPDIR=" + (root / "tmpdir").string()};
    const std::string scan = WithoutPermissionBypass() + Bin() + " scan --memory " + std::to_string(kMemoryMb) +
                             " --max-image-mb 16 --max-expansion-mb 256 --index " + Q(root / "index") + " --case ";
    // The same command over one ordinary photo: the process's own footprint, without evidence.
    baseline_ = new MeasuredResult(RunMeasured(scan + Q(root / "baseline-case") + " " + Q(root / "baseline-evidence"),
                                               root / "work/a/b", env));
    ASSERT_EQ(baseline_->exit_code, 10) << baseline_->err;

    fs::create_directories(root / "evidence/changing");
    // Listing a directory for the first time may set its access time (relatime): settle that first.
    TreeSnapshot(root, /*with_atime=*/true);
    before_ = TreeSnapshot(root, /*with_atime=*/true, {"evidence/changing", "baseline-case"});
    ChangingFile changing(root / "evidence/changing/rewritten.bin");
    result_ = new MeasuredResult(RunMeasured(scan + Q(root / "case") + " " + Q(root / "evidence"), root / "work/a/b", env));
    changing.Stop();
    rewrites_ = changing.rewrites();
    after_ = TreeSnapshot(root, /*with_atime=*/true, {"evidence/changing", "baseline-case", "case"});
    for (const auto& r : ExportRecords(root / "case")) records_.push_back(r);
  }

  static void TearDownTestSuite() {
    // The deep directory's path is longer than PATH_MAX: coreutils rm walks it relatively.
    RunCommand("chmod -R u+rwx " + Q(root_->path()) + "; rm -rf " + Q(root_->path() / "evidence"));
    delete result_;
    delete baseline_;
    delete root_;
    records_.clear();
    bad_items_.clear();
  }

  // Records whose provenance path is under evidence/<relative> (the item itself and anything in it).
  static std::vector<nlohmann::json> Under(const std::string& relative) {
    std::vector<nlohmann::json> out;
    const std::string prefix = "evidence/" + relative;
    for (const auto& r : records_) {
      const std::string path = r["path"].get<std::string>();
      if (path == prefix || path.starts_with(prefix + "/")) out.push_back(r);
    }
    return out;
  }
  static const nlohmann::json* One(const std::string& relative) {
    for (const auto& r : records_) {
      if (r["path"] == "evidence/" + relative) return &r;
    }
    return nullptr;
  }
  static std::string ErrorsOf(const std::vector<nlohmann::json>& records) {
    std::string s;
    for (const auto& r : records) {
      if (!r["error"].is_null()) s += r["error"].get<std::string>() + "\n";
    }
    return s;
  }

  static testing::TempDir* root_;
  static fs::path absolute_entry_;
  static std::vector<std::pair<std::string, std::string>> bad_items_;
  static MeasuredResult* baseline_;
  static MeasuredResult* result_;
  static std::string before_, after_;
  static long rewrites_;
  static std::vector<nlohmann::json> records_;
};
testing::TempDir* HostileEvidenceTest::root_ = nullptr;
fs::path HostileEvidenceTest::absolute_entry_;
std::vector<std::pair<std::string, std::string>> HostileEvidenceTest::bad_items_;
MeasuredResult* HostileEvidenceTest::baseline_ = nullptr;
MeasuredResult* HostileEvidenceTest::result_ = nullptr;
std::string HostileEvidenceTest::before_, HostileEvidenceTest::after_;
long HostileEvidenceTest::rewrites_ = 0;
std::vector<nlohmann::json> HostileEvidenceTest::records_;

TEST_F(HostileEvidenceTest, ScanCompletesSaysKnownMaterialAndCountsTheErrors) {
  ASSERT_NE(result_, nullptr);
  // ok.jpg is known: exit 10 outranks the errors (exit 1 means errors and nothing known found).
  EXPECT_EQ(result_->exit_code, 10) << result_->out << result_->err;
  EXPECT_EQ(result_->err.find("Sanitizer"), std::string::npos) << result_->err;
  EXPECT_NE(result_->out.find("errors "), std::string::npos) << result_->out;
  // Every enumerated item has a record: the good images too, after all the bad ones.
  for (const char* good : {"images/ok.jpg", "images/ok.png", "images/ok.gif", "images/ok.webp", "images/ok.heic"}) {
    const auto* r = One(good);
    ASSERT_NE(r, nullptr) << good;
    EXPECT_TRUE((*r)["error"].is_null()) << good << ": " << (*r)["error"];
    EXPECT_FALSE((*r)["pdq"].is_null()) << good;
  }
  const auto* known = One("images/ok.jpg");
  ASSERT_NE(known, nullptr);
  ASSERT_EQ((*known)["hits"].size(), 1u);
  EXPECT_EQ((*known)["hits"][0]["category"], "A");
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(root_->path() / "case")).exit_code, 0);
}

TEST_F(HostileEvidenceTest, EveryBadItemIsRecordedWithItsReason) {
  ASSERT_FALSE(bad_items_.empty());
  // What each kind of bad item's error (or anomaly) must say.
  const std::map<std::string, std::vector<std::string>> reasons{
      {"image error", {"truncated", "failed", "corrupt", "end of file", "Unexpected end"}},
      {"pixel limit", {"60000x60000", "pixel limit"}},
      {"expansion budget", {"zip-bomb guard"}},
      {"nesting limit", {"nesting depth limit"}},
      {"not readable", {"not readable"}},
      {"cannot list", {"cannot open directory", "cannot list"}},
      {"image too large", {"digested, not decoded"}},
  };
  for (const auto& [item, what] : bad_items_) {
    SCOPED_TRACE(item + " (" + what + ")");
    const auto records = Under(item);
    ASSERT_FALSE(records.empty()) << "no record at all";
    if (what == "anomaly") {
      int flagged = 0;
      for (const auto& r : records) flagged += !r["anomaly"].is_null();
      EXPECT_EQ(flagged, 2) << "the ../../etc/x and absolute entries";
      continue;
    }
    const std::string errors = ErrorsOf(records);
    ASSERT_FALSE(errors.empty()) << "no error recorded";
    bool explained = false;
    for (const auto& word : reasons.at(what)) explained = explained || errors.find(word) != std::string::npos;
    EXPECT_TRUE(explained) << errors;
    // One line per reason: an examiner reads these in a table.
    for (const auto& r : records) {
      if (!r["error"].is_null()) {
        EXPECT_EQ(r["error"].get<std::string>().find('\n'), std::string::npos);
      }
    }
  }
  // The bomb was stopped by its budget, not expanded: no record claims the full gibibyte was read.
  for (const auto& r : Under("archives/bomb.zip")) {
    EXPECT_TRUE(r["md5"].is_null() || r["size"].get<std::uint64_t>() < (1u << 30)) << r.dump();
  }
}

TEST_F(HostileEvidenceTest, OddButHarmlessItemsAreRecordedAndNeverFollowed) {
  for (const char* link : {"special/loop-a", "special/loop-b", "special/dir-loop", "special/outside"}) {
    const auto* r = One(link);
    ASSERT_NE(r, nullptr) << link;
    EXPECT_EQ((*r)["kind"], "symlink") << link;
    EXPECT_TRUE((*r)["md5"].is_null()) << link << ": a symlink's target must not be read";
  }
  ASSERT_NE(One("special/fifo"), nullptr);
  EXPECT_EQ((*One("special/fifo"))["kind"], "special");
  ASSERT_NE(One("special/empty"), nullptr);
  EXPECT_EQ((*One("special/empty"))["md5"], "d41d8cd98f00b204e9800998ecf8427e");
  // Names: the non-UTF-8 one escaped (the export is valid UTF-8), the 255-byte one whole, the file
  // below a path longer than PATH_MAX read.
  ASSERT_NE(One("names/bad-%FF%FE-name.jpg"), nullptr);
  ASSERT_NE(One("names/" + std::string(251, 'L') + ".jpg"), nullptr);
  std::string deep = "names";
  for (int i = 0; i < 24; ++i) deep += "/" + std::string(200, 'd');
  const auto* deep_file = One(deep + "/deep.txt");
  ASSERT_NE(deep_file, nullptr);
  EXPECT_EQ((*deep_file)["md5"], RunCommand("printf 'at the bottom of a very long path\\n' | md5sum").out.substr(0, 32));
  // The 4 GiB + 1 MiB sparse file: all of it hashed (offsets past 2^32), checked against coreutils.
  const auto* sparse = One("big/sparse.bin");
  ASSERT_NE(sparse, nullptr);
  EXPECT_EQ((*sparse)["size"].get<std::uint64_t>(), kSparseSize);
  EXPECT_TRUE((*sparse)["error"].is_null()) << (*sparse)["error"];
  EXPECT_EQ((*sparse)["md5"], Md5OfRepeated(kSparseSize, '\0'));
}

TEST_F(HostileEvidenceTest, AFileRewrittenDuringTheScanIsReadConsistentlyOrReportedAsChanged) {
  EXPECT_GT(rewrites_, 0) << "the file was not rewritten during the scan";
  const auto* r = One("changing/rewritten.bin");
  ASSERT_NE(r, nullptr);
  if ((*r)["error"].is_null()) {
    // A clean record must be exactly some state of the file: size and content agree.
    EXPECT_EQ((*r)["md5"], Md5OfRepeated((*r)["size"].get<std::uint64_t>(), 'g')) << r->dump();
  } else {
    EXPECT_FALSE((*r)["error"].get<std::string>().empty());
  }
  // The evidence changed while it was scanned: the scan says so and counts it as an error.
  EXPECT_NE(result_->out.find("EVIDENCE CHANGED DURING THE SCAN"), std::string::npos) << result_->out;
}

TEST_F(HostileEvidenceTest, NothingIsWrittenOutsideTheCaseDirectory) {
  // Everything else under the test's root (evidence with its access times, the index, the working
  // directory that ../../etc/x would land beside, HOME, TMPDIR) is exactly as before.
  EXPECT_EQ(after_, before_);
  EXPECT_FALSE(fs::exists(absolute_entry_));
  EXPECT_FALSE(fs::exists(absolute_entry_.parent_path()));
  EXPECT_FALSE(fs::exists(root_->path() / "work/etc"));
  EXPECT_TRUE(fs::is_empty(root_->path() / "home"));
  EXPECT_TRUE(fs::is_empty(root_->path() / "tmpdir"));
  EXPECT_TRUE(fs::is_empty(root_->path() / "work/a/b"));
}

TEST_F(HostileEvidenceTest, MemoryStaysWithinTheBudget) {
  // The process's own footprint (libraries, RocksDB, thread stacks: the one-photo scan) plus the
  // content budget (--memory 64; --max-image-mb 16 is below it), with room for decoders' working memory. Under AddressSanitizer freed
  // memory is held in a quarantine (256 MB by default) before reuse, so the bound is widened by that.
  long allowance_kb = (kMemoryMb + 64) * 1024L;
#if defined(__SANITIZE_ADDRESS__)
  allowance_kb += 256 * 1024L;
#endif
  EXPECT_LT(result_->max_rss_kb, baseline_->max_rss_kb + allowance_kb)
      << "peak " << result_->max_rss_kb / 1024 << " MB, one-photo scan " << baseline_->max_rss_kb / 1024 << " MB";
  // And well under what reading any of the big items whole would take.
  EXPECT_LT(result_->max_rss_kb, 900 * 1024L);
}

}  // namespace
}  // namespace hashtriage::reliability

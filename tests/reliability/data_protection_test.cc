// Data protection: case and index directories are owner-only (0700, files 0600) whatever the caller's
// umask; a case directory writable by others is refused with a clear message and left untouched; at
// default verbosity no evidence content, no hash of an unknown file and no subject data reaches the
// terminal or any log file; `case purge` destroys a case only when confirmed, only a case, only when
// no one else has it open, overwriting every byte before removing it and never following a link.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/reliability/reliability_util.h"

namespace hashtriage::reliability {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;

constexpr char kContentMarker[] = "CONTENT-MARKER-7f3a9 private words of the evidence";
constexpr char kSubjectEmail[] = "subject-marker-51c2@example.org";
constexpr char kSubjectName[] = "Marker Person 8d0e";

class DataProtectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path ev = dir_ / "evidence";
    fs::create_directories(ev);
    testing::WriteText(ev / "letter.txt", std::string(kContentMarker) + "\n");
    fs::copy_file(testing::TestDataDir() / "photos/skimage/camera.png", ev / "photo.png");
    ASSERT_EQ(RunCommand("cd " + Q(ev) + " && zip -q inner.zip letter.txt").exit_code, 0);
    testing::WriteText(dir_ / "known.md5", "0cc175b9c0f1b6a831c399e269772661  known\n");
    nlohmann::json report{{"reportId", "TIP-77"},
                          {"reportedPerson", {{"espService", "PhotoShare"}, {"espIdentifier", "u-77"},
                                              {"email", {kSubjectEmail}}, {"displayName", {kSubjectName}}}},
                          {"files", {{{"originalFileName", "x.jpg"},
                                      {"originalFileHash", {{{"hashType", "MD5"}, {"value", "0cc175b9c0f1b6a831c399e269772661"}}}}}}}};
    testing::WriteText(dir_ / "tip.json", report.dump());
  }

  // Runs a hashtriage command with a permissive umask, collecting everything it prints.
  testing::CommandResult Run(const std::string& args) {
    auto r = RunCommand("umask 022; " + Bin() + " " + args);
    printed_ += r.out + r.err;
    return r;
  }

  testing::TempDir dir_;
  std::string printed_;
};

TEST_F(DataProtectionTest, CaseAndIndexAreOwnerOnlyWhateverTheUmask) {
  ASSERT_EQ(Run("index import --index " + Q(dir_ / "index") + " --set k --format md5sum --category A " + Q(dir_ / "known.md5")).exit_code, 0);
  ASSERT_EQ(Run("scan --index " + Q(dir_ / "index") + " --case " + Q(dir_ / "case") + " " + Q(dir_ / "evidence")).exit_code, 0);
  ASSERT_EQ(Run("intake --index " + Q(dir_ / "index") + " --case " + Q(dir_ / "case") + " " + Q(dir_ / "tip.json")).exit_code, 0);
  ASSERT_EQ(Run("export files --case " + Q(dir_ / "case") + " --out " + Q(dir_ / "files.jsonl")).exit_code, 0);
  int checked = 0;
  for (const fs::path& root : {dir_ / "case", dir_ / "index"}) {
    struct stat st {};
    ASSERT_EQ(::stat(root.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << root;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
      if (S_ISLNK(st.st_mode)) continue;
      EXPECT_EQ(st.st_mode & 0777, S_ISDIR(st.st_mode) ? 0700u : 0600u) << entry.path();
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "files.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DataProtectionTest, CaseWritableByOthersIsRefusedAndLeftUntouched) {
  ASSERT_EQ(Run("scan --no-index --case " + Q(dir_ / "case") + " " + Q(dir_ / "evidence")).exit_code, 0);
  ASSERT_EQ(::chmod((dir_ / "case").c_str(), 0707), 0);
  const std::string before = TreeSnapshot(dir_ / "case", /*with_atime=*/false);
  for (const std::string command : {"scan --no-index", "case status", "export files", "audit verify", "case purge --yes"}) {
    SCOPED_TRACE(command);
    const auto r = Run(command + " --case " + Q(dir_ / "case") + (command == "scan --no-index" ? " " + Q(dir_ / "evidence") : ""));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("writable by group or others"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("chmod 700"), std::string::npos) << "the message says how to fix it: " << r.err;
  }
  EXPECT_EQ(TreeSnapshot(dir_ / "case", /*with_atime=*/false), before);
}

TEST_F(DataProtectionTest, NoContentUnknownHashesOrSubjectDataInOutputOrLogs) {
  ASSERT_EQ(Run("index import --index " + Q(dir_ / "index") + " --set k --format md5sum --category A " + Q(dir_ / "known.md5")).exit_code, 0);
  ASSERT_EQ(Run("case init --case " + Q(dir_ / "case")).exit_code, 0);
  ASSERT_EQ(Run("scan --index " + Q(dir_ / "index") + " --case " + Q(dir_ / "case") + " " + Q(dir_ / "evidence")).exit_code, 0);
  ASSERT_EQ(Run("scan --kiosk --index " + Q(dir_ / "index") + " --case " + Q(dir_ / "kiosk") + " " + Q(dir_ / "evidence")).exit_code, 0);
  ASSERT_EQ(Run("intake --index " + Q(dir_ / "index") + " --case " + Q(dir_ / "case") + " " + Q(dir_ / "tip.json")).exit_code, 0);
  for (const char* command : {"case status", "audit verify", "audit show"}) {
    ASSERT_EQ(Run(std::string(command) + " --case " + Q(dir_ / "case")).exit_code, 0);
  }
  // Everything printed, plus every log file of the case and index stores.
  std::string logs = printed_;
  for (const fs::path& root : {dir_ / "case", dir_ / "kiosk", dir_ / "index"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().filename().string().starts_with("LOG")) {
        logs += RunCommand("cat " + Q(entry.path())).out;
      }
    }
  }
  ASSERT_GT(logs.size(), 1000u);
  std::vector<std::string> secrets{"CONTENT-MARKER-7f3a9", kSubjectEmail, kSubjectName, "u-77"};
  // The unknown files' hashes (from the case's own records, which are not a log).
  for (const auto& r : ExportRecords(dir_ / "case")) {
    for (const char* h : {"md5", "sha1", "sha256", "xxh3_128", "pdq"}) {
      if (r[h].is_string() && r["hits"].empty()) secrets.push_back(r[h].get<std::string>());
    }
  }
  ASSERT_GT(secrets.size(), 10u);
  for (const auto& secret : secrets) EXPECT_EQ(logs.find(secret), std::string::npos) << secret;
}

TEST_F(DataProtectionTest, PurgeNeedsConfirmationAndOnlyDestroysAnUnusedCase) {
  const fs::path c = dir_ / "case";
  ASSERT_EQ(Run("scan --no-index --case " + Q(c) + " " + Q(dir_ / "evidence")).exit_code, 0);
  // A wrong answer, a directory that is not a case, and a case someone has open: nothing removed.
  auto r = RunCommand("echo nope | " + Bin() + " case purge --case " + Q(c));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not confirmed"), std::string::npos) << r.err;
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);
  fs::create_directories(dir_ / "not-a-case");
  testing::WriteText(dir_ / "not-a-case/keep.txt", "keep");
  r = RunCommand(Bin() + " case purge --yes --case " + Q(dir_ / "not-a-case"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "not-a-case/keep.txt"));
  {
    engine::CaseOptions options;
    options.location = c.string();
    auto held = engine::OpenCase(options);
    ASSERT_TRUE(held.ok());
    r = RunCommand(Bin() + " case purge --yes --case " + Q(c));
    EXPECT_NE(r.exit_code, 0) << "purged a case another process has open";
  }
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);
}

TEST_F(DataProtectionTest, PurgeOverwritesEveryByteAndNeverFollowsALink) {
  const fs::path c = dir_ / "case";
  ASSERT_EQ(Run("scan --no-index --case " + Q(c) + " " + Q(dir_ / "evidence")).exit_code, 0);
  testing::WriteText(dir_ / "outside.txt", "must survive");
  fs::create_symlink(dir_ / "outside.txt", c / "link-to-outside");
  fs::create_directory_symlink(dir_ / "evidence", c / "link-to-evidence");
  const fs::path trace = dir_ / "purge.strace";
  const auto r = RunCommand("echo case | " + kNoLeakCheckUnderTrace + "strace -f -qq -e trace=pwrite64,unlinkat -o " + Q(trace) + " " + Bin() +
                            " case purge --json --case " + Q(c));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto receipt = nlohmann::json::parse(r.out);
  EXPECT_FALSE(fs::exists(c));
  EXPECT_EQ(RunCommand("cat " + Q(dir_ / "outside.txt")).out, "must survive");
  EXPECT_TRUE(fs::exists(dir_ / "evidence/letter.txt"));
  EXPECT_EQ(receipt["links_removed"], 2);
  EXPECT_EQ(receipt["audit_head"].get<std::string>().size(), 64u);
  EXPECT_GE(receipt["files_overwritten"].get<int>(), 5);
  // Every byte reported was written over (pwrite64 return values) before the files were unlinked.
  std::uint64_t written = 0;
  int unlinked = 0;
  for (const auto& line : testing::SplitLines(RunCommand("cat " + Q(trace)).out)) {
    if (line.find("pwrite64(") != std::string::npos) written += std::stoull(line.substr(line.rfind('=') + 1));
    if (line.find("unlinkat(") != std::string::npos && line.find("AT_REMOVEDIR") == std::string::npos) ++unlinked;
  }
  EXPECT_EQ(written, receipt["bytes_overwritten"].get<std::uint64_t>());
  EXPECT_GT(written, 0u);
  EXPECT_EQ(unlinked, receipt["files_overwritten"].get<int>() + receipt["links_removed"].get<int>());
}

}  // namespace
}  // namespace hashtriage::reliability

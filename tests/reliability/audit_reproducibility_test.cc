// The audit trail and reproducibility, through the real executable as an examiner (or an independent
// party repeating the work) would use it:
// - every command that changes a case leaves an audit entry with its command line, user, host, tool
//   version, time and (where it used one) the index version; `audit verify` finds an edited, deleted or
//   reordered entry and names it;
// - scanning the same evidence with the same index twice (other case, other clock, other thread count)
//   gives byte-identical exports; the run's own times are kept apart, in the evidence record and the
//   audit log.
#include <gtest/gtest.h>

#include <ctime>

#include <functional>

#include "engine/case/kv/kv_store.h"
#include "engine/case/kv/record_codec.h"
#include "tests/reliability/reliability_util.h"

namespace hashtriage::reliability {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;
using engine::kv::KvStore;
using engine::kv::Table;

class AuditAndReproducibilityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const fs::path ev = *dir_ / "evidence";
    const fs::path photos = testing::TestDataDir() / "photos";
    fs::create_directories(ev / "DCIM");
    for (const char* p : {"skimage/camera.png", "skimage/coffee.png", "opencv/baboon.jpg", "scratch/kitchen.jpg"}) {
      fs::copy_file(photos / p, ev / "DCIM" / fs::path(p).filename());
    }
    ASSERT_EQ(RunCommand("convert " + Q(photos / "skimage/coffee.png") + " -rotate 90 -resize 50% " + Q(ev / "turned.jpg")).exit_code, 0);
    ASSERT_EQ(RunCommand("cd " + Q(ev) + " && zip -q -r bundle.zip DCIM/camera.png turned.jpg").exit_code, 0);
    testing::WriteText(ev / "notes.txt", "nothing to see\n");
    // A FAT image with a deleted photo: a second evidence source of another kind.
    const fs::path disk = *dir_ / "disk.img";
    ASSERT_EQ(RunCommand("mkfs.fat -C " + Q(disk) + " 2048 >/dev/null && mcopy -i " + Q(disk) + " " +
                         Q(photos / "skimage/coins.png") + " ::/c.png && mdel -i " + Q(disk) + " ::/c.png").exit_code, 0);
    testing::WriteText(*dir_ / "known.md5", RunCommand("md5sum " + Q(ev / "DCIM/baboon.jpg")).out.substr(0, 32) + "  b\n");
    testing::WriteText(*dir_ / "known.pdq", RunCommand(Bin() + " hash --pdq " + Q(photos / "skimage/coffee.png")).out.substr(0, 64) + ",100,c\n");
    index_ = *dir_ / "index";
    ASSERT_EQ(RunCommand(Bin() + " index import --index " + Q(index_) + " --set a --format md5sum --category A " + Q(*dir_ / "known.md5")).exit_code, 0);
    ASSERT_EQ(RunCommand(Bin() + " index import --index " + Q(index_) + " --set b --format pdq --category B " + Q(*dir_ / "known.pdq")).exit_code, 0);
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string Scan(const fs::path& c, const std::string& extra) {
    const auto r = RunCommand(Bin() + " scan --index " + Q(index_) + " --case " + Q(c) + " " + extra + " " +
                              Q(*dir_ / "evidence") + " " + Q(*dir_ / "disk.img"));
    EXPECT_EQ(r.exit_code, 10) << r.err;
    return r.out;
  }

  static testing::TempDir* dir_;
  static fs::path index_;
};
testing::TempDir* AuditAndReproducibilityTest::dir_ = nullptr;
fs::path AuditAndReproducibilityTest::index_;

TEST_F(AuditAndReproducibilityTest, SameEvidenceAndIndexGiveByteIdenticalExports) {
  Scan(*dir_ / "first", "--now 2026-01-01T09:00:00Z --threads 1 --memory 16");
  Scan(*dir_ / "second", "--now 2026-06-30T17:45:00Z --threads 2");
  for (const char* format : {"jsonl", "csv"}) {
    SCOPED_TRACE(format);
    const auto a = RunCommand(Bin() + " export files --format " + format + " --case " + Q(*dir_ / "first"));
    const auto b = RunCommand(Bin() + " export files --format " + format + " --case " + Q(*dir_ / "second"));
    ASSERT_EQ(a.exit_code, 0);
    EXPECT_GT(testing::SplitLines(a.out).size(), 8u);
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(a.out.find(std::string(format) == "csv" ? "\"\"category\"\":\"\"A\"\"" : "\"category\":\"A\""),
              std::string::npos) << "the exports hold the matches";
  }
  // The run's own times live apart: in the evidence records (and the audit log), not in the export.
  const auto first = nlohmann::json::parse(RunCommand(Bin() + " case status --json --case " + Q(*dir_ / "first")).out);
  const auto second = nlohmann::json::parse(RunCommand(Bin() + " case status --json --case " + Q(*dir_ / "second")).out);
  ASSERT_EQ(first["evidence"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    auto a = first["evidence"][i], b = second["evidence"][i];
    EXPECT_EQ(a["started"], "2026-01-01T09:00:00Z");
    EXPECT_EQ(b["started"], "2026-06-30T17:45:00Z");
    // Everything else about the evidence agrees (the baseline too: it is the same evidence).
    for (const char* run_specific : {"started", "finished"}) {
      a.erase(run_specific);
      b.erase(run_specific);
    }
    EXPECT_EQ(a, b);
  }
}

TEST_F(AuditAndReproducibilityTest, EntriesRecordWhoWhatWhereAndWhichIndex) {
  const fs::path c = *dir_ / "audited";
  ASSERT_EQ(RunCommand(Bin() + " case init --case " + Q(c) + " --now 2026-02-01T08:00:00Z").exit_code, 0);
  Scan(c, "--now 2026-02-01T09:00:00Z");
  testing::WriteText(*dir_ / "p2p.csv", "observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n"
                                        "2026-01-30T10:00:00Z,BitTorrent,00112233445566778899aabbccddeeff,198.51.100.7,6881,a.jpg,"
                                        "0cc175b9c0f1b6a831c399e269772661,,10\n");
  ASSERT_EQ(RunCommand(Bin() + " intake --index " + Q(index_) + " --case " + Q(c) + " --now 2026-02-01T10:00:00Z " +
                       Q(*dir_ / "p2p.csv")).exit_code, 0);
  const std::int64_t real_time_before = std::time(nullptr);
  const auto shown = RunCommand(Bin() + " audit show --json --case " + Q(c));
  ASSERT_EQ(shown.exit_code, 0);
  const auto lines = testing::SplitLines(shown.out);
  // case init; a "scan started" entry per evidence item (written with its record) and the scan's summary;
  // an "intake batch" entry (written with the referrals it lists) and the intake's summary.
  ASSERT_EQ(lines.size(), 6u) << shown.out;
  std::vector<std::string> actions;
  for (const auto& line : lines) actions.push_back(nlohmann::json::parse(line)["details"].value("action", ""));
  EXPECT_EQ(actions, (std::vector<std::string>{"case init", "scan started", "scan started", "scan", "intake batch", "intake"}));
  const std::string index_sha = nlohmann::json::parse(lines[3])["details"]["index"]["sha256"];
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto e = nlohmann::json::parse(lines[i]);
    SCOPED_TRACE(lines[i].substr(0, 200));
    EXPECT_EQ(e["seq"], i + 1);
    EXPECT_FALSE(e["user"].get<std::string>().empty());
    EXPECT_FALSE(e["host"].get<std::string>().empty());
    EXPECT_EQ(e["tool_version"], RunCommand(Bin() + " --version").out.substr(11, e["tool_version"].get<std::string>().size()));
    EXPECT_EQ(e["hash"].get<std::string>().size(), 64u);
    EXPECT_NE(e["command"].get<std::string>().find("--case " + c.string()), std::string::npos) << "the command line as typed";
    // The real time of writing, whatever the command's clock says (within this test's run).
    EXPECT_LE(e["utc"].get<std::int64_t>(), real_time_before);
    EXPECT_GE(e["utc"].get<std::int64_t>(), real_time_before - 3600);
  }
  EXPECT_EQ(nlohmann::json::parse(lines[0])["command_time"], 1769932800);  // 2026-02-01T08:00:00Z, the command's clock
  const auto scan = nlohmann::json::parse(lines[3]);
  EXPECT_NE(scan["command"].get<std::string>().find(" scan "), std::string::npos);
  // The index version: every set with its generation, and one digest over them; the same for intake.
  EXPECT_EQ(scan["details"]["index"]["sets"].size(), 2u);
  EXPECT_EQ(index_sha.size(), 64u);
  EXPECT_EQ(nlohmann::json::parse(lines[5])["details"]["index"]["sha256"], index_sha);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["details"]["index"], index_sha);
  // A re-import of a set is a new index version.
  ASSERT_EQ(RunCommand(Bin() + " index import --index " + Q(index_) + " --set a --format md5sum --category A " + Q(*dir_ / "known.md5")).exit_code, 0);
  Scan(*dir_ / "after-reimport", "");
  const auto later = testing::SplitLines(RunCommand(Bin() + " audit show --json --case " + Q(*dir_ / "after-reimport")).out);
  ASSERT_EQ(later.size(), 3u);
  EXPECT_NE(nlohmann::json::parse(later[2])["details"]["index"]["sha256"], index_sha);
  EXPECT_FALSE(nlohmann::json::parse(later[2]).contains("command_time") &&
               !nlohmann::json::parse(later[2])["command_time"].is_null())
      << "no --now: no command clock recorded";
}

TEST_F(AuditAndReproducibilityTest, VerifyNamesTheEditedDeletedOrReorderedEntry) {
  const fs::path c = *dir_ / "tamper";
  ASSERT_EQ(RunCommand(Bin() + " case init --case " + Q(c)).exit_code, 0);
  for (int i = 0; i < 3; ++i) {  // every scan run appends an entry, even one with nothing to do
    ASSERT_EQ(RunCommand(Bin() + " scan --no-index --case " + Q(c) + " " + Q(*dir_ / "evidence/notes.txt")).exit_code, 0);
  }
  ASSERT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);
  struct Tampering {
    const char* name;
    std::function<void(KvStore&)> apply;
    std::string expect;
  };
  constexpr int kAuditVersion = 1;
  auto raw = [](KvStore& s, std::uint64_t seq) { return **s.Get(Table::kAudit, engine::kv::EncodeU64(seq)); };
  const std::vector<Tampering> tamperings{
      {"edit", [&](KvStore& s) {
         auto j = *engine::kv::DecodeRecord(raw(s, 2), kAuditVersion, "test");
         j["user"] = "someone-else";
         ASSERT_TRUE(s.Put(Table::kAudit, engine::kv::EncodeU64(2), engine::kv::EncodeRecord(j, kAuditVersion)).ok());
       }, "entry 2: content edited"},
      {"delete", [&](KvStore& s) {
         KvStore::Batch b;
         b.Delete(Table::kAudit, engine::kv::EncodeU64(3));
         ASSERT_TRUE(s.Write(b).ok());
       }, "entry 3: missing"},
      {"reorder", [&](KvStore& s) {
         const std::string two = raw(s, 2), three = raw(s, 3);
         ASSERT_TRUE(s.Put(Table::kAudit, engine::kv::EncodeU64(2), three).ok());
         ASSERT_TRUE(s.Put(Table::kAudit, engine::kv::EncodeU64(3), two).ok());
       }, "entry 2"},
  };
  for (const auto& t : tamperings) {
    SCOPED_TRACE(t.name);
    const fs::path copy = *dir_ / (std::string("tamper-") + t.name);
    ASSERT_EQ(RunCommand("cp -a " + Q(c) + " " + Q(copy)).exit_code, 0);
    {
      engine::kv::KvOptions options;
      options.path = copy.string();
      auto store = KvStore::Open(options);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      t.apply(**store);
    }
    const auto v = RunCommand(Bin() + " audit verify --case " + Q(copy));
    EXPECT_EQ(v.exit_code, 1) << v.out;
    EXPECT_NE(v.out.find(t.expect), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("DAMAGED"), std::string::npos) << v.out;
  }
}

}  // namespace
}  // namespace hashtriage::reliability

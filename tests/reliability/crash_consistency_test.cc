// Crash consistency: `scan`, `index import` and `intake` are killed with SIGKILL at random points
// (seeded: the seed is printed, and $HASHTRIAGE_TEST_SEED replays a run), at least 20 times each, through
// their test hooks (a kill at the Nth item / staged entry / referral, with small atomic batches so that
// kills fall before, on and after commits). After every kill and restart: no record lost or stored
// twice (the case store's tables equal an uninterrupted run's), an index set is there completely or
// not at all, and the audit log verifies.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "engine/case/case.h"
#include "engine/case/referral_store.h"

#include "tests/reliability/reliability_util.h"

namespace hashtriage::reliability {
namespace {

namespace fs = std::filesystem;
using engine::kv::Table;
using testing::RunCommand;

// Referral ids named by the "intake batch" entries of a case's audit log (each at most once).
std::multiset<std::string> AuditedReferrals(const fs::path& c) {
  std::multiset<std::string> ids;
  const auto r = RunCommand(Bin() + " audit show --json --case " + Q(c));
  for (const auto& line : testing::SplitLines(r.out)) {
    const auto entry = nlohmann::json::parse(line);
    if (entry["details"].value("action", "") != "intake batch") continue;
    for (const auto& id : entry["details"]["referrals"]) ids.insert(id.get<std::string>());
  }
  return ids;
}

// Referral ids stored in a case.
std::multiset<std::string> StoredReferrals(const fs::path& c) {
  std::multiset<std::string> ids;
  auto opened = engine::OpenCase({c.string(), false, true});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return ids;
  EXPECT_TRUE((*opened)->referrals().ForEach([&](const engine::ReferralRecord& r) {
    ids.insert(r.id);
    return true;
  }).ok());
  return ids;
}

// Runs per operation: 24 in the release preset. Under AddressSanitizer, where every process costs several
// times more, the first 8 of the same seeded sequence: that preset checks the same paths for memory errors,
// the release preset checks the full count.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kRuns = 8;
#else
constexpr int kRuns = 24;
#endif
constexpr int kKilled = 128 + 9;

std::string Hex(std::mt19937_64& rng, int bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xFF);
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

std::string Lines(const std::string& text, std::size_t n) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;
    out += text.substr(pos, end + 1 - pos);
    pos = end + 1;
  }
  return out;
}

class CrashConsistencyTest : public ::testing::Test {
 protected:
  // The released binary; with `env` (crash points) the test driver, the only program that reads them.
  testing::CommandResult Run(const std::string& args, const std::string& env = "") {
    return RunCommand(env + " " + (env.empty() ? Bin() : testing::DriverBin()) + " " + args);
  }
  testing::TempDir dir_;
};

// ---------------------------------------------------------------------------------------------- scan

TEST_F(CrashConsistencyTest, ScanKilledAtRandomItemsResumesToTheUninterruptedRecords) {
  const std::uint64_t seed = TestSeed(8001);
  std::printf("seed %llu (HASHTRIAGE_TEST_SEED replays it)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  // Small evidence with every kind of item a record can hold: images (one known exactly, one known
  // perceptually), duplicates, text, an archive, an error.
  const fs::path ev = dir_ / "evidence";
  fs::create_directories(ev / "DCIM/sub");
  const fs::path photos = testing::TestDataDir() / "photos";
  ASSERT_EQ(RunCommand("convert " + Q(photos / "skimage/chelsea.png") + " -resize 64x48 " + Q(ev / "DCIM/a.jpg")).exit_code, 0);
  ASSERT_EQ(RunCommand("convert " + Q(photos / "skimage/coffee.png") + " -resize 48x48 " + Q(ev / "DCIM/b.png")).exit_code, 0);
  ASSERT_EQ(RunCommand("convert " + Q(photos / "skimage/coffee.png") + " -resize 48x48 -flop " + Q(ev / "DCIM/sub/mirrored.png")).exit_code, 0);
  fs::copy_file(ev / "DCIM/a.jpg", ev / "DCIM/sub/copy.jpg");
  for (int i = 0; i < 30; ++i) testing::WriteText(ev / ("note" + std::to_string(i) + ".txt"), std::string(50 + 7 * i, 'a' + i % 26));
  ASSERT_EQ(RunCommand("cd " + Q(ev) + " && zip -q bundle.zip DCIM/a.jpg note1.txt note2.txt").exit_code, 0);
  testing::WriteText(ev / "broken.png", "\x89PNG\r\n\x1a\n broken");
  const fs::path index = dir_ / "index";
  testing::WriteText(dir_ / "known.md5", RunCommand("md5sum " + Q(ev / "DCIM/a.jpg")).out.substr(0, 32) + "  a\n");
  testing::WriteText(dir_ / "known.pdq", Run("hash --pdq " + Q(ev / "DCIM/b.png")).out.substr(0, 64) + ",100,b\n");
  ASSERT_EQ(Run("index import --index " + Q(index) + " --set a --format md5sum --category A " + Q(dir_ / "known.md5")).exit_code, 0);
  ASSERT_EQ(Run("index import --index " + Q(index) + " --set b --format pdq --category B " + Q(dir_ / "known.pdq")).exit_code, 0);

  auto scan = [&](const fs::path& c, const std::string& extra = "", const std::string& bin = Bin()) {
    return bin + " scan --now 2026-01-02T03:04:05Z --index " + Q(index) + " --case " + Q(c) + " " + extra + " " + Q(ev);
  };
  const fs::path reference = dir_ / "reference";
  const auto ok = RunCommand(scan(reference));
  ASSERT_EQ(ok.exit_code, 10) << ok.err;  // known material found (outranks broken.png's error)
  const std::string expected = RunCommand(Bin() + " export files --case " + Q(reference)).out;
  const std::size_t items = testing::SplitLines(expected).size();
  ASSERT_GT(items, 30u);
  const std::vector<Table> tables{Table::kEvidence, Table::kEvidenceIdentity, Table::kEvidenceBySubject,
                                  Table::kFiles, Table::kFilesWithHits, Table::kProgress};
  const auto expected_tables = DumpCase(reference, tables);

  int kills = 0;
  for (int run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run) + " of seed " + std::to_string(seed));
    const fs::path c = dir_ / ("case" + std::to_string(run));
    const int commit_every = 1 + static_cast<int>(rng() % 8);
    const std::string threads = rng() % 2 ? "--threads 1" : "--threads 2";
    const int attempts = 1 + static_cast<int>(rng() % 3);
    int completed_runs = 0;
    for (int k = 0; k < attempts; ++k) {
      const std::size_t kill_at = rng() % items;
      const auto r = RunCommand("HASHTRIAGE_TEST_KILL_AT_ITEM=" + std::to_string(kill_at) +
                                " HASHTRIAGE_TEST_COMMIT_EVERY=" + std::to_string(commit_every) + " " +
                                scan(c, threads, testing::DriverBin()));
      if (r.exit_code != kKilled) {
        // The item was committed by an earlier run, so it never reached the writer: the scan finished.
        ASSERT_EQ(r.exit_code, 10) << r.err;
        ++completed_runs;
        break;
      }
      ++kills;
      // What the killed run committed is a prefix of the uninterrupted records: none lost, none twice,
      // nothing of the uncommitted batch.
      const std::string partial = RunCommand(Bin() + " export files --case " + Q(c)).out;
      const std::size_t n = testing::SplitLines(partial).size();
      EXPECT_LE(n, kill_at) << "item " << kill_at << " was killed before its batch was committed";
      EXPECT_EQ(partial, Lines(expected, n)) << "after a kill at item " << kill_at;
      EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);
    }
    const auto resumed = RunCommand(scan(c, threads));
    EXPECT_EQ(resumed.exit_code, 10) << resumed.err;
    ++completed_runs;
    EXPECT_EQ(RunCommand(Bin() + " export files --case " + Q(c)).out, expected);
    EXPECT_EQ(DiffDumps(expected_tables, DumpCase(c, tables)), "");
    const auto audit = RunCommand(Bin() + " audit verify --case " + Q(c) + " --json");
    EXPECT_EQ(audit.exit_code, 0) << audit.out;
    // The evidence item's creation is audited with it (once, by the first run, killed or not); every
    // run that finished left exactly one summary entry, a killed one none.
    std::map<std::string, int> actions;
    for (const auto& line : testing::SplitLines(RunCommand(Bin() + " audit show --json --case " + Q(c)).out)) {
      ++actions[nlohmann::json::parse(line)["details"].value("action", "")];
    }
    EXPECT_EQ(actions["scan started"], 1);
    EXPECT_EQ(actions["scan"], completed_runs);
    EXPECT_EQ(nlohmann::json::parse(audit.out)["entries"], completed_runs + 1) << audit.out;
  }
  EXPECT_GE(kills, kRuns) << "too few kills landed";
}

// ---------------------------------------------------------------------------------------- index import

class IndexImportCrashTest : public CrashConsistencyTest {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(4242);
    std::string base;
    for (int i = 0; i < 300; ++i) {
      base_md5_.push_back(Hex(rng, 16));
      base += base_md5_.back() + "  base" + std::to_string(i) + "\n";
    }
    testing::WriteText(dir_ / "base.md5", base);
    std::string vics = "{\"odata.metadata\": \"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\", \"value\": [\n";
    for (int i = 0; i < kMedia; ++i) {
      new_md5_.push_back(Hex(rng, 16));
      vics += std::string(i ? ",\n" : "") + "{\"MediaID\": " + std::to_string(i) + ", \"Category\": 1, \"MD5\": \"" +
              new_md5_.back() + "\", \"SHA1\": \"" + Hex(rng, 20) + "\", \"AltHash\": [{\"HashName\": \"PDQ\", " +
              "\"HashValue\": \"" + Hex(rng, 32) + "\"}]}";
    }
    testing::WriteText(dir_ / "new.json", vics + "\n]}\n");
    ASSERT_EQ(Index("import --set base --format md5sum --category A " + Q(dir_ / "base.md5")).exit_code, 0);
    before_ = Snapshot();
  }

  testing::CommandResult Index(const std::string& args, const std::string& env = "") {
    return Run("index " + args + " --index " + Q(dir_ / "index"), env);
  }
  // Everything observable: the set list and every base hash and a sample of the new ones.
  std::string Snapshot() {
    std::string lookup = "lookup";
    for (std::size_t i = 0; i < base_md5_.size(); i += 7) lookup += " --md5 " + base_md5_[i];
    for (std::size_t i = 0; i < new_md5_.size(); i += 61) lookup += " --md5 " + new_md5_[i];
    const auto list = Index("list --json");
    const auto found = Index(lookup + " --json");
    EXPECT_EQ(list.exit_code, 0) << list.err;
    // Import times differ between runs; the sets' names, formats and counts must not.
    auto sets = nlohmann::json::parse(list.out);
    for (auto& s : sets.is_array() ? sets : sets["sets"]) {
      s.erase("imported");
      s.erase("generation");
    }
    return sets.dump() + "\n" + found.out;
  }

  static constexpr int kMedia = 2000;  // x3 entries (MD5, SHA-1, PDQ)
  std::vector<std::string> base_md5_, new_md5_;
  std::string before_;
};

TEST_F(IndexImportCrashTest, ImportKilledAtRandomRecordsIsAllOrNothing) {
  const std::uint64_t seed = TestSeed(8002);
  std::printf("seed %llu (HASHTRIAGE_TEST_SEED replays it)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const std::string add_new = "import --set new --format vics --memory 1 " + Q(dir_ / "new.json");
  const std::string replace_base = "import --set base --format vics --memory 1 " + Q(dir_ / "new.json");
  int kills = 0;
  for (int run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run) + " of seed " + std::to_string(seed));
    const bool replace = rng() % 2;
    const std::string command = replace ? replace_base : add_new;
    const std::uint64_t at = 1 + rng() % (3 * kMedia);
    const auto r = Index(command, "HASHTRIAGE_TEST_CRASH_AT=record:" + std::to_string(at));
    ASSERT_EQ(r.exit_code, kKilled) << "record " << at << ": " << r.err;
    ++kills;
    EXPECT_EQ(Snapshot(), before_) << "after a kill at record " << at << (replace ? " (replacing base)" : "");
    if (run % 6 == 5) {
      // Now let it finish: the whole set is there, then removing it restores the index.
      ASSERT_EQ(Index(command).exit_code, 0);
      const auto list = Index("list --json");
      EXPECT_NE(list.out.find("\"md5\": " + std::to_string(kMedia)), std::string::npos) << list.out;
      for (std::size_t i = 0; i < new_md5_.size(); i += 97) {
        EXPECT_EQ(Index("lookup --md5 " + new_md5_[i]).exit_code, 10) << new_md5_[i];
      }
      if (replace) {
        ASSERT_EQ(Index("import --set base --format md5sum --category A " + Q(dir_ / "base.md5")).exit_code, 0);
      } else {
        ASSERT_EQ(Index("remove --set new").exit_code, 0);
      }
      EXPECT_EQ(Snapshot(), before_);
    }
  }
  EXPECT_GE(kills, kRuns);
}

// ---------------------------------------------------------------------------------------------- intake

TEST_F(CrashConsistencyTest, IntakeKilledAtRandomReferralsResumesToTheUninterruptedCase) {
  const std::uint64_t seed = TestSeed(8003);
  std::printf("seed %llu (HASHTRIAGE_TEST_SEED replays it)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  // Peer-to-peer offers from 12 clients on 6 addresses (possible links), and provider reports whose
  // accounts share e-mail addresses (merges); some files are known to the index.
  std::mt19937_64 data(77);
  std::vector<std::string> known;
  std::string md5s;
  for (int i = 0; i < 5; ++i) {
    known.push_back(Hex(data, 16));
    md5s += known.back() + "  k" + std::to_string(i) + "\n";
  }
  testing::WriteText(dir_ / "known.md5", md5s);
  ASSERT_EQ(Run("index import --index " + Q(dir_ / "index") + " --set k --format md5sum --category B " + Q(dir_ / "known.md5")).exit_code, 0);
  std::string p2p = "observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n";
  for (int i = 0; i < 40; ++i) {
    const int client = static_cast<int>(data() % 12);
    const std::string md5 = data() % 4 == 0 ? known[data() % known.size()] : Hex(data, 16);
    p2p += "2026-01-0" + std::to_string(1 + i % 9) + "T10:" + std::to_string(10 + i) + ":00Z,BitTorrent," +
           std::string(30, "0123456789ab"[client]) + std::to_string(10 + client) + ",198.51.100." +
           std::to_string(client % 6) + ",6881,f" + std::to_string(i) + ".jpg," + md5 + ",,1000\n";
  }
  testing::WriteText(dir_ / "p2p.csv", p2p);
  std::string tips;
  for (int i = 0; i < 20; ++i) {
    nlohmann::json report{{"reportId", "TIP-" + std::to_string(i)},
                          {"incidentSummary", {{"incidentDateTime", "2026-01-0" + std::to_string(1 + i % 9) + "T08:00:00Z"}}},
                          {"reportedPerson", {{"espService", "PhotoShare"}, {"espIdentifier", "u" + std::to_string(i % 13)},
                                              {"email", {"person" + std::to_string(i % 7) + "@example.org"}}}},
                          {"files", {{{"originalFileName", "x.jpg"},
                                      {"originalFileHash", {{{"hashType", "MD5"}, {"value", i % 3 ? Hex(data, 16) : known[i % 5]}}}}}}}};
    tips += report.dump() + "\n";
  }
  testing::WriteText(dir_ / "tips.jsonl", tips);
  const int referrals = 40 + 20;

  auto intake = [&](const fs::path& c, const std::string& bin = Bin()) {
    return bin + " intake --now 2026-01-10T00:00:00Z --by tester --index " + Q(dir_ / "index") + " --case " + Q(c) +
           " " + Q(dir_ / "p2p.csv") + " " + Q(dir_ / "tips.jsonl");
  };
  const fs::path reference = dir_ / "reference";
  const auto ok = RunCommand(intake(reference));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  // Every table intake writes, except the audit log (its entries hold per-run counts; it is verified).
  const std::vector<Table> tables{Table::kSubjects, Table::kAccounts,    Table::kIdentifiers, Table::kReferrals,
                                  Table::kAttributes, Table::kLinks,     Table::kPossibleLinks, Table::kAssessments,
                                  Table::kQueue,      Table::kCounters, Table::kPending};
  const auto expected = DumpCase(reference, tables);
  ASSERT_GE(std::count_if(expected.begin(), expected.end(), [](const auto& kv) { return kv.first.starts_with("referrals/"); }),
            referrals);

  int kills = 0;
  for (int run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run) + " of seed " + std::to_string(seed));
    const fs::path c = dir_ / ("case" + std::to_string(run));
    const int batch = 1 + static_cast<int>(rng() % 6);
    const int attempts = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < attempts; ++k) {
      const int at = 1 + static_cast<int>(rng() % referrals);
      const auto r = RunCommand("HASHTRIAGE_TEST_KILL_AT_REFERRAL=" + std::to_string(at) +
                                " HASHTRIAGE_TEST_INTAKE_BATCH=" + std::to_string(batch) + " " +
                                intake(c, testing::DriverBin()));
      if (r.exit_code != kKilled) {
        ASSERT_EQ(r.exit_code, 0) << r.err;  // the run had fewer new records than `at`: it finished
        break;
      }
      ++kills;
      EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);
      // Regression (issue "Referral input that cannot frame anyone", problem 2): a killed intake left
      // referrals that no audit entry recorded. Now every stored referral is named by exactly one
      // "intake batch" entry written in the same transaction, and no entry names one not stored.
      EXPECT_EQ(AuditedReferrals(c), StoredReferrals(c)) << "after a kill at referral " << at;
    }
    const auto resumed = RunCommand(intake(c));
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(DiffDumps(expected, DumpCase(c, tables)), "") << "batch " << batch;
    EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + Q(c)).exit_code, 0);
  }
  EXPECT_GE(kills, kRuns);
}

}  // namespace
}  // namespace hashtriage::reliability

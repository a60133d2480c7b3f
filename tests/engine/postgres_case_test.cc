// Team mode on PostgreSQL: `db migrate` (idempotent, recorded, refused on a directory), a database
// not migrated is named as such, two writers of one record give one success and one Conflict (no lost
// update), the audit chain stays one chain with concurrent writers and cannot be edited in the
// database, a server restart loses nothing committed, and the whole command line reads the same from
// a PostgreSQL case as from an embedded one (exports byte-identical).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>

#include "engine/case/audit_log.h"
#include "engine/case/case.h"
#include "engine/case/postgres/pg_migrations.h"
#include "engine/case/queue_store.h"
#include "engine/case/referral_store.h"
#include "engine/case/subject_store.h"
#include "tests/engine/postgres_test_support.h"
#include "tests/engine/subjects_test_util.h"
#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

namespace fs = std::filesystem;
namespace risk = engine::risk;

std::unique_ptr<engine::Case> OpenAt(const std::string& url) {
  engine::CaseOptions options;
  options.location = url;
  auto opened = engine::OpenCase(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(*opened) : nullptr;
}

class PostgresCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(db_.url().empty());
    const auto migrated = RunCommand(Bin() + " db migrate --case " + ShellQuote(db_.url()));
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    ASSERT_EQ(migrated.out, "applied migration 1 case_tables\napplied migration 2 users\ncase database at schema version 2 (was 0)\n");
  }
  TestDatabase db_;
};

TEST_F(PostgresCaseTest, MigrateIsRecordedAndSafeToRepeat) {
  const auto again = RunCommand(Bin() + " db migrate --case " + ShellQuote(db_.url()));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "case database already at schema version 2: nothing to do\n");
  const auto rows = db_.Sql("SELECT version, name FROM schema_migrations ORDER BY version");
  EXPECT_EQ(rows.out, "1|case_tables\n2|users\n") << rows.err;
}

TEST_F(PostgresCaseTest, MigrateRefusesADirectoryAndAnUnmigratedDatabaseSaysWhatToDo) {
  TempDir dir;
  const auto on_dir = RunCommand(Bin() + " db migrate --case " + Q(dir / "case"));
  EXPECT_EQ(on_dir.exit_code, 2);
  EXPECT_NE(on_dir.err.find("postgresql:// URL"), std::string::npos) << on_dir.err;

  TestDatabase empty;
  const auto status = RunCommand(Bin() + " case status --case " + ShellQuote(empty.url()));
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.err.find("run 'hashtriage db migrate --case <url>' first"), std::string::npos) << status.err;
  EXPECT_EQ(SplitLines(status.err).size(), 1u) << status.err;
}

TEST_F(PostgresCaseTest, ADatabasePasswordNeverReachesTheAuditLog) {
  // The test server trusts loopback, so any password is accepted: the point is where it ends up.
  const std::string secret = "s3cret-Pa55";
  std::string with_password = db_.url();
  with_password.insert(with_password.find("@"), ":" + secret);
  const auto added = RunCommand("echo 'a long enough password' | " + Bin() + " user add erin --role admin --case " +
                                ShellQuote(with_password + "?password=" + secret));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const auto audit = RunCommand(Bin() + " audit show --json --case " + ShellQuote(db_.url()));
  EXPECT_NE(audit.out.find("postgres:***@"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("password=***"), std::string::npos) << audit.out;
  EXPECT_EQ(audit.out.find(secret), std::string::npos) << audit.out;
  EXPECT_EQ(engine::RedactSecrets("--to=postgres://u:p@h/db?sslmode=require&password=x y"),
            "--to=postgres://u:***@h/db?sslmode=require&password=*** y");
  EXPECT_EQ(engine::RedactSecrets("/cases/user:name@host"), "/cases/user:name@host");  // not a database URL
}

TEST_F(PostgresCaseTest, AnInterruptedCopyIsNeverTakenForACase) {
  // What a copy killed after its first batch leaves: the marker and some records.
  ASSERT_EQ(db_.Sql("INSERT INTO kv_meta (key, value) VALUES ('copy_in_progress'::bytea, '/cases/x'::bytea)").exit_code,
            0);
  const auto status = RunCommand(Bin() + " case status --case " + ShellQuote(db_.url()));
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.err.find("holds an interrupted copy of the case at /cases/x"), std::string::npos) << status.err;
  TempDir dir;
  ASSERT_EQ(RunCommand(Bin() + " case init --case " + Q(dir / "case")).exit_code, 0);
  const auto again = RunCommand(Bin() + " case export --case " + Q(dir / "case") + " --to " + ShellQuote(db_.url()));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("holds an interrupted copy"), std::string::npos) << again.err;
}

TEST_F(PostgresCaseTest, TwoWritersOfOneRecordGiveOneSuccessAndOneConflict) {
  auto setup = OpenAt(db_.url());
  ASSERT_NE(setup, nullptr);
  risk::QueueEntry entry;
  entry.subject_id = "S-000001";
  auto txn = setup->Begin();
  setup->queue().PutEntry(*txn, entry);
  ASSERT_TRUE(txn->Commit().ok());

  auto alice = OpenAt(db_.url());
  auto bob = OpenAt(db_.url());
  // Both read the entry, then each assigns it.
  risk::QueueEntry for_alice = **alice->queue().Entry("S-000001");
  risk::QueueEntry for_bob = **bob->queue().Entry("S-000001");
  for_alice.owner = "alice";
  for_bob.owner = "bob";
  auto a = alice->Begin();
  alice->queue().PutEntry(*a, for_alice);
  ASSERT_TRUE(alice->audit().Append(*a, engine::MakeAuditEntry("review", {{"action", "review"}}, std::nullopt)).ok());
  ASSERT_TRUE(a->Commit().ok());
  auto b = bob->Begin();
  bob->queue().PutEntry(*b, for_bob);
  ASSERT_TRUE(bob->audit().Append(*b, engine::MakeAuditEntry("review", {{"action", "review"}}, std::nullopt)).ok());
  const Status lost = b->Commit();
  EXPECT_EQ(lost.code(), StatusCode::kConflict) << lost.ToString();
  // The conflict names the change that won (from the audit log).
  EXPECT_NE(lost.message().find("the last change stored was 'review' by " + engine::ProcessUser() + " on " +
                                engine::HostName() + " at "),
            std::string::npos)
      << lost.message();
  // Nothing of bob's write was stored; a fresh read shows alice's.
  EXPECT_EQ((**bob->queue().Entry("S-000001")).owner, "alice");
  EXPECT_EQ((**OpenAt(db_.url())->queue().Entry("S-000001")).owner, "alice");
}

TEST_F(PostgresCaseTest, ConcurrentAuditWritersKeepOneChain) {
  auto first = OpenAt(db_.url());
  auto second = OpenAt(db_.url());
  auto a = first->Begin();
  auto b = second->Begin();
  ASSERT_TRUE(first->audit().Append(*a, engine::MakeAuditEntry("first", {{"action", "a"}}, std::nullopt)).ok());
  ASSERT_TRUE(second->audit().Append(*b, engine::MakeAuditEntry("second", {{"action", "b"}}, std::nullopt)).ok());
  ASSERT_TRUE(a->Commit().ok());
  // The second staged its entry after the same head: committing it would fork the chain.
  EXPECT_EQ(b->Commit().code(), StatusCode::kConflict);
  // Done again, it follows the first.
  ASSERT_TRUE(second->audit().Append(*b, engine::MakeAuditEntry("second", {{"action", "b"}}, std::nullopt)).ok());
  ASSERT_TRUE(b->Commit().ok());
  const auto verification = engine::VerifyAudit(OpenAt(db_.url())->audit());
  EXPECT_TRUE(verification.intact);
  EXPECT_EQ(verification.entries, 2u);
}

TEST_F(PostgresCaseTest, TheDatabaseRefusesToEditOrDeleteAuditEntries) {
  auto store = OpenAt(db_.url());
  auto txn = store->Begin();
  ASSERT_TRUE(store->audit().Append(*txn, engine::MakeAuditEntry("cmd", {{"action", "x"}}, std::nullopt)).ok());
  ASSERT_TRUE(txn->Commit().ok());
  for (const std::string sql : {"UPDATE kv_audit SET value = value", "DELETE FROM kv_audit", "TRUNCATE kv_audit"}) {
    const auto r = db_.Sql(sql);
    EXPECT_NE(r.exit_code, 0) << sql;
    EXPECT_NE(r.err.find("the audit log is append-only"), std::string::npos) << sql << ": " << r.err;
  }
  EXPECT_EQ(db_.Sql("SELECT count(*) FROM kv_audit").out, "1\n");
}

TEST(PostgresRestartTest, NothingCommittedIsLostAndTheClientCarriesOn) {
  PrivatePostgresServer server;
  ASSERT_FALSE(server.url().empty());
  TestDatabase db(server.url());
  ASSERT_TRUE(engine::pg::MigrateCaseDatabase(db.url()).ok());
  auto store = OpenAt(db.url());
  ASSERT_NE(store, nullptr);
  auto txn = store->Begin();
  for (int i = 1; i <= 100; ++i) {
    engine::SubjectRecord s;
    s.id = "S-" + std::to_string(100000 + i);
    store->subjects().PutSubject(*txn, s);
  }
  ASSERT_TRUE(txn->Commit().ok());
  ASSERT_TRUE(server.Restart());
  // The first use after the restart may report the lost connection (cleanly); the next reconnects.
  auto first = store->subjects().GetSubject("S-100001");
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), StatusCode::kIOError);
    EXPECT_NE(first.status().message().find("connection"), std::string::npos) << first.status().ToString();
  }
  int count = 0;
  const Status scanned = store->subjects().ForEachSubject([&](const engine::SubjectRecord&) { return ++count > 0; });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString() << " (first read: " << first.status().ToString() << ")";
  EXPECT_EQ(count, 100);
  auto more = store->Begin();
  engine::SubjectRecord s;
  s.id = "S-200000";
  store->subjects().PutSubject(*more, s);
  EXPECT_TRUE(more->Commit().ok());
}

// Who is who in a case: for each root subject, the referrals that reached it (merges followed).
std::set<std::set<std::string>> SubjectPartition(const std::string& url) {
  engine::CaseOptions options;
  options.location = url;
  options.read_only = true;
  auto opened = engine::OpenCase(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return {};
  std::map<std::string, std::set<std::string>> by_root;
  EXPECT_TRUE((*opened)->referrals().ForEach([&](const engine::ReferralRecord& r) {
    std::string id = r.subject;
    for (int hops = 0; hops < 100; ++hops) {
      auto subject = (*opened)->subjects().GetSubject(id);
      if (!subject.ok() || !subject->has_value() || (*subject)->root()) break;
      id = (*subject)->merged_into;
    }
    by_root[id].insert(r.id);
    return true;
  }).ok());
  std::set<std::set<std::string>> partition;
  for (auto& [root, referrals] : by_root) partition.insert(std::move(referrals));
  return partition;
}

// 200 referrals of 50 people (each with up to three accounts sharing one e-mail; some sharing an IP
// address), dealt into four files.
std::vector<fs::path> PeopleReferralFiles(const fs::path& dir) {
  std::vector<std::vector<nlohmann::json>> files(4);
  for (int i = 0; i < 200; ++i) {
    const int person = i % 50;
    ReportSpec spec;
    spec.id = "R" + std::to_string(i);
    spec.account = std::to_string(person * 3 + (i / 50) % 3);
    spec.emails = {"p" + std::to_string(person) + "@example.org"};
    spec.ip = "198.51.100." + std::to_string(person % 20);
    spec.event_time = kIntakeDay + i * 60;
    files[i % 4].push_back(CybertipReport(spec));
  }
  std::vector<fs::path> paths;
  for (int f = 0; f < 4; ++f) {
    paths.push_back(dir / ("day-" + std::to_string(f) + ".jsonl"));
    WriteJsonLines(paths.back(), files[f]);
  }
  return paths;
}

TEST_F(PostgresCaseTest, FourConcurrentIntakesLinkLikeOneSerialRun) {
  TempDir dir;
  const auto files = PeopleReferralFiles(dir.path());
  std::string all;
  for (const auto& f : files) all += " " + Q(f);
  const std::string now = " --now 2026-11-21T08:00:00Z --index " + Q(dir / "no-index");
  const auto serial = RunCommand(Bin() + " intake" + all + now + " --case " + ShellQuote(db_.url()));
  ASSERT_EQ(serial.exit_code, 0) << serial.err;

  TestDatabase concurrent_db;
  ASSERT_EQ(RunCommand(Bin() + " db migrate --case " + ShellQuote(concurrent_db.url())).exit_code, 0);
  // Four processes at once, committing every 10 referrals, so their batches interleave.
  std::string parallel;
  for (std::size_t i = 0; i < files.size(); ++i) {
    parallel += "HASHTRIAGE_TEST_INTAKE_BATCH=10 " + DriverBin() + " intake " + Q(files[i]) + now + " --case " +
                ShellQuote(concurrent_db.url()) + " >" + Q(dir / ("out-" + std::to_string(i))) + " 2>&1 & p" +
                std::to_string(i) + "=$!; ";
  }
  const auto together = RunCommand("st=0; " + parallel + "for p in $p0 $p1 $p2 $p3; do wait $p || st=1; done; exit $st");
  EXPECT_EQ(together.exit_code, 0) << RunCommand("cat " + Q(dir.path()) + "/out-*").out;

  const auto expected = SubjectPartition(db_.url());
  EXPECT_EQ(expected.size(), 50u);  // one subject per person
  EXPECT_EQ(SubjectPartition(concurrent_db.url()), expected);
  const auto audit = RunCommand(Bin() + " audit verify --case " + ShellQuote(concurrent_db.url()));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
}

TEST_F(PostgresCaseTest, AKilledIntakeResumesWithoutLossOrDuplicates) {
  TempDir dir;
  const auto files = PeopleReferralFiles(dir.path());
  std::string all;
  for (const auto& f : files) all += " " + Q(f);
  const std::string now = " --now 2026-11-21T08:00:00Z --index " + Q(dir / "no-index");
  const auto killed = RunCommand("HASHTRIAGE_TEST_INTAKE_BATCH=10 HASHTRIAGE_TEST_KILL_AT_REFERRAL=95 " + DriverBin() +
                                 " intake" + all + now + " --case " + ShellQuote(db_.url()));
  EXPECT_EQ(killed.exit_code, 128 + 9) << killed.err;  // SIGKILL, as sh reports it
  EXPECT_EQ(db_.Sql("SELECT count(*) FROM kv_referrals").out, "90\n");  // nine committed batches
  const auto resumed = RunCommand(Bin() + " intake" + all + now + " --case " + ShellQuote(db_.url()));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(db_.Sql("SELECT count(*) FROM kv_referrals").out, "200\n");

  TestDatabase serial_db;
  ASSERT_EQ(RunCommand(Bin() + " db migrate --case " + ShellQuote(serial_db.url())).exit_code, 0);
  ASSERT_EQ(RunCommand(Bin() + " intake" + all + now + " --case " + ShellQuote(serial_db.url())).exit_code, 0);
  EXPECT_EQ(SubjectPartition(db_.url()), SubjectPartition(serial_db.url()));
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + ShellQuote(db_.url())).exit_code, 0);
}

// The same work through the command line: an evidence scan, referrals, an attribute, a ranking and
// a review; then everything a user reads back.
class CommandLineScenario {
 public:
  CommandLineScenario() {
    const fs::path faces = TestDataDir() / "photos/gnome-faces";
    fs::create_directories(dir_ / "phone/DCIM");
    fs::copy_file(faces / "astronaut.jpg", dir_ / "phone/DCIM/a.jpg");
    fs::copy_file(faces / "cat.jpg", dir_ / "phone/DCIM/b.jpg");
    WriteText(dir_ / "known.md5", Md5Of(faces / "cat.jpg") + "  cat.jpg\n");
    const auto imported = RunCommand(Bin() + " index import --index " + Q(dir_ / "index") +
                                     " --set known --format md5sum --category A " + Q(dir_ / "known.md5"));
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    WriteJsonLines(dir_ / "tips.jsonl",
                   {CybertipReport({.id = "R1", .account = "9", .emails = {"x@example.org"}, .md5s = {Md5Of(faces / "cat.jpg")}}),
                    CybertipReport({.id = "R2", .account = "10", .emails = {"x@example.org"}, .ip = "203.0.113.5"})});
  }
  const TempDir& dir() const { return dir_; }
  CommandResult Run(const std::string& args, const std::string& location) const {
    return RunCommand("HASHTRIAGE_INDEX=" + Q(dir_ / "index") + " " + Bin() + " " + args + " --case " +
                      ShellQuote(location));
  }
  void Work(const std::string& location) const {
    const std::string now = " --now 2026-11-21T08:00:00Z";
    for (const std::string& step : std::vector<std::string>{
             "scan --subject SUSPECT-1 " + Q(dir_ / "phone") + now,
             "intake " + Q(dir_ / "tips.jsonl") + now,
             "subject attr set S-000001 lives_with_children yes --source 'school referral' --by tester" + now,
             "rank" + now,
             "rematch" + now,
             "review SUSPECT-1 --outcome keep --reason 'checked' --by tester" + now,
         }) {
      const auto r = Run(step, location);
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 10) << step << " on " << location << ": " << r.err;
    }
  }
  // What each read prints, the case location replaced by "<case>".
  std::map<std::string, std::string> Read(const std::string& location, const std::string& vics_case_id) const {
    const std::string now = " --now 2026-11-21T08:00:00Z";
    std::map<std::string, std::string> outputs;
    for (const std::string& read : std::vector<std::string>{
             "queue --json" + now, "export files --format csv", "export files", "export queue --format csv" + now,
             "export queue --format json" + now, "export vics" + vics_case_id, "case status --json",
             "subject show S-000001", "subject show SUSPECT-1",
         }) {
      const auto r = Run(read, location);
      EXPECT_EQ(r.exit_code, 0) << read << " on " << location << ": " << r.err;
      EXPECT_FALSE(r.out.empty()) << read;
      std::string out = r.out;
      for (std::size_t at; (at = out.find(location)) != std::string::npos;) out.replace(at, location.size(), "<case>");
      outputs[read] = out;
    }
    const auto audit = Run("audit verify", location);
    EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
    return outputs;
  }

 private:
  TempDir dir_;
};

// Every read identical, except that `case status` may count `extra_audit_entries` more (a move is
// audited in the copy).
void ExpectSameOutputs(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b,
                       int extra_audit_entries = 0) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [read, out] : a) {
    if (read != "case status --json") {
      EXPECT_EQ(out, b.at(read)) << read;
      continue;
    }
    auto before = nlohmann::json::parse(out);
    auto after = nlohmann::json::parse(b.at(read));
    EXPECT_EQ(after["audit_entries"].get<int>(), before["audit_entries"].get<int>() + extra_audit_entries);
    before.erase("audit_entries");
    after.erase("audit_entries");
    EXPECT_EQ(before, after) << read;
  }
}

TEST_F(PostgresCaseTest, TheCommandLineReadsTheSameFromEitherBackend) {
  CommandLineScenario scenario;
  const std::string embedded = (scenario.dir() / "case").string();
  scenario.Work(embedded);
  scenario.Work(db_.url());
  // Two cases with different names: the VICS header names them, so name both alike.
  ExpectSameOutputs(scenario.Read(embedded, " --case-id T"), scenario.Read(db_.url(), " --case-id T"));
}

TEST_F(PostgresCaseTest, ACaseMovedIntoPostgresAndBackExportsTheSameBytes) {
  CommandLineScenario scenario;
  const std::string original = (scenario.dir() / "case").string();
  scenario.Work(original);
  const auto before = scenario.Read(original, "");

  const auto exported = scenario.Run("case export --to " + ShellQuote(db_.url()), original);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("verified (sha256 "), std::string::npos) << exported.out;
  ExpectSameOutputs(before, scenario.Read(db_.url(), ""), 1);

  const std::string back = (scenario.dir() / "case-back").string();
  const auto imported = scenario.Run("case import --from " + ShellQuote(db_.url()), back);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ExpectSameOutputs(before, scenario.Read(back, ""), 2);

  // Each copy's audit log records the move and continues the original chain.
  const auto audit = scenario.Run("audit show --json", back);
  EXPECT_NE(audit.out.find("\"action\":\"case export\""), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("\"action\":\"case import\""), std::string::npos) << audit.out;
  // A destination that already holds a case is refused and left as it was.
  const auto again = scenario.Run("case export --to " + ShellQuote(db_.url()), original);
  EXPECT_EQ(again.exit_code, 2) << again.err;
  EXPECT_NE(again.err.find("already holds a case"), std::string::npos) << again.err;
  ExpectSameOutputs(before, scenario.Read(db_.url(), ""), 1);
}

}  // namespace
}  // namespace hashtriage::testing

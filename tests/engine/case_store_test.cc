// The case-store suite: every typed store of engine/case/ (evidence catalogue, referrals, subjects,
// queue, audit log, settings) and the transaction contract, run against both backends — the embedded
// RocksDB directory and a PostgreSQL database on the test server — with the same expectations; then
// one scenario written through both whose read-back must be identical.
#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/case/audit_log.h"
#include "engine/case/case.h"
#include "engine/case/case_settings.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/case/postgres/pg_migrations.h"
#include "engine/case/queue_store.h"
#include "engine/case/referral_store.h"
#include "engine/case/subject_store.h"
#include "engine/case/user_store.h"
#include "engine/users/users.h"
#include "tests/engine/postgres_test_support.h"
#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

using engine::Case;
using engine::CaseTransaction;
namespace risk = engine::risk;

enum class Backend { kRocks, kPostgres };
std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kRocks ? "RocksDB" : "PostgreSQL";
}

// A fresh, empty case on one backend.
class FreshCase {
 public:
  explicit FreshCase(Backend backend) {
    if (backend == Backend::kRocks) {
      location_ = (dir_ / "case").string();
    } else {
      db_ = std::make_unique<TestDatabase>();
      location_ = db_->url();
      if (location_.empty()) return;
      const auto migrated = engine::pg::MigrateCaseDatabase(location_);
      EXPECT_TRUE(migrated.ok()) << migrated.status().ToString();
    }
  }
  std::unique_ptr<Case> Open(bool read_only = false) const {
    engine::CaseOptions options;
    options.location = location_;
    options.read_only = read_only;
    auto opened = engine::OpenCase(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }
  const std::string& location() const { return location_; }

 private:
  TempDir dir_;
  std::unique_ptr<TestDatabase> db_;
  std::string location_;
};

engine::SubjectRecord Subject(const std::string& id, const std::string& name) {
  engine::SubjectRecord s;
  s.id = id;
  s.created = 1795132800;
  s.created_by = "manual";
  s.display_name = name;
  s.accounts = engine::IdList({"A-" + id});
  return s;
}

engine::EvidenceRecord Evidence(std::uint32_t number, const std::string& source, const std::string& tree_sha) {
  engine::EvidenceRecord e;
  e.number = number;
  e.id = "phone";
  e.source = source;
  e.source_absolute = "/mnt/" + source;
  e.type = "directory";
  e.fingerprint.kind = "tree";
  e.fingerprint.tree_sha256 = tree_sha;
  e.fingerprint.tree_entries = 3;
  e.subject = "S-000001";
  e.status = engine::EvidenceStatus::kComplete;
  e.counts.files = 3;
  return e;
}

engine::FileRecord File(std::uint32_t evidence, std::uint64_t seq, bool hit) {
  engine::FileRecord f;
  f.evidence = evidence;
  f.seq = seq;
  f.info.path = "DCIM/" + std::to_string(seq) + ".jpg";
  f.info.size = 1000 + seq;
  if (hit) {
    engine::Hit h;
    h.set = "known";
    h.category = index::Category::kA;
    f.hits.push_back(h);
  }
  return f;
}

class CaseStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    fresh_ = std::make_unique<FreshCase>(GetParam());
    case_ = fresh_->Open();
    ASSERT_NE(case_, nullptr);
  }
  std::unique_ptr<FreshCase> fresh_;
  std::unique_ptr<Case> case_;
};

TEST_P(CaseStoreTest, AFreshCaseHoldsNothing) {
  EXPECT_TRUE(case_->evidence().List()->empty());
  EXPECT_TRUE(case_->queue().Entries()->empty());
  EXPECT_TRUE(case_->audit().Entries()->empty());
  EXPECT_FALSE(case_->settings().Created()->has_value());
  int subjects = 0;
  ASSERT_TRUE(case_->subjects().ForEachSubject([&](const engine::SubjectRecord&) { return ++subjects > 0; }).ok());
  EXPECT_EQ(subjects, 0);
}

TEST_P(CaseStoreTest, WritesAreInvisibleUntilCommitThenAllAppearAtOnce) {
  auto txn = case_->Begin();
  case_->subjects().PutSubject(*txn, Subject("S-000001", "Alpha"));
  engine::ReferralRecord referral;
  referral.id = "R1";
  referral.format = "cybertip";
  referral.subject = "S-000001";
  case_->referrals().Put(*txn, referral);
  ASSERT_TRUE(case_->audit().Append(*txn, engine::MakeAuditEntry("test", {{"action", "test"}}, std::nullopt)).ok());
  EXPECT_EQ(txn->size(), 4u);  // subject, referral, audit entry, chain head
  EXPECT_FALSE(case_->subjects().GetSubject("S-000001")->has_value());
  EXPECT_FALSE(*case_->referrals().Contains("R1"));
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(txn->size(), 0u);
  ASSERT_TRUE(case_->subjects().GetSubject("S-000001")->has_value());
  EXPECT_EQ((*case_->subjects().GetSubject("S-000001"))->display_name, "Alpha");
  EXPECT_TRUE(*case_->referrals().Contains("R1"));
  EXPECT_EQ(case_->audit().Entries()->size(), 1u);
  // And another process (a second open) sees the same.
  case_.reset();
  auto again = fresh_->Open(/*read_only=*/true);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ((*again->referrals().Get("R1"))->subject, "S-000001");
}

TEST_P(CaseStoreTest, IdCountersAdvanceOnlyWithACommit) {
  auto txn = case_->Begin();
  EXPECT_EQ(*txn->NextId("subject"), 1u);
  EXPECT_EQ(*txn->NextId("subject"), 2u);
  EXPECT_EQ(*txn->NextId("link"), 1u);
  ASSERT_TRUE(txn->Commit().ok());
  {
    auto abandoned = case_->Begin();
    EXPECT_EQ(*abandoned->NextId("subject"), 3u);
  }  // never committed
  auto next = case_->Begin();
  EXPECT_EQ(*next->NextId("subject"), 3u);
  ASSERT_TRUE(next->Commit().ok());
  EXPECT_EQ(*next->NextId("subject"), 4u);
}

TEST_P(CaseStoreTest, RecordsKeepEveryByteOfTheirText) {
  const std::string name = std::string("Alpha\0Hidden\xff\x1b[2J", 17);
  auto txn = case_->Begin();
  case_->subjects().PutSubject(*txn, Subject("S-000001", name));
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ((*case_->subjects().GetSubject("S-000001"))->display_name, name);
}

TEST_P(CaseStoreTest, ScansVisitEveryRecordInKeyOrderAndStopWhenAsked) {
  auto txn = case_->Begin();
  engine::EvidenceRecord e = Evidence(1, "phone", "aa");
  ASSERT_TRUE(case_->evidence().Put(*txn, e).ok());
  // More file records than one page of a PostgreSQL scan, written out of order.
  constexpr std::uint64_t kFiles = 1300;
  for (std::uint64_t i = kFiles; i >= 1; --i) case_->evidence().PutFile(*txn, File(1, i, i % 100 == 0));
  ASSERT_TRUE(txn->Commit().ok());

  std::vector<std::uint64_t> seen;
  ASSERT_TRUE(case_->evidence().ForEachFile(1, false, [&](const engine::FileRecord& f) {
    seen.push_back(f.seq);
    return true;
  }).ok());
  ASSERT_EQ(seen.size(), kFiles);
  for (std::uint64_t i = 0; i < kFiles; ++i) ASSERT_EQ(seen[i], i + 1);

  std::vector<std::uint64_t> with_hits;
  ASSERT_TRUE(case_->evidence().ForEachFile(1, true, [&](const engine::FileRecord& f) {
    with_hits.push_back(f.seq);
    return true;
  }).ok());
  EXPECT_EQ(with_hits, (std::vector<std::uint64_t>{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300}));

  int visited = 0;
  ASSERT_TRUE(case_->evidence().ForEachFile(1, false, [&](const engine::FileRecord&) { return ++visited < 600; }).ok());
  EXPECT_EQ(visited, 600);
}

TEST_P(CaseStoreTest, EvidenceIsFoundByItsFingerprintNotItsPath) {
  auto txn = case_->Begin();
  const engine::EvidenceRecord first = Evidence(1, "phone", "aa");
  ASSERT_TRUE(case_->evidence().Put(*txn, first).ok());
  ASSERT_TRUE(case_->evidence().Put(*txn, Evidence(2, "phone", "bb")).ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(*case_->evidence().Find(first.source_absolute, first.settings, first.fingerprint), 1u);
  engine::EvidenceFingerprint other = first.fingerprint;
  other.tree_sha256 = "bb";
  EXPECT_EQ(*case_->evidence().Find(first.source_absolute, first.settings, other), 2u);
  other.tree_sha256 = "cc";
  EXPECT_FALSE(case_->evidence().Find(first.source_absolute, first.settings, other)->has_value());
  EXPECT_EQ(case_->evidence().ForSubjects({"S-000001"})->size(), 2u);
  EXPECT_TRUE(case_->evidence().ForSubjects({"S-000009"})->empty());
  const auto listed = *case_->evidence().List();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].fingerprint, Evidence(2, "phone", "bb").fingerprint);
}

TEST_P(CaseStoreTest, QueueHistoryDecisionsAndDipSamplesReadBackInOrder) {
  auto txn = case_->Begin();
  for (const std::string id : {"S-000002", "S-000001"}) {
    risk::QueueEntry entry;
    entry.subject_id = id;
    entry.band = risk::Band::kHigh;
    entry.deadline = 1795132800 + 86400;
    case_->queue().PutEntry(*txn, entry);
  }
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    engine::AssessmentRecord a;
    a.seq = seq;
    a.assessment.subject_id = "S-000001";
    a.assessment.score = static_cast<int>(seq * 10);
    case_->queue().PutAssessment(*txn, a);
  }
  for (std::uint64_t id = 1; id <= 3; ++id) {
    risk::Decision d;
    d.id = id;
    d.subject_id = id == 2 ? "S-000002" : "S-000001";
    d.reason = "reason " + std::to_string(id);
    case_->queue().PutDecision(*txn, d);
  }
  for (const std::string date : {"2026-11-21", "2026-11-20"}) {
    risk::DipSampleDraw draw;
    draw.date = date;
    case_->queue().PutDipSample(*txn, draw);
  }
  ASSERT_TRUE(txn->Commit().ok());
  const auto entries = *case_->queue().Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].subject_id, "S-000001");
  EXPECT_EQ((*case_->queue().LatestAssessment("S-000001"))->assessment.score, 30);
  EXPECT_EQ(case_->queue().AssessmentHistory("S-000001")->size(), 3u);
  const auto mine = *case_->queue().Decisions("S-000001");
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[1].reason, "reason 3");
  EXPECT_EQ(case_->queue().Decisions()->size(), 3u);
  const auto draws = *case_->queue().DipSamples();
  ASSERT_EQ(draws.size(), 2u);
  EXPECT_EQ(draws[0].date, "2026-11-20");
  EXPECT_EQ(case_->queue().DipSamples("2026-11-21")->size(), 1u);
}

TEST_P(CaseStoreTest, AttributesOfSeveralSubjectsComeOldestFirst) {
  auto txn = case_->Begin();
  const std::vector<std::tuple<std::string, std::int64_t, std::uint64_t>> recorded = {
      {"S-000001", 300, 1}, {"S-000002", 100, 2}, {"S-000001", 200, 3}, {"S-000003", 50, 4}};
  for (const auto& [subject, at, seq] : recorded) {
    engine::AttributeRecord a;
    a.seq = seq;
    a.subject = subject;
    a.name = "lives_with_children";
    a.value = "yes";
    a.recorded_at = at;
    case_->subjects().PutAttribute(*txn, a);
  }
  ASSERT_TRUE(txn->Commit().ok());
  const auto attributes = *case_->subjects().Attributes({"S-000001", "S-000002"});
  ASSERT_EQ(attributes.size(), 3u);
  EXPECT_EQ(attributes[0].seq, 2u);
  EXPECT_EQ(attributes[1].seq, 3u);
  EXPECT_EQ(attributes[2].seq, 1u);
}

TEST_P(CaseStoreTest, TheAuditChainHoldsAcrossTransactionsAndOpens) {
  for (int round = 0; round < 2; ++round) {
    auto txn = case_->Begin();
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(case_->audit().Append(*txn, engine::MakeAuditEntry("cmd", {{"round", round}}, 1795132800)).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  }
  case_.reset();
  case_ = fresh_->Open();
  const auto verification = engine::VerifyAudit(case_->audit());
  EXPECT_TRUE(verification.intact);
  EXPECT_EQ(verification.entries, 4u);
  EXPECT_EQ((*case_->audit().Head())->seq, 4u);
  const auto entries = *case_->audit().Entries();
  EXPECT_EQ(entries[3].prev_hash, entries[2].hash);
  EXPECT_EQ(entries[0].command_time, 1795132800);
}

TEST_P(CaseStoreTest, SettingsRiskModelAndPendingRescores) {
  auto txn = case_->Begin();
  case_->settings().SetCreated(*txn, 1795132800);
  case_->settings().SetRiskModel(*txn, {"model.toml", "abc", "name = 'x'"});
  case_->settings().MarkRescorePending(*txn, "S-000001");
  case_->settings().MarkRescorePending(*txn, "S-000002");
  ASSERT_TRUE(txn->Commit().ok());
  case_->settings().ClearRescorePending(*txn, "S-000001");
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(**case_->settings().Created(), 1795132800);
  EXPECT_EQ((*case_->settings().RiskModel())->text, "name = 'x'");
  EXPECT_EQ(*case_->settings().PendingRescores(), (std::set<std::string>{"S-000002"}));
}

TEST_P(CaseStoreTest, AReadOnlyOpenRefusesToWrite) {
  case_.reset();
  auto reader = fresh_->Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  auto txn = reader->Begin();
  reader->subjects().PutSubject(*txn, Subject("S-000001", "x"));
  EXPECT_FALSE(txn->Commit().ok());
}

// Accounts of a team case (`hashtriage user ...`), on either backend.
class UsersTest : public CaseStoreTest {
 protected:
  CommandResult User(const std::string& args, const std::string& stdin_text = "") {
    return RunCommand("printf '%s' " + ShellQuote(stdin_text) + " | " + Bin() + " user " + args + " --case " +
                      ShellQuote(fresh_->location()));
  }
  engine::UserRecord Stored(const std::string& name) {
    case_->Refresh();
    auto found = case_->users().Get(name);
    EXPECT_TRUE(found.ok() && found->has_value()) << name;
    return found.ok() && found->has_value() ? **found : engine::UserRecord{};
  }
  void SetUp() override {
    CaseStoreTest::SetUp();
    // The case exists (an embedded one must be initialised; a database is by its migration).
    auto txn = case_->Begin();
    case_->settings().SetCreated(*txn, 1795132800);
    ASSERT_TRUE(txn->Commit().ok());
    if (GetParam() == Backend::kRocks) case_.reset();  // one writer at a time on an embedded case
  }
  void Reopen() {
    if (!case_) case_ = fresh_->Open(/*read_only=*/true);
  }
};

TEST_P(UsersTest, APasswordComesFromStandardInputAndOnlyItsArgon2idHashIsKept) {
  const std::string password = "correct horse battery staple";
  const auto added = User("add alice --role investigator --by admin1", password + "\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(added.out, "added user alice (investigator)\n");
  Reopen();
  const engine::UserRecord alice = Stored("alice");
  EXPECT_EQ(alice.role, "investigator");
  EXPECT_EQ(alice.password_hash.rfind("$argon2id$", 0), 0u) << alice.password_hash;
  EXPECT_TRUE(engine::users::VerifyPassword(alice, password));
  EXPECT_FALSE(engine::users::VerifyPassword(alice, password + "x"));
  EXPECT_EQ(alice.created_by, "admin1");
  // The password is nowhere else: not in the audit log, not in the listing.
  const auto audit = RunCommand(Bin() + " audit show --json --case " + ShellQuote(fresh_->location()));
  EXPECT_NE(audit.out.find("\"action\":\"user add\""), std::string::npos) << audit.out;
  EXPECT_EQ(audit.out.find(password), std::string::npos);
  EXPECT_EQ(User("list --json").out.find("argon2"), std::string::npos);
}

TEST_P(UsersTest, MissingShortAndDuplicateAreRefusedWithNothingStored) {
  const auto none = User("add bob --role researcher");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no password on standard input"), std::string::npos) << none.err;
  const auto short_one = User("add bob --role researcher", "short\n");
  EXPECT_EQ(short_one.exit_code, 2);
  EXPECT_NE(short_one.err.find("at least 12 characters"), std::string::npos) << short_one.err;
  const auto role = User("add bob --role chief", "a long enough password\n");
  EXPECT_EQ(role.exit_code, 2);
  EXPECT_NE(role.err.find("unknown role 'chief'"), std::string::npos) << role.err;
  const auto name = User("add Bob! --role researcher", "a long enough password\n");
  EXPECT_EQ(name.exit_code, 2) << name.err;
  ASSERT_EQ(User("add bob --role researcher", "a long enough password\n").exit_code, 0);
  const auto again = User("add bob --role admin", "another long password\n");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  Reopen();
  EXPECT_EQ(Stored("bob").role, "researcher");
  EXPECT_EQ(User("disable nobody").exit_code, 1);
}

TEST_P(UsersTest, AStationGetsATokenOnceAndNoPassword) {
  const auto added = User("add station-7 --role station");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::size_t at = added.out.find("hts_");
  ASSERT_NE(at, std::string::npos) << added.out;
  const std::string token = added.out.substr(at, 4 + 64);
  Reopen();
  const engine::UserRecord station = Stored("station-7");
  EXPECT_TRUE(station.password_hash.empty());
  EXPECT_TRUE(engine::users::VerifyToken(station, token));
  EXPECT_FALSE(engine::users::VerifyToken(station, "hts_" + std::string(64, '0')));
  EXPECT_EQ(User("passwd station-7", "a long enough password\n").exit_code, 2);
  EXPECT_EQ(User("role station-7 admin").exit_code, 2);
}

TEST_P(UsersTest, RoleChangesAndDisablingAreStoredAndAudited) {
  ASSERT_EQ(User("add carol --role investigator", "a long enough password\n").exit_code, 0);
  EXPECT_EQ(User("role carol supervisor --by admin1").exit_code, 0);
  EXPECT_EQ(User("disable carol --by admin1").exit_code, 0);
  ASSERT_EQ(User("passwd carol", "a different password\n").exit_code, 0);
  const auto list = User("list");
  EXPECT_NE(list.out.find("carol                    supervisor    disabled"), std::string::npos) << list.out;
  EXPECT_EQ(User("enable carol").exit_code, 0);
  Reopen();
  const engine::UserRecord carol = Stored("carol");
  EXPECT_FALSE(carol.disabled);
  EXPECT_EQ(carol.role, "supervisor");
  EXPECT_TRUE(engine::users::VerifyPassword(carol, "a different password"));
  const auto audit = RunCommand(Bin() + " audit show --json --case " + ShellQuote(fresh_->location()));
  for (const std::string action : {"user add", "user role", "user disable", "user passwd", "user enable"}) {
    EXPECT_NE(audit.out.find("\"action\":\"" + action + "\""), std::string::npos) << action;
  }
  EXPECT_EQ(RunCommand(Bin() + " audit verify --case " + ShellQuote(fresh_->location())).exit_code, 0);
}

// An embedded case written before the users table existed (hashtriage before team mode) opens
// read-only with the table read as empty, and gains the table at the first read-write open.
TEST(EmbeddedCaseFormat, ACaseWithoutTheUsersTableStillOpens) {
  TempDir dir;
  const std::string location = (dir / "case").string();
  ASSERT_EQ(RunCommand(Bin() + " case init --case " + Q(dir / "case")).exit_code, 0);
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families{{rocksdb::kDefaultColumnFamilyName, {}}};
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies({}, location + "/store", &names).ok());
    for (const auto& n : names) {
      if (n != rocksdb::kDefaultColumnFamilyName) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open({}, location + "/store", families, &handles, &db).ok());
    for (auto* h : handles) {
      if (h->GetName() == "users") {
        EXPECT_TRUE(db->DropColumnFamily(h).ok());
      }
    }
    for (auto* h : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  const auto status = RunCommand(Bin() + " case status --case " + Q(dir / "case"));
  EXPECT_EQ(status.exit_code, 0) << status.err;
  const auto list = RunCommand(Bin() + " user list --case " + Q(dir / "case"));
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(SplitLines(list.out).size(), 1u) << list.out;  // the heading only
  const auto added = RunCommand("echo 'a long enough password' | " + Bin() + " user add dave --role admin --case " +
                                Q(dir / "case"));
  EXPECT_EQ(added.exit_code, 0) << added.err;
}

INSTANTIATE_TEST_SUITE_P(BothBackends, UsersTest, ::testing::Values(Backend::kRocks, Backend::kPostgres),
                         BackendName);

INSTANTIATE_TEST_SUITE_P(BothBackends, CaseStoreTest, ::testing::Values(Backend::kRocks, Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace hashtriage::testing

// The hash-chained audit log detects edited, deleted, reordered and truncated entries (tampered with
// underneath, in the embedded store's own table), and every entry carries the real time it was
// written beside the command's clock, so entries cannot be back-dated without trace.
#include "engine/case/audit_log.h"

#include <gtest/gtest.h>

#include "engine/case/kv/kv_store.h"
#include "engine/case/kv/record_codec.h"
#include "engine/case/kv/kv_case.h"
#include "engine/time_util.h"
#include "tests/test_support.h"

namespace hashtriage::engine {
namespace {

using kv::EncodeU64;
using kv::Table;

constexpr int kAuditRecordVersion = 1;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseOptions options;
    options.location = (dir_ / "case").string();
    case_ = std::move(OpenCase(options)).value();
    for (int i = 1; i <= 5; ++i) {
      auto txn = case_->Begin();
      ASSERT_TRUE(case_->audit().Append(*txn, MakeAuditEntry("hashtriage step " + std::to_string(i), {{"n", i}},
                                                             1000 + i)).ok());
      ASSERT_TRUE(txn->Commit().ok());
    }
  }
  kv::KvStore& Kv() { return static_cast<kv::KvCase&>(*case_).kv(); }
  std::string Raw(std::uint64_t seq) { return **Kv().Get(Table::kAudit, EncodeU64(seq)); }
  bool Mentions(const AuditVerification& v, const std::string& text) {
    for (const auto& p : v.problems) {
      if (p.find(text) != std::string::npos) return true;
    }
    return false;
  }

  testing::TempDir dir_;
  std::unique_ptr<Case> case_;
};

TEST_F(AuditLogTest, FreshLogIsIntactAndChained) {
  const auto v = VerifyAudit(case_->audit());
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.entries, 5u);
  const auto entries = *case_->audit().Entries();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].prev_hash, "");
  for (std::size_t i = 1; i < entries.size(); ++i) EXPECT_EQ(entries[i].prev_hash, entries[i - 1].hash);
  EXPECT_EQ(entries[2].command, "hashtriage step 3");
  EXPECT_FALSE(entries[2].user.empty());
}

// Regression (issue "Results an examiner can rely on", defect 7): an entry carried only the command's
// --now clock, so a command could be back-dated without trace. Now the real UTC time of writing is
// always recorded (and hashed), and the command's clock beside it.
TEST_F(AuditLogTest, EntriesCarryTheRealTimeBesideTheCommandClock) {
  const std::int64_t before = WallClockNow();
  auto txn = case_->Begin();
  ASSERT_TRUE(case_->audit().Append(*txn, MakeAuditEntry("back-dated", {}, 946684800 /* 2000-01-01 */)).ok());
  ASSERT_TRUE(txn->Commit().ok());
  const std::int64_t after = WallClockNow();
  const auto entries = *case_->audit().Entries();
  const AuditEntry& e = entries.back();
  EXPECT_EQ(e.command_time, std::optional<std::int64_t>(946684800));
  EXPECT_GE(e.utc, before);
  EXPECT_LE(e.utc, after);
  // The real time is part of the hash: changing it is detected.
  auto j = *kv::DecodeRecord(Raw(e.seq), kAuditRecordVersion, "test");
  j["utc"] = 946684800;
  ASSERT_TRUE(Kv().Put(Table::kAudit, EncodeU64(e.seq), kv::EncodeRecord(j, kAuditRecordVersion)).ok());
  const auto v = VerifyAudit(case_->audit());
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "entry 6: content edited")) << ::testing::PrintToString(v.problems);
}

TEST_F(AuditLogTest, EntriesWithoutACommandClockHaveNone) {
  auto txn = case_->Begin();
  ASSERT_TRUE(case_->audit().Append(*txn, MakeAuditEntry("real time only", {}, std::nullopt)).ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_FALSE(case_->audit().Entries()->back().command_time.has_value());
}

TEST_F(AuditLogTest, SeveralEntriesInOneTransactionChain) {
  auto txn = case_->Begin();
  ASSERT_TRUE(case_->audit().Append(*txn, MakeAuditEntry("a", {}, std::nullopt)).ok());
  ASSERT_TRUE(case_->audit().Append(*txn, MakeAuditEntry("b", {}, std::nullopt)).ok());
  ASSERT_TRUE(txn->Commit().ok());
  const auto v = VerifyAudit(case_->audit());
  EXPECT_TRUE(v.intact) << ::testing::PrintToString(v.problems);
  EXPECT_EQ(v.entries, 7u);
}

TEST_F(AuditLogTest, DetectsAnEditedEntry) {
  auto j = *kv::DecodeRecord(Raw(3), kAuditRecordVersion, "test");
  j["command"] = "hashtriage something else";
  ASSERT_TRUE(Kv().Put(Table::kAudit, EncodeU64(3), kv::EncodeRecord(j, kAuditRecordVersion)).ok());
  const auto v = VerifyAudit(case_->audit());
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "entry 3: content edited")) << ::testing::PrintToString(v.problems);
}

TEST_F(AuditLogTest, DetectsADeletedEntry) {
  kv::KvStore::Batch batch;
  batch.Delete(Table::kAudit, EncodeU64(2));
  ASSERT_TRUE(Kv().Write(batch).ok());
  const auto v = VerifyAudit(case_->audit());
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "entry 2: missing")) << ::testing::PrintToString(v.problems);
}

TEST_F(AuditLogTest, DetectsReorderedEntries) {
  const std::string four = Raw(4), five = Raw(5);
  ASSERT_TRUE(Kv().Put(Table::kAudit, EncodeU64(4), five).ok());
  ASSERT_TRUE(Kv().Put(Table::kAudit, EncodeU64(5), four).ok());
  const auto v = VerifyAudit(case_->audit());
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "entry 4")) << ::testing::PrintToString(v.problems);
}

TEST_F(AuditLogTest, DetectsATruncatedTail) {
  kv::KvStore::Batch batch;
  batch.Delete(Table::kAudit, EncodeU64(5));
  ASSERT_TRUE(Kv().Write(batch).ok());
  const auto v = VerifyAudit(case_->audit());
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "head")) << ::testing::PrintToString(v.problems);
}

}  // namespace
}  // namespace hashtriage::engine

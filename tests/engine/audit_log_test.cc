// The hash-chained audit log detects edited, deleted, reordered and truncated entries.
#include "engine/audit_log.h"

#include <gtest/gtest.h>

#include "engine/record_codec.h"
#include "tests/test_support.h"

namespace hashtriage::engine {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseOptions options;
    options.path = (dir_ / "case").string();
    store_ = std::move(CaseStore::Open(options)).value();
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(AppendAudit(*store_, 1000 + i, "hashtriage step " + std::to_string(i), {{"n", i}}).ok());
    }
  }
  std::string Raw(std::uint64_t seq) { return **store_->Get(Table::kAudit, EncodeU64(seq)); }
  bool Mentions(const AuditVerification& v, const std::string& text) {
    for (const auto& p : v.problems) {
      if (p.find(text) != std::string::npos) return true;
    }
    return false;
  }

  testing::TempDir dir_;
  std::unique_ptr<CaseStore> store_;
};

TEST_F(AuditLogTest, FreshLogIsIntactAndChained) {
  const auto v = VerifyAudit(*store_);
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.entries, 5u);
  const auto entries = ReadAudit(*store_);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].prev_hash, "");
  for (std::size_t i = 1; i < entries.size(); ++i) EXPECT_EQ(entries[i].prev_hash, entries[i - 1].hash);
  EXPECT_EQ(entries[2].command, "hashtriage step 3");
  EXPECT_FALSE(entries[2].user.empty());
}

TEST_F(AuditLogTest, DetectsAnEditedEntry) {
  auto j = *DecodeRecord(Raw(3));
  j["command"] = "hashtriage something else";
  ASSERT_TRUE(store_->Put(Table::kAudit, EncodeU64(3), EncodeRecord(j)).ok());
  const auto v = VerifyAudit(*store_);
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "entry 3: content edited")) << ::testing::PrintToString(v.problems);
}

TEST_F(AuditLogTest, DetectsADeletedEntry) {
  CaseStore::Batch batch;
  batch.Delete(Table::kAudit, EncodeU64(2));
  ASSERT_TRUE(store_->Write(batch).ok());
  const auto v = VerifyAudit(*store_);
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "entry 2: missing")) << ::testing::PrintToString(v.problems);
}

TEST_F(AuditLogTest, DetectsReorderedEntries) {
  const std::string four = Raw(4), five = Raw(5);
  ASSERT_TRUE(store_->Put(Table::kAudit, EncodeU64(4), five).ok());
  ASSERT_TRUE(store_->Put(Table::kAudit, EncodeU64(5), four).ok());
  const auto v = VerifyAudit(*store_);
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "entry 4")) << ::testing::PrintToString(v.problems);
}

TEST_F(AuditLogTest, DetectsATruncatedTail) {
  CaseStore::Batch batch;
  batch.Delete(Table::kAudit, EncodeU64(5));
  ASSERT_TRUE(store_->Write(batch).ok());
  const auto v = VerifyAudit(*store_);
  EXPECT_FALSE(v.intact);
  EXPECT_TRUE(Mentions(v, "head")) << ::testing::PrintToString(v.problems);
}

}  // namespace
}  // namespace hashtriage::engine

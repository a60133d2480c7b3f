// Linking accounts into subjects, through generated referrals and the real intake path: strong
// identifiers merge (explainably, with redirects), IP addresses never do, unlink splits a merge and
// is respected afterwards, manual links override an unlink, and linking is incremental across days.
#include <gtest/gtest.h>

#include "engine/case/kv/kv_case.h"
#include "engine/subjects/subject_profiles.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/subject_view.h"
#include "tests/engine/subjects_test_util.h"

namespace hashtriage::testing {
namespace {

using engine::subjects::Actor;
using engine::subjects::Linker;
using engine::subjects::SubjectWorkspace;

struct Fixture {
  TempDir dir;
  std::unique_ptr<engine::Case> store = OpenCase(dir / "case");
  IntakeResult Run(const std::string& name, const std::vector<nlohmann::json>& reports, std::int64_t now = kIntakeDay,
                   engine::subjects::LinkOptions link = {}) {
    WriteJsonLines(dir / name, reports);
    return Ingest(*store, nullptr, dir / name, now, link);
  }
  std::string Root(const std::string& id) {
    auto root = engine::ResolveSubjectId(*store, id);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    return root.ok() ? *root : "";
  }
  std::vector<std::string> Subjects() { return engine::ListSubjectIds(*store).value(); }
};

TEST(SubjectsLinkingTest, TwoAccountsSharingAnEmailAreOneSubjectAndShowSaysWhy) {
  Fixture f;
  auto r = f.Run("day.jsonl", {CybertipReport({.id = "R1", .service = "examplechat", .account = "111", .emails = {"alice@example.com"}}),
                               CybertipReport({.id = "R2", .service = "otherapp", .account = "222", .emails = {"ALICE@example.com "}}),
                               CybertipReport({.id = "R3", .service = "otherapp", .account = "333", .emails = {"bob@example.com"}})});
  ASSERT_EQ(r.outcomes.size(), 3u);
  EXPECT_EQ(r.outcomes[0].subject_id, r.outcomes[1].subject_id);
  EXPECT_NE(r.outcomes[0].account_id, r.outcomes[1].account_id);
  EXPECT_NE(r.outcomes[2].subject_id, r.outcomes[0].subject_id);
  EXPECT_EQ(f.Subjects().size(), 2u);

  auto view = engine::subjects::BuildSubjectView(*f.store, r.outcomes[0].subject_id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ((*view)["accounts"].size(), 2u);
  EXPECT_EQ((*view)["accounts"][1]["joined_by"], "email:alice@example.com");
  EXPECT_EQ((*view)["referrals"].size(), 2u);
}

TEST(SubjectsLinkingTest, ASharedIdentifierMergesTwoKnownSubjectsAndOldIdsStillResolve) {
  Fixture f;
  auto day1 = f.Run("day1.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}}),
                                   CybertipReport({.id = "R2", .service = "otherapp", .account = "2", .phones = {"+44 7700 900001"}})});
  const std::string s1 = day1.outcomes[0].subject_id, s2 = day1.outcomes[1].subject_id;
  ASSERT_NE(s1, s2);
  auto day2 = f.Run("day2.jsonl", {CybertipReport({.id = "R3", .service = "thirdapp", .account = "3", .emails = {"a@x.org"},
                                                   .phones = {"0044 7700 900001"}})},
                    kIntakeDay + 86400);
  ASSERT_EQ(day2.outcomes.size(), 1u);
  ASSERT_EQ(day2.outcomes[0].merges.size(), 1u);
  EXPECT_EQ(day2.outcomes[0].merges[0].identifier, "phone:+447700900001");
  EXPECT_EQ(f.Subjects(), std::vector<std::string>{s1});  // the older subject survives
  EXPECT_EQ(f.Root(s2), s1);
  EXPECT_EQ(day2.outcomes[0].previous_referrals, 2u);  // the history behind the new report

  auto profile = engine::LoadSubjectProfile(*f.store, s2);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->subject_id, s1);
  EXPECT_EQ(profile->referral_ids.size(), 3u);
}

TEST(SubjectsLinkingTest, SubjectsBehindOneCarrierNatAddressAreNotMergedButShownAsPossibleLinks) {
  Fixture f;
  auto r = f.Run("nat.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}, .ip = "100.64.1.1"}),
                               CybertipReport({.id = "R2", .account = "2", .emails = {"b@x.org"}, .ip = "100.64.1.1",
                                               .event_time = kIntakeDay + 3600})});
  ASSERT_EQ(r.outcomes.size(), 2u);
  EXPECT_NE(r.outcomes[0].subject_id, r.outcomes[1].subject_id);
  EXPECT_EQ(f.Subjects().size(), 2u);
  EXPECT_EQ(r.outcomes[1].possible_links.size(), 1u);
  auto view = engine::subjects::BuildSubjectView(*f.store, r.outcomes[0].subject_id);
  ASSERT_EQ((*view)["possible_links"].size(), 1u);
  EXPECT_EQ((*view)["possible_links"][0]["other_subject"], r.outcomes[1].subject_id);

  // Outside the window: no possible link.
  auto later = f.Run("later.jsonl", {CybertipReport({.id = "R3", .account = "3", .emails = {"c@x.org"}, .ip = "100.64.1.1",
                                                     .event_time = kIntakeDay + 3 * 86400})});
  EXPECT_TRUE(later.outcomes[0].possible_links.empty());

  // Many subjects at once on one address: shared (NAT/VPN), no more possible links, still no merges.
  std::vector<nlohmann::json> crowd;
  for (int i = 0; i < 8; ++i) {
    crowd.push_back(CybertipReport({.id = "N" + std::to_string(i), .account = "n" + std::to_string(i),
                                    .ip = "100.64.9.9", .event_time = kIntakeDay + i * 60}));
  }
  auto many = f.Run("crowd.jsonl", crowd);
  std::size_t links_after_sharing = 0;
  for (std::size_t i = 5; i < many.outcomes.size(); ++i) links_after_sharing += many.outcomes[i].possible_links.size();
  EXPECT_EQ(links_after_sharing, 0u);
  EXPECT_EQ(f.Subjects().size(), 3u + 8u);
}

TEST(SubjectsLinkingTest, UnlinkAfterAnAutomaticMergeSplitsAndLaterReferralsRespectIt) {
  Fixture f;
  auto r = f.Run("day1.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"shared@x.org"}}),
                                CybertipReport({.id = "R2", .service = "otherapp", .account = "2", .emails = {"shared@x.org"}})});
  ASSERT_EQ(r.outcomes[0].subject_id, r.outcomes[1].subject_id);
  const std::string a1 = r.outcomes[0].account_id, a2 = r.outcomes[1].account_id;
  {
    auto txn = f.store->Begin();
    SubjectWorkspace work(*f.store, *txn);
    Linker linker(work);
    auto outcome = linker.Unlink(a1, a2, "family computer: two people", Actor{kIntakeDay + 10, "DS Smith"});
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_TRUE(outcome->split);
    ASSERT_EQ(outcome->subjects.size(), 2u);
    ASSERT_TRUE(work.Flush().ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto s1 = engine::ResolveSubjectId(*f.store, r.outcomes[0].subject_id).value();
  EXPECT_EQ(f.Subjects().size(), 2u);
  // A third account with the same email: joins one side, the merge with the other is refused.
  auto day2 = f.Run("day2.jsonl", {CybertipReport({.id = "R3", .service = "thirdapp", .account = "3", .emails = {"shared@x.org"}})},
                    kIntakeDay + 86400);
  ASSERT_EQ(day2.outcomes.size(), 1u);
  EXPECT_TRUE(day2.outcomes[0].merges.empty());
  EXPECT_EQ(day2.outcomes[0].blocked.size(), 1u);
  EXPECT_EQ(f.Subjects().size(), 2u);
  (void)s1;
}

TEST(SubjectsLinkingTest, UnlinkingSubjectIdsRestoresBothIdsAndLinkOverridesIt) {
  Fixture f;
  auto day1 = f.Run("day1.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}}),
                                   CybertipReport({.id = "R2", .service = "otherapp", .account = "2", .phones = {"07700900002"}})});
  const std::string s1 = day1.outcomes[0].subject_id, s2 = day1.outcomes[1].subject_id;
  f.Run("day2.jsonl", {CybertipReport({.id = "R3", .service = "thirdapp", .account = "3", .emails = {"a@x.org"}, .phones = {"07700900002"}})},
        kIntakeDay + 86400);
  ASSERT_EQ(f.Root(s2), s1);
  {
    auto txn = f.store->Begin();
    SubjectWorkspace work(*f.store, *txn);
    Linker linker(work);
    auto outcome = linker.Unlink(s1, s2, "different people", Actor{kIntakeDay + 90000, "DS Smith"});
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    ASSERT_TRUE(work.Flush().ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(f.Root(s1), s1);
  EXPECT_EQ(f.Root(s2), s2);
  // Each keeps its own founding account and referral.
  auto p1 = engine::LoadSubjectProfile(*f.store, s1).value();
  auto p2 = engine::LoadSubjectProfile(*f.store, s2).value();
  EXPECT_NE(std::find(p1.referral_ids.begin(), p1.referral_ids.end(), "cybertip:R1"), p1.referral_ids.end());
  EXPECT_NE(std::find(p2.referral_ids.begin(), p2.referral_ids.end(), "cybertip:R2"), p2.referral_ids.end());
  EXPECT_EQ(p1.referral_ids.size() + p2.referral_ids.size(), 3u);  // R3 went to one side, not both

  {
    auto txn = f.store->Begin();
    SubjectWorkspace work(*f.store, *txn);
    Linker linker(work);
    auto survivor = linker.Link(s2, s1, "confirmed by phone records", Actor{kIntakeDay + 95000, "DI Jones"});
    ASSERT_TRUE(survivor.ok()) << survivor.status().ToString();
    EXPECT_EQ(*survivor, s1);
    EXPECT_FALSE(linker.Link(s1, s2, "again", Actor{kIntakeDay + 95001, "DI Jones"}).ok());  // already one
    ASSERT_TRUE(work.Flush().ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(f.Subjects(), std::vector<std::string>{s1});
  EXPECT_EQ(engine::LoadSubjectProfile(*f.store, s1)->referral_ids.size(), 3u);
}

TEST(SubjectsLinkingTest, ANewDaysReferralAttachesToTheKnownSubjectWithItsHistory) {
  Fixture f;
  auto day1 = f.Run("day1.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}}),
                                   CybertipReport({.id = "R2", .account = "1", .ip = "192.0.2.1"})});
  EXPECT_EQ(day1.outcomes[0].subject_id, day1.outcomes[1].subject_id);  // same service account
  EXPECT_EQ(day1.outcomes[0].account_id, day1.outcomes[1].account_id);
  const auto before = TableSizes(*f.store);
  auto day2 = f.Run("day2.jsonl", {CybertipReport({.id = "R9", .service = "p2p-like", .account = "9", .emails = {"a@x.org"}})},
                    kIntakeDay + 86400);
  ASSERT_EQ(day2.outcomes.size(), 1u);
  EXPECT_FALSE(day2.outcomes[0].new_subject);
  EXPECT_EQ(day2.outcomes[0].subject_id, day1.outcomes[0].subject_id);
  EXPECT_EQ(day2.outcomes[0].previous_referrals, 2u);
  ASSERT_TRUE(day2.outcomes[0].known_since.has_value());
  // Incremental: one referral adds a referral, an account and its identifiers; no subject is rewritten
  // beyond the one it joined (subjects table size unchanged).
  const auto after = TableSizes(*f.store);
  EXPECT_EQ(after[static_cast<int>(engine::kv::Table::kSubjects)], before[static_cast<int>(engine::kv::Table::kSubjects)]);
  EXPECT_EQ(after[static_cast<int>(engine::kv::Table::kReferrals)], before[static_cast<int>(engine::kv::Table::kReferrals)] + 1);
  EXPECT_EQ(after[static_cast<int>(engine::kv::Table::kAccounts)], before[static_cast<int>(engine::kv::Table::kAccounts)] + 1);
}

TEST(SubjectsLinkingTest, ReingestingAFileChangesNothing) {
  Fixture f;
  std::vector<nlohmann::json> reports;
  for (int i = 0; i < 20; ++i) {
    reports.push_back(CybertipReport({.id = i % 2 ? "" : "R" + std::to_string(i), .account = std::to_string(i % 7),
                                      .emails = {"u" + std::to_string(i % 5) + "@x.org"}, .ip = "198.51.100." + std::to_string(i % 3),
                                      .event_time = kIntakeDay + i * 60, .md5s = {std::string(31, 'a') + std::to_string(i % 10)}}));
  }
  auto first = f.Run("day.jsonl", reports);
  EXPECT_EQ(first.outcomes.size(), 20u);
  const auto before = TableSizes(*f.store);
  auto second = Ingest(*f.store, nullptr, f.dir / "day.jsonl", kIntakeDay + 86400);
  ASSERT_EQ(second.outcomes.size(), 20u);
  for (const auto& o : second.outcomes) EXPECT_TRUE(o.duplicate) << o.referral_id;
  EXPECT_EQ(TableSizes(*f.store), before);
}

}  // namespace
}  // namespace hashtriage::testing

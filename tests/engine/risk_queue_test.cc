// The queue: entering, deadlines, re-scoring with recorded band changes, overrides that re-scoring
// never reverts, closing only by decision, re-opening on new intelligence, and the order.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "engine/risk/queue_rules.h"
#include "engine/case/queue_store.h"
#include "engine/risk/rescore.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

using index::Category;
using testing::AddHits;
using testing::AddReferral;
using testing::DefaultModel;
using testing::kDay;
using testing::kT0;
using testing::SetAttribute;
using testing::Subject;

QueueEntry Rescore(Case& store, const SubjectProfile& p, std::int64_t now, const RiskModel& model) {
  auto outcome = RescoreProfile(store, p, now, model);
  EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
  auto entry = store.queue().Entry(p.subject_id);
  EXPECT_TRUE(entry.ok() && entry->has_value());
  return entry.ok() && entry->has_value() ? **entry : QueueEntry{};
}

Decision Review(Case& store, const std::string& id, Outcome outcome, std::optional<Band> band,
                std::int64_t at, const RiskModel& model) {
  auto entry = store.queue().Entry(id);
  EXPECT_TRUE(entry.ok() && entry->has_value());
  auto txn = store.Begin();
  Decision d;
  d.id = *txn->NextId("decision");
  d.subject_id = id;
  d.outcome = outcome;
  d.band = band;
  d.reason = "test";
  d.by = "DS Vale";
  d.at = at;
  d.model_band = (*entry)->model_band;
  d.band_before = (*entry)->band;
  auto applied = ApplyDecision(**entry, d, model);
  EXPECT_TRUE(applied.ok()) << applied.status().ToString();
  store.queue().PutDecision(*txn, d);
  store.queue().PutEntry(*txn, *applied);
  EXPECT_TRUE(txn->Commit().ok());
  return d;
}

TEST(RiskQueueTest, LivesWithChildrenAndCategoryARanksAboveMoreHitsWithoutAccess) {
  const RiskModel model = DefaultModel();
  testing::TempCase c;
  for (TriState access : {TriState::kNo, TriState::kUnknown}) {
    SubjectProfile carer = Subject(access == TriState::kNo ? "carer1" : "carer2");
    SetAttribute(carer, "lives_with_children", TriState::kYes);
    AddHits(carer, Category::kA, 2);
    SubjectProfile collector = Subject(access == TriState::kNo ? "collector1" : "collector2");
    for (const char* a : {"lives_with_children", "works_with_children", "other_access_to_children"}) {
      SetAttribute(collector, a, access);
    }
    AddHits(collector, Category::kA, 40);
    AddHits(collector, Category::kB, 400, "b");
    const QueueEntry e1 = Rescore(*c.store, carer, kT0, model);
    const QueueEntry e2 = Rescore(*c.store, collector, kT0, model);
    EXPECT_GT(e1.score, e2.score);
    EXPECT_TRUE(QueueBefore(e1, e2, kT0, model)) << BandName(e1.band) << " vs " << BandName(e2.band);
    std::vector<QueueEntry> q = {e2, e1};
    SortQueue(q, kT0 + kDay, model);
    EXPECT_EQ(q.front().subject_id, carer.subject_id);
  }
}

TEST(RiskQueueTest, EntersAtFirstActivityWithTheBandDeadline) {
  const RiskModel model = DefaultModel();
  testing::TempCase c;
  SubjectProfile p = Subject("S1", kT0 - 3 * kDay);
  AddReferral(p, "R1", kT0 - 3 * kDay);
  SetAttribute(p, "works_with_children", TriState::kYes);
  SetAttribute(p, "prior_criminal_history", TriState::kYes);  // 25 + 8 = 33: Medium
  const QueueEntry e = Rescore(*c.store, p, kT0, model);
  EXPECT_EQ(e.entered_at, kT0 - 3 * kDay);
  EXPECT_EQ(e.band, Band::kMedium);
  EXPECT_EQ(e.deadline, e.entered_at + 14 * kDay);
  // A subject with neither referral nor hit is scored but not queued.
  SubjectProfile none = Subject("S2");
  none.first_activity.reset();
  ASSERT_TRUE(RescoreProfile(*c.store, none, kT0, model).ok());
  EXPECT_FALSE(c.store->queue().Entry("S2")->has_value());
}

TEST(RiskQueueTest, NewAttributeRescoresAndRecordsTheBandChange) {
  const RiskModel model = DefaultModel();
  testing::TempCase c;
  SubjectProfile p = Subject("S1");
  AddReferral(p, "R1", kT0);
  AddHits(p, Category::kA, 1);
  SetAttribute(p, "prior_criminal_history", TriState::kYes);
  QueueEntry e = Rescore(*c.store, p, kT0, model);
  EXPECT_EQ(e.score, 6 + 1 + 8);
  EXPECT_EQ(e.band, Band::kMedium);
  const std::int64_t medium_deadline = e.deadline;
  SetAttribute(p, "lives_with_children", TriState::kYes, kT0 + 2 * kDay);
  e = Rescore(*c.store, p, kT0 + 2 * kDay, model);
  EXPECT_EQ(e.score, 15 + 25);
  EXPECT_EQ(e.band, Band::kHigh);
  EXPECT_EQ(e.deadline, kT0 + 7 * kDay);
  EXPECT_LT(e.deadline, medium_deadline);
  auto history = c.store->queue().AssessmentHistory("S1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->front().event, "entered the queue as Medium");
  EXPECT_NE(history->back().band_change.find("Medium -> High"), std::string::npos) << history->back().band_change;
  EXPECT_NE(history->back().band_change.find("+ lives_with_children (25)"), std::string::npos);
  // Re-scoring with nothing new records nothing new.
  Rescore(*c.store, p, kT0 + 3 * kDay, model);
  EXPECT_EQ(c.store->queue().AssessmentHistory("S1")->size(), 2u);
}

TEST(RiskQueueTest, LowerBandNeverExtendsTheDeadline) {
  const RiskModel model = DefaultModel();
  SubjectProfile p = Subject("S1");
  AddReferral(p, "R1", kT0);
  SetAttribute(p, "grooming", TriState::kYes);
  SetAttribute(p, "works_with_children", TriState::kYes);  // urgency: Very High, 1 day
  const Activity act = ActivityOf(p);
  auto first = ApplyAssessment(std::nullopt, Assess(p, model, kT0), act, kT0, model);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->entry.band, Band::kVeryHigh);
  EXPECT_EQ(first->entry.deadline, kT0 + kDay);
  SetAttribute(p, "works_with_children", TriState::kNo);  // the job was wrong: no urgency now
  auto second = ApplyAssessment(first->entry, Assess(p, model, kT0 + 1000), act, kT0 + 1000, model);
  ASSERT_TRUE(second);
  EXPECT_LT(second->entry.band, Band::kVeryHigh);
  EXPECT_EQ(second->entry.deadline, kT0 + kDay);
  ASSERT_TRUE(second->effective_band_before);
  EXPECT_EQ(*second->effective_band_before, Band::kVeryHigh);
}

TEST(RiskQueueTest, OverridesSurviveRescoringAndDisagreementIsFlagged) {
  const RiskModel model = DefaultModel();
  testing::TempCase c;
  SubjectProfile p = Subject("S1");
  AddReferral(p, "R1", kT0);
  AddHits(p, Category::kC, 3);
  QueueEntry e = Rescore(*c.store, p, kT0, model);
  ASSERT_EQ(e.band, Band::kMedium);
  Review(*c.store, "S1", Outcome::kKeep, Band::kHigh, kT0 + kDay, model);
  e = **c.store->queue().Entry("S1");
  EXPECT_EQ(e.band, Band::kHigh);
  EXPECT_EQ(e.model_band, Band::kMedium);
  EXPECT_EQ(e.deadline, kT0 + 7 * kDay);
  // More intelligence lowers the model's band: the override holds and the reviewer is asked.
  for (const char* a : {"lives_with_children", "works_with_children", "other_access_to_children"}) {
    SetAttribute(p, a, TriState::kNo);
  }
  e = Rescore(*c.store, p, kT0 + 2 * kDay, model);
  EXPECT_EQ(e.band, Band::kHigh);
  EXPECT_EQ(e.model_band, Band::kLow);
  ASSERT_TRUE(e.review_flag);
  EXPECT_EQ(e.review_flag->model_band, Band::kLow);
  ASSERT_TRUE(e.override_band);
  EXPECT_EQ(e.override_band->by, "DS Vale");
  auto history = c.store->queue().AssessmentHistory("S1");
  EXPECT_NE(history->back().band_change.find("override High by DS Vale holds; flagged"), std::string::npos)
      << history->back().band_change;
  // And an urgency flag still does not silently replace the human's band.
  p.escalate_to_high_priority = true;
  e = Rescore(*c.store, p, kT0 + 3 * kDay, model);
  EXPECT_EQ(e.band, Band::kHigh);
  EXPECT_EQ(e.model_band, Band::kVeryHigh);
  EXPECT_EQ(e.review_flag->model_band, Band::kVeryHigh);
  // A review clears the flag.
  Review(*c.store, "S1", Outcome::kKeep, Band::kVeryHigh, kT0 + 3 * kDay, model);
  e = **c.store->queue().Entry("S1");
  EXPECT_FALSE(e.review_flag);
  EXPECT_EQ(e.band, Band::kVeryHigh);
  EXPECT_EQ(e.deadline, kT0 + kDay);
}

TEST(RiskQueueTest, OnlyADecisionClosesAndLaterIntelligenceReopens) {
  const RiskModel model = DefaultModel();
  testing::TempCase c;
  SubjectProfile p = Subject("S1");
  AddReferral(p, "R1", kT0);
  Rescore(*c.store, p, kT0, model);
  const Decision d = Review(*c.store, "S1", Outcome::kNoFurtherAction, std::nullopt, kT0 + kDay, model);
  QueueEntry e = **c.store->queue().Entry("S1");
  EXPECT_FALSE(e.open());
  EXPECT_EQ(e.closed_decision, d.id);
  // Re-scoring (a new attribute) does not re-open it.
  SetAttribute(p, "prior_criminal_history", TriState::kYes, kT0 + 2 * kDay);
  e = Rescore(*c.store, p, kT0 + 2 * kDay, model);
  EXPECT_FALSE(e.open());
  // A later referral does, as a new episode dated at that referral.
  AddReferral(p, "R2", kT0 + 5 * kDay);
  e = Rescore(*c.store, p, kT0 + 5 * kDay, model);
  EXPECT_TRUE(e.open());
  EXPECT_EQ(e.episode, 2);
  EXPECT_EQ(e.entered_at, kT0 + 5 * kDay);
  EXPECT_EQ(c.store->queue().Decisions("S1")->size(), 1u);  // history kept
  // A decision on a closed entry is refused.
  QueueEntry closed = e;
  closed.status = EntryStatus::kClosed;
  Decision again;
  again.outcome = Outcome::kKeep;
  EXPECT_FALSE(ApplyDecision(closed, again, model).ok());
}

TEST(RiskQueueTest, OverdueFloatsUpWithinItsBandOnly) {
  const RiskModel model = DefaultModel();
  auto entry = [](std::string id, Band band, std::int64_t entered, int score) {
    QueueEntry e;
    e.subject_id = std::move(id);
    e.band = e.model_band = band;
    e.entered_at = entered;
    e.score = score;
    return e;
  };
  std::vector<QueueEntry> q = {entry("low-old", Band::kLow, kT0 - 40 * kDay, 1),
                               entry("med-new", Band::kMedium, kT0, 30),
                               entry("med-old", Band::kMedium, kT0 - 20 * kDay, 16),
                               entry("high", Band::kHigh, kT0, 40),
                               entry("low-new", Band::kLow, kT0, 14)};
  for (auto& e : q) e.deadline = DeadlineFor(e.entered_at, e.band, model);
  SortQueue(q, kT0 + kDay, model);
  std::vector<std::string> order;
  for (const auto& e : q) order.push_back(e.subject_id);
  EXPECT_EQ(order, (std::vector<std::string>{"high", "med-old", "med-new", "low-old", "low-new"}));
  EXPECT_TRUE(q[1].overdue(kT0 + kDay));
  EXPECT_FALSE(q[2].overdue(kT0 + kDay));
}

TEST(RiskQueueTest, LongOverdueCasesEscalateSoNoBandIsStarved) {
  RiskModel model = DefaultModel();
  ASSERT_EQ(model.escalate_overdue_every_days, 21);
  ASSERT_EQ(model.escalate_overdue_up_to, Band::kMedium);
  auto entry = [&](std::string id, Band band, std::int64_t entered, int score) {
    QueueEntry e;
    e.subject_id = std::move(id);
    e.band = e.model_band = band;
    e.entered_at = entered;
    e.deadline = DeadlineFor(entered, band, model);
    e.score = score;
    return e;
  };
  const QueueEntry low_old = entry("low-old", Band::kLow, kT0 - 60 * kDay, 1);         // due kT0 - 30 days
  const QueueEntry medium_new = entry("med-new", Band::kMedium, kT0, 30);
  const QueueEntry high_old = entry("high-old", Band::kHigh, kT0 - 60 * kDay, 40);    // due kT0 - 53 days
  EXPECT_EQ(OrderingBand(low_old, kT0 - 10 * kDay, model), Band::kLow);     // 20 days overdue
  EXPECT_EQ(OrderingBand(low_old, kT0, model), Band::kMedium);              // 30 days: one band up
  EXPECT_EQ(OrderingBand(low_old, kT0 + 20 * kDay, model), Band::kMedium);  // never above the cap
  EXPECT_EQ(OrderingBand(high_old, kT0, model), Band::kHigh);
  EXPECT_EQ(OrderingBand(medium_new, kT0, model), Band::kMedium);
  EXPECT_TRUE(QueueBefore(low_old, medium_new, kT0, model));
  EXPECT_TRUE(QueueBefore(high_old, low_old, kT0, model));
  // Escalation off: strictly by band.
  model.escalate_overdue_every_days = 0;
  EXPECT_EQ(OrderingBand(low_old, kT0, model), Band::kLow);
  EXPECT_TRUE(QueueBefore(medium_new, low_old, kT0, model));
  // Configurable in the model file; a bad cap is refused.
  const std::string shipped = "escalate_overdue_every_days = 21\nescalate_overdue_up_to = \"medium\"";
  auto parsed = ParseRiskModel(
      testing::DefaultModelWith(shipped, "escalate_overdue_every_days = 7\nescalate_overdue_up_to = \"high\""), "m.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->escalate_overdue_every_days, 7);
  EXPECT_EQ(parsed->escalate_overdue_up_to, Band::kHigh);
  EXPECT_FALSE(ParseRiskModel(testing::DefaultModelWith("\"medium\"\n", "\"urgent\"\n"), "m.toml").ok());
  // [queue] is optional: without it the documented defaults apply.
  auto without = ParseRiskModel(
      testing::DefaultModelWith("[queue]\n" + shipped + "\norder_within_band = \"likely-high\"\nlong_overdue_every = 5\n"
                                "high_deadline_boost = 30\nhigh_deadline_window_days = 2\n",
                                ""),
      "m.toml");
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_EQ(without->escalate_overdue_every_days, 21);
  EXPECT_EQ(without->escalate_overdue_up_to, Band::kMedium);
  EXPECT_TRUE(without->order_by_outlook);
  EXPECT_EQ(without->long_overdue_every, 5);
  EXPECT_EQ(without->high_deadline_boost, 30);
  EXPECT_EQ(without->high_deadline_window_days, 2);
}

TEST(RiskQueueTest, EverySubjectWithAHitOrReferralIsQueuedWithBandAndDeadline) {
  const RiskModel model = DefaultModel();
  testing::TempCase c;
  std::mt19937 rng(7);
  std::set<std::string> eligible;
  for (int i = 0; i < 300; ++i) {
    const std::string id = "S" + std::to_string(i);
    const std::int64_t at = kT0 + static_cast<std::int64_t>(rng() % 60) * kDay;
    SubjectProfile p = Subject(id, at);
    if (rng() % 3 == 0) AddReferral(p, "R" + std::to_string(i), at);
    if (rng() % 3 == 0) AddHits(p, static_cast<Category>(rng() % 7), 1 + static_cast<int>(rng() % 5));
    if (rng() % 2 == 0) SetAttribute(p, "lives_with_children", rng() % 2 ? TriState::kYes : TriState::kNo);
    if (!p.referral_ids.empty() || !p.hits.empty()) eligible.insert(id);
    ASSERT_TRUE(RescoreProfile(*c.store, p, at, model).ok());
  }
  auto entries = c.store->queue().Entries();
  ASSERT_TRUE(entries.ok());
  std::set<std::string> queued;
  for (const auto& e : *entries) {
    queued.insert(e.subject_id);
    EXPECT_TRUE(e.open());
    EXPECT_EQ(e.deadline, e.entered_at + model.DeadlineSeconds(e.band)) << e.subject_id;
    EXPECT_EQ(e.band, (*c.store->queue().LatestAssessment(e.subject_id))->assessment.model_band);
  }
  EXPECT_EQ(queued, eligible);
}

// Subjects are re-scored in groups of kRescoreGroup per transaction: one that cannot be loaded is
// reported by id and every other subject of its group, and of the next, is still scored, once.
TEST(RiskQueueTest, AGroupWithASubjectThatFailsStillScoresEveryOtherSubject) {
  const RiskModel model = DefaultModel();
  testing::TempCase c;
  std::map<std::string, SubjectProfile> profiles;
  std::vector<std::string> ids;
  const std::size_t n = kRescoreGroup + 44;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = "S" + std::to_string(i);
    SubjectProfile p = Subject(id, kT0);
    AddReferral(p, "R" + std::to_string(i), kT0);
    profiles.emplace(id, p);
    ids.push_back(id);
    if (i == 100) ids.push_back("no-such-subject");
  }
  ids.push_back("S7");  // asked twice: scored once
  const RescoreReport report =
      RescoreSubjectsWith(*c.store, ids, kT0, model, [&](const Case&, const std::string& id) -> Result<SubjectProfile> {
        const auto it = profiles.find(id);
        if (it == profiles.end()) return Status::NotFound("subject " + id + " not found");
        return it->second;
      });
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_NE(report.failures[0].message().find("no-such-subject"), std::string::npos) << report.failures[0].ToString();
  EXPECT_EQ(report.outcomes.size(), n);
  auto entries = c.store->queue().Entries();
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), n);
  for (const auto& e : *entries) {
    auto history = c.store->queue().AssessmentHistory(e.subject_id);
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), 1u) << e.subject_id;
  }
}

}  // namespace
}  // namespace hashtriage::engine::risk

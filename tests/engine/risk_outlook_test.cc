// The outlook (what unknown attributes could add) against brute force through Assess itself, its
// explanation, and the queue order it drives: likely-high first within a band, long-overdue places
// that never push High back, and the model settings that control both.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/risk/assessment.h"
#include "engine/risk/outlook.h"
#include "engine/risk/queue_rules.h"
#include "engine/risk/research_queue.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

using index::Category;
using testing::AddHits;
using testing::DefaultModel;
using testing::kDay;
using testing::kT0;
using testing::SetAttribute;
using testing::Subject;

// P(band >= High) and E[score] by assessing every combination of the unknown attributes' values.
struct Brute {
  double p_high = 0;
  double expected_score = 0;
};
Brute BruteForce(const SubjectProfile& profile, const RiskModel& model, const std::vector<UnknownFactor>& unknowns) {
  Brute b;
  const std::size_t n = unknowns.size();
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    SubjectProfile p = profile;
    double prob = 1;
    for (std::size_t i = 0; i < n; ++i) {
      const bool yes = (mask >> i) & 1u;
      SetAttribute(p, unknowns[i].attribute, yes ? TriState::kYes : TriState::kNo, kT0 + kDay);
      prob *= yes ? unknowns[i].prevalence : 1 - unknowns[i].prevalence;
    }
    const Assessment a = Assess(p, model, kT0 + kDay);
    if (a.model_band >= Band::kHigh) b.p_high += prob;
    b.expected_score += prob * a.score;
  }
  return b;
}

TEST(RiskOutlookTest, AgreesWithAssessingEveryCombinationOfTheUnknowns) {
  std::mt19937_64 rng(18001);
  RiskModel model = DefaultModel();
  std::uniform_real_distribution<double> unit(0, 1);
  int with_unknowns = 0, certain = 0;
  for (int trial = 0; trial < 150; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    for (auto& f : model.attributes) f.prevalence = trial % 10 == 0 ? 0.0 : unit(rng);
    SubjectProfile p = Subject("S" + std::to_string(trial));
    for (const auto& f : model.attributes) {
      const double u = unit(rng);
      if (u < 0.25) SetAttribute(p, f.attribute, TriState::kYes);
      else if (u < 0.5) SetAttribute(p, f.attribute, TriState::kNo);
      else if (u < 0.6) SetAttribute(p, f.attribute, TriState::kUnknown);
      // else never recorded: unknown too
    }
    AddHits(p, rng() % 3 == 0 ? Category::kA : Category::kC, static_cast<int>(rng() % 30));
    p.escalate_to_high_priority = rng() % 40 == 0;
    const Assessment a = Assess(p, model, kT0);
    const Outlook& o = a.outlook;
    ASSERT_LE(o.unknowns.size(), kMaxEnumeratedUnknowns);
    EXPECT_FALSE(o.approximate);
    const Brute b = BruteForce(p, model, o.unknowns);
    if (!a.urgency.empty()) {
      EXPECT_DOUBLE_EQ(o.p_high, 1.0);
    } else {
      EXPECT_NEAR(o.p_high, b.p_high, 1e-9);
    }
    EXPECT_NEAR(o.expected_score, b.expected_score, 1e-9);
    // Every unknown that could add points is listed, and nothing known is.
    for (const auto& f : model.attributes) {
      bool known = false;
      for (const auto& v : p.attributes) known |= v.name == f.attribute && v.value != TriState::kUnknown;
      bool listed = false;
      for (const auto& u : o.unknowns) listed |= u.attribute == f.attribute;
      EXPECT_EQ(listed, !known && f.points > 0) << f.attribute;
    }
    with_unknowns += !o.unknowns.empty();
    certain += o.p_high == 0 || o.p_high == 1;
  }
  EXPECT_GT(with_unknowns, 100);
  EXPECT_LT(certain, 150);
}

TEST(RiskOutlookTest, ExplainsEachUnknownAndSurvivesJson) {
  const RiskModel model = DefaultModel();
  SubjectProfile p = Subject("S1");
  SetAttribute(p, "prior_contact_offence", TriState::kYes);
  for (const auto& f : model.attributes) {
    if (f.attribute != "prior_contact_offence" && f.attribute != "lives_with_children") SetAttribute(p, f.attribute, TriState::kNo);
  }
  AddHits(p, Category::kC, 3);
  const Assessment a = Assess(p, model, kT0);
  EXPECT_EQ(a.score, 31);  // prior contact offence 30 + volume 1 (3 images); lives_with_children unknown
  EXPECT_EQ(a.model_band, Band::kMedium);
  ASSERT_EQ(a.outlook.unknowns.size(), 1u);
  EXPECT_NEAR(a.outlook.p_high, 0.30, 1e-12);  // the shipped prevalence of lives_with_children
  EXPECT_NEAR(a.outlook.expected_score, 31 + 0.30 * 25, 1e-12);
  EXPECT_EQ(OutlookText(a.outlook), "Lives with children: unknown, would add +25; 30% of comparable subjects had it");
  auto back = AssessmentFromJson(AssessmentToJson(a));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->outlook, a.outlook);
}

QueueEntry Entry(const std::string& id, Band band, std::int64_t entered, int likely_high, const RiskModel& model) {
  QueueEntry e;
  e.subject_id = id;
  e.band = e.model_band = band;
  e.entered_at = entered;
  e.deadline = DeadlineFor(entered, band, model);
  e.likely_high = likely_high;
  return e;
}

std::vector<std::string> Order(std::vector<QueueEntry> q, std::int64_t now, const RiskModel& model) {
  SortQueue(q, now, model);
  std::vector<std::string> out;
  for (const auto& e : q) out.push_back(e.subject_id);
  return out;
}

TEST(RiskOutlookTest, WithinABandTheLikelyHighComeFirstAndDeadlineOrderIsASetting) {
  RiskModel model = DefaultModel();
  ASSERT_TRUE(model.order_by_outlook);
  const std::vector<QueueEntry> q = {Entry("older-unlikely", Band::kMedium, kT0 - 10 * kDay, 50, model),
                                     Entry("newer-likely", Band::kMedium, kT0, 620, model),
                                     Entry("high", Band::kHigh, kT0, 1000, model)};
  EXPECT_EQ(Order(q, kT0, model), (std::vector<std::string>{"high", "newer-likely", "older-unlikely"}));
  auto deadline = ParseRiskModel(testing::DefaultModelWith("order_within_band = \"likely-high\"",
                                                           "order_within_band = \"deadline\""), "m.toml");
  ASSERT_TRUE(deadline.ok()) << deadline.status().ToString();
  EXPECT_FALSE(deadline->order_by_outlook);
  EXPECT_EQ(Order(q, kT0, *deadline), (std::vector<std::string>{"high", "older-unlikely", "newer-likely"}));
  EXPECT_FALSE(ParseRiskModel(testing::DefaultModelWith("order_within_band = \"likely-high\"",
                                                        "order_within_band = \"newest\""), "m.toml").ok());
  EXPECT_FALSE(ParseRiskModel(testing::DefaultModelWith("prevalence = 0.30", "prevalence = 1.5"), "m.toml").ok());
}

TEST(RiskOutlookTest, ACaseThatCouldBeHighCountsLikelierInTheTwoDaysBeforeAHighCasesDeadline) {
  const RiskModel model = DefaultModel();
  ASSERT_EQ(model.high_deadline_boost, 30);
  ASSERT_EQ(model.high_deadline_window_days, 2);
  ASSERT_EQ(model.deadline_days[BandIndex(Band::kHigh)], 7);
  // High's deadline is 7 days after entry: the window is from 5 to 7 days after it.
  const QueueEntry day6 = Entry("day6-20pc", Band::kMedium, kT0 - 6 * kDay, 200, model);
  const QueueEntry day5 = Entry("day5-20pc", Band::kMedium, kT0 - 5 * kDay, 200, model);
  const QueueEntry day4 = Entry("day4-20pc", Band::kMedium, kT0 - 5 * kDay + 1, 200, model);
  const QueueEntry day7 = Entry("day7-20pc", Band::kMedium, kT0 - 7 * kDay, 200, model);
  const QueueEntry day8 = Entry("day8-40pc", Band::kMedium, kT0 - 7 * kDay - 1, 400, model);
  const QueueEntry never = Entry("day6-0pc", Band::kMedium, kT0 - 6 * kDay, 0, model);
  const QueueEntry high = Entry("high-day6", Band::kHigh, kT0 - 6 * kDay, 1000, model);
  EXPECT_TRUE(InHighDeadlineWindow(day6, kT0, model));
  EXPECT_TRUE(InHighDeadlineWindow(day5, kT0, model));
  EXPECT_TRUE(InHighDeadlineWindow(day7, kT0, model));
  EXPECT_FALSE(InHighDeadlineWindow(day4, kT0, model));
  EXPECT_FALSE(InHighDeadlineWindow(day8, kT0, model));
  EXPECT_FALSE(InHighDeadlineWindow(never, kT0, model));  // cannot be High: no High deadline to keep
  EXPECT_FALSE(InHighDeadlineWindow(high, kT0, model));   // its own deadline orders it
  EXPECT_EQ(OrderingLikelihood(day6, kT0, model), 500);
  EXPECT_EQ(OrderingLikelihood(day4, kT0, model), 200);
  const QueueEntry fresh = Entry("fresh-45pc", Band::kMedium, kT0, 450, model);
  EXPECT_EQ(Order({fresh, day4, day8, day6, never, high}, kT0, model),
            (std::vector<std::string>{"high-day6", "day6-20pc", "fresh-45pc", "day8-40pc", "day4-20pc", "day6-0pc"}));

  auto off = ParseRiskModel(testing::DefaultModelWith("high_deadline_boost = 30", "high_deadline_boost = 0"), "m.toml");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(InHighDeadlineWindow(day6, kT0, *off));
  EXPECT_EQ(Order({fresh, day4, day8, day6, never, high}, kT0, *off),
            (std::vector<std::string>{"high-day6", "fresh-45pc", "day8-40pc", "day6-20pc", "day4-20pc", "day6-0pc"}));
  auto wide = ParseRiskModel(testing::DefaultModelWith("high_deadline_window_days = 2", "high_deadline_window_days = 3"),
                             "m.toml");
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  EXPECT_TRUE(InHighDeadlineWindow(day4, kT0, *wide));
  EXPECT_FALSE(ParseRiskModel(testing::DefaultModelWith("high_deadline_boost = 30", "high_deadline_boost = 101"),
                              "m.toml").ok());
}

TEST(RiskOutlookTest, EveryFifthPlaceBelowHighGoesToTheLongestOverdue) {
  const RiskModel model = DefaultModel();
  ASSERT_EQ(model.long_overdue_every, 5);
  std::vector<QueueEntry> q;
  for (int i = 0; i < 2; ++i) q.push_back(Entry("high" + std::to_string(i), Band::kHigh, kT0, 1000, model));
  for (int i = 0; i < 9; ++i) q.push_back(Entry("fresh" + std::to_string(i), Band::kMedium, kT0, 900 - i, model));
  // Medium deadline 14 days: entered 40 and 60 days ago, 26 and 46 days overdue (>= 21: long overdue);
  // entered 20 days ago: 6 days overdue, not long.
  q.push_back(Entry("overdue26", Band::kMedium, kT0 - 40 * kDay, 0, model));
  q.push_back(Entry("overdue46", Band::kMedium, kT0 - 60 * kDay, 0, model));
  q.push_back(Entry("overdue6", Band::kMedium, kT0 - 20 * kDay, 0, model));
  EXPECT_EQ(Order(q, kT0, model),
            (std::vector<std::string>{"high0", "high1", "fresh0", "fresh1", "fresh2", "fresh3", "overdue46", "fresh4",
                                      "fresh5", "fresh6", "fresh7", "overdue26", "fresh8", "overdue6"}));
  auto off = ParseRiskModel(testing::DefaultModelWith("long_overdue_every = 5", "long_overdue_every = 0"), "m.toml");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(off->long_overdue_every, 0);
  const auto strict = Order(q, kT0, *off);
  // Likelihood 0 puts them last, then overdue and deadline order them among themselves.
  EXPECT_EQ(std::vector<std::string>(strict.end() - 3, strict.end()),
            (std::vector<std::string>{"overdue46", "overdue26", "overdue6"}));
}

}  // namespace
}  // namespace hashtriage::engine::risk

namespace hashtriage::engine::risk {
namespace {

// A subject with every model attribute recorded "no" except `unknown` (left unrecorded) and `yes`.
SubjectProfile Researched(const std::string& id, const RiskModel& model, const std::vector<std::string>& unknown,
                          const std::vector<std::string>& yes) {
  SubjectProfile p = testing::Subject(id);
  for (const auto& f : model.attributes) {
    if (std::find(unknown.begin(), unknown.end(), f.attribute) != unknown.end()) continue;
    const bool is_yes = std::find(yes.begin(), yes.end(), f.attribute) != yes.end();
    testing::SetAttribute(p, f.attribute, is_yes ? TriState::kYes : TriState::kNo);
  }
  testing::AddHits(p, index::Category::kC, 1);
  return p;
}

TEST(RiskResearchQueueTest, AccessFirstThenTheAnswersThatCouldChangeWhoIsSeenFirst) {
  const RiskModel model = testing::DefaultModel();
  const std::int64_t now = testing::kT0;
  // S-record: a prior contact offence (30) + 1 image (volume 1): lives_with_children yes makes it High
  // (56), no leaves it Medium: P(High) 30% -> 100% / 0%.
  // S-none: nothing on record: lives_with_children yes gives 26, still Medium: the answer changes nothing.
  // S-groom: grooming unknown, lives_with_children yes: grooming yes fires grooming-with-access (Very High).
  std::map<std::string, SubjectProfile> profiles = {
      {"S-record", Researched("S-record", model, {"lives_with_children"}, {"prior_contact_offence"})},
      {"S-none", Researched("S-none", model, {"lives_with_children"}, {})},
      {"S-groom", Researched("S-groom", model, {"grooming"}, {"lives_with_children"})}};
  std::vector<QueueRow> rows;
  for (const auto& [id, p] : profiles) {
    QueueRow row;
    row.assessment = Assess(p, model, now);
    row.entry.subject_id = id;
    row.entry.band = row.assessment->model_band;
    row.entry.entered_at = now;
    row.entry.deadline = DeadlineFor(now, row.entry.band, model);
    rows.push_back(row);
  }
  auto items = RankResearch(rows, [&](const std::string& id) -> Result<SubjectProfile> { return profiles.at(id); },
                            model, now);
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 3u);
  const ResearchItem& first = (*items)[0];
  EXPECT_EQ(first.subject_id, "S-record");
  EXPECT_EQ(first.attribute, "lives_with_children");
  EXPECT_NEAR(first.p_high, 0.30, 1e-9);
  EXPECT_NEAR(first.p_high_if_yes, 1.0, 1e-9);
  EXPECT_NEAR(first.p_high_if_no, 0.0, 1e-9);
  EXPECT_NEAR(first.value, 0.30 * 0.70 + 0.70 * 0.30, 1e-9);
  EXPECT_EQ((*items)[1].subject_id, "S-none");  // access to children before any other attribute
  EXPECT_NEAR((*items)[1].value, 0.0, 1e-9);
  EXPECT_EQ((*items)[2].subject_id, "S-groom");  // not access to children: after every access task
  EXPECT_NEAR((*items)[2].p_high_if_yes, 1.0, 1e-9);
  EXPECT_NEAR((*items)[2].value, 2 * 0.06 * 0.94, 1e-9);  // P(High) 6% -> 100% / 0%
  const std::string text = ResearchText(*items, now, 1);
  EXPECT_NE(text.find("   1* S-record"), std::string::npos) << text;
  EXPECT_NE(text.find("30% -> 100% / 0%"), std::string::npos) << text;
  EXPECT_EQ(ResearchJson(*items, now, 1)["tasks"][1]["today"], false);
}

}  // namespace
}  // namespace hashtriage::engine::risk

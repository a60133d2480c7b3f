// Scoring one subject: urgency flags, additive points with evidence, "unknown is not no", and a
// property test of the default model's score against the spec table (read from risk-model.md).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/risk/assessment.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

using index::Category;
using testing::AddHits;
using testing::AddReferral;
using testing::DefaultModel;
using testing::SetAttribute;
using testing::Subject;

void AllAccessNo(SubjectProfile& p) {
  for (const char* a : {"lives_with_children", "works_with_children", "other_access_to_children"}) {
    SetAttribute(p, a, TriState::kNo);
  }
}

bool HasFlag(const Assessment& a, const std::string& id) {
  for (const auto& f : a.urgency) {
    if (f.id == id) return true;
  }
  return false;
}

TEST(RiskAssessmentTest, EachUrgencyRuleForcesVeryHigh) {
  const RiskModel model = DefaultModel();
  struct Case {
    std::string flag;
    std::function<void(SubjectProfile&)> make;
  } cases[] = {
      {"new_material", [](SubjectProfile& p) { p.possible_self_production = true; }},
      {"new_material", [](SubjectProfile& p) { SetAttribute(p, "new_material", TriState::kYes); }},
      {"contact_with_child", [](SubjectProfile& p) { SetAttribute(p, "contact_with_child", TriState::kYes); }},
      {"grooming_with_access",
       [](SubjectProfile& p) {
         SetAttribute(p, "grooming", TriState::kYes);
         SetAttribute(p, "other_access_to_children", TriState::kYes);
       }},
      {"rso_breach_with_access",
       [](SubjectProfile& p) {
         SetAttribute(p, "registered_sex_offender", TriState::kYes);
         SetAttribute(p, "bail_breach", TriState::kYes);
         SetAttribute(p, "works_with_children", TriState::kYes);
       }},
      {"provider_escalation", [](SubjectProfile& p) { p.escalate_to_high_priority = true; }},
  };
  for (const auto& c : cases) {
    SubjectProfile p = Subject("S1");
    AddReferral(p, "R1", testing::kT0);
    c.make(p);
    const Assessment a = Assess(p, model, testing::kT0);
    EXPECT_EQ(a.model_band, Band::kVeryHigh) << c.flag << " score " << a.score;
    EXPECT_LT(a.score, model.band_min_score[BandIndex(Band::kVeryHigh)]) << c.flag << ": the flag, not the score";
    EXPECT_TRUE(HasFlag(a, c.flag)) << c.flag;
    ASSERT_FALSE(a.urgency.empty());
    EXPECT_FALSE(a.urgency.front().evidence.empty()) << c.flag << ": a flag shows its evidence";
  }
}

TEST(RiskAssessmentTest, UrgencyNeedsEveryCondition) {
  const RiskModel model = DefaultModel();
  SubjectProfile p = Subject("S1");
  SetAttribute(p, "grooming", TriState::kYes);  // 25 points, but no known access
  AllAccessNo(p);
  Assessment a = Assess(p, model, testing::kT0);
  EXPECT_TRUE(a.urgency.empty());
  EXPECT_EQ(a.model_band, Band::kMedium);
  SetAttribute(p, "lives_with_children", TriState::kYes);
  a = Assess(p, model, testing::kT0);
  EXPECT_TRUE(HasFlag(a, "grooming_with_access"));
  EXPECT_EQ(a.model_band, Band::kVeryHigh);
}

TEST(RiskAssessmentTest, UnknownAccessToChildrenKeepsSubjectOutOfLow) {
  const RiskModel model = DefaultModel();
  SubjectProfile p = Subject("S1");
  AddHits(p, Category::kC, 1);
  // Nothing researched: score 1 (volume), access unknown.
  Assessment a = Assess(p, model, testing::kT0);
  EXPECT_EQ(a.score_band, Band::kLow);
  EXPECT_EQ(a.model_band, Band::kMedium);
  EXPECT_TRUE(a.access_unknown);
  EXPECT_FALSE(a.floor_reason.empty());
  // Two of three access attributes researched as "no": still unknown.
  SetAttribute(p, "lives_with_children", TriState::kNo);
  SetAttribute(p, "works_with_children", TriState::kNo);
  EXPECT_EQ(Assess(p, model, testing::kT0).model_band, Band::kMedium);
  // Explicitly "unknown" is not "no" either.
  SetAttribute(p, "other_access_to_children", TriState::kUnknown);
  EXPECT_EQ(Assess(p, model, testing::kT0).model_band, Band::kMedium);
  // All researched as no: Low is allowed.
  SetAttribute(p, "other_access_to_children", TriState::kNo);
  a = Assess(p, model, testing::kT0);
  EXPECT_EQ(a.model_band, Band::kLow);
  EXPECT_FALSE(a.access_unknown);
  EXPECT_TRUE(a.floor_reason.empty());
}

TEST(RiskAssessmentTest, UnknownAttributesCreateResearchTasks) {
  const RiskModel model = DefaultModel();
  SubjectProfile p = Subject("S1");
  SetAttribute(p, "lives_with_children", TriState::kYes);
  SetAttribute(p, "prior_criminal_history", TriState::kUnknown);
  const Assessment a = Assess(p, model, testing::kT0);
  std::set<std::string> tasks;
  for (const auto& r : a.research) tasks.insert(r.attribute);
  EXPECT_EQ(tasks.size(), model.attributes.size() - 1);  // everything but the one answered
  EXPECT_TRUE(tasks.count("prior_criminal_history"));
  EXPECT_TRUE(tasks.count("works_with_children"));
  EXPECT_FALSE(tasks.count("lives_with_children"));
}

TEST(RiskAssessmentTest, FactorsShowPointsAndEvidence) {
  const RiskModel model = DefaultModel();
  SubjectProfile p = Subject("S7");
  SetAttribute(p, "lives_with_children", TriState::kYes, testing::kT0, "DS Rowe");
  AddHits(p, Category::kA, 3);
  AddReferral(p, "R9", testing::kT0);
  p.distribution_events = 2;
  const Assessment a = Assess(p, model, testing::kT0);
  int sum = 0;
  for (const auto& f : a.factors) {
    sum += f.points;
    EXPECT_GT(f.points, 0);
    EXPECT_FALSE(f.evidence.empty()) << f.id;
  }
  EXPECT_EQ(a.score, sum);
  ASSERT_EQ(a.factors.front().id, "lives_with_children");  // highest first
  EXPECT_EQ(a.factors.front().evidence.front().ref, "attribute S7/lives_with_children");
  EXPECT_NE(a.factors.front().evidence.front().detail.find("DS Rowe"), std::string::npos);
  for (const auto& f : a.factors) {
    if (f.id == "category_a_matches") {
      EXPECT_EQ(f.count, 3u);
      EXPECT_EQ(f.evidence.size(), 3u);
      EXPECT_EQ(f.evidence[0].ref, p.hits[0].source);
    }
    if (f.id == "distribution") {
      EXPECT_EQ(f.evidence.front().ref, "R9");
    }
  }
  EXPECT_EQ(a.hits_by_category[static_cast<int>(Category::kA)], 3u);
  EXPECT_EQ(a.model_sha256, model.sha256);
}

TEST(RiskAssessmentTest, VolumeIsLogScaledAndCapped) {
  const RiskModel model = DefaultModel();
  const std::pair<int, int> expected[] = {{1, 1}, {9, 2}, {99, 4}, {999, 6}, {4000, 6}};
  for (auto [count, points] : expected) {
    SubjectProfile p = Subject("S1");
    AddHits(p, Category::kC, count);
    const Assessment a = Assess(p, model, testing::kT0);
    int volume = 0;
    for (const auto& f : a.factors) {
      if (f.id == "volume") volume = f.points;
    }
    EXPECT_EQ(volume, points) << count << " images";
    EXPECT_LE(a.factors.empty() ? 0 : a.factors.front().evidence.size(), kMaxEvidencePerFactor);
  }
}

// Property: for random profiles, the score is exactly what the spec table gives (attribute points
// parsed from risk-model.md; Category A 6 capped; volume 2/decade up to 6; distribution 4).
TEST(RiskAssessmentTest, ScoreAgreesWithTheSpecTableOnRandomProfiles) {
  const RiskModel model = DefaultModel();
  const auto spec = testing::SpecAttributePoints();
  ASSERT_FALSE(spec.empty());
  std::mt19937 rng(20261122);
  for (int round = 0; round < 500; ++round) {
    SubjectProfile p = Subject("S" + std::to_string(round));
    int expected = 0;
    for (const auto& [name, points] : spec) {
      const int v = static_cast<int>(rng() % 3);
      if (v == 0) continue;  // never researched
      SetAttribute(p, name, v == 1 ? TriState::kYes : TriState::kNo);
      if (v == 1) expected += points;
    }
    const int a_hits = static_cast<int>(rng() % 4);
    const int c_hits = static_cast<int>(rng() % 200);
    AddHits(p, Category::kA, a_hits, "a");
    AddHits(p, Category::kC, c_hits, "c");
    AddHits(p, Category::kNonIndecent, static_cast<int>(rng() % 5), "n");
    p.distribution_events = rng() % 3;
    expected += a_hits > 0 ? 6 : 0;
    expected += std::min(6, static_cast<int>(std::lround(2.0 * std::log10(1.0 + a_hits + c_hits))));
    expected += p.distribution_events > 0 ? 4 : 0;
    const Assessment a = Assess(p, model, testing::kT0);
    ASSERT_EQ(a.score, expected) << "round " << round;
    if (a.urgency.empty() && !a.access_unknown) {
      EXPECT_EQ(a.model_band, model.BandForScore(expected));
    }
  }
}

TEST(RiskAssessmentTest, JsonRoundTripAndChangeExplanation) {
  const RiskModel model = DefaultModel();
  SubjectProfile p = Subject("S1");
  AddHits(p, Category::kA, 2);
  const Assessment before = Assess(p, model, testing::kT0);
  auto back = AssessmentFromJson(AssessmentToJson(before));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(SameOutcome(before, *back));
  SetAttribute(p, "lives_with_children", TriState::kYes);
  const Assessment after = Assess(p, model, testing::kT0 + testing::kDay);
  EXPECT_FALSE(SameOutcome(before, after));
  const std::string why = ExplainChange(before, after);
  EXPECT_NE(why.find("+ lives_with_children (25)"), std::string::npos) << why;
  EXPECT_NE(why.find("access to children researched"), std::string::npos) << why;
}

}  // namespace
}  // namespace hashtriage::engine::risk

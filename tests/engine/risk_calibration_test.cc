// Calibration: the per-band confirmed/raised/lowered counts and the observed prevalences by hand, the
// proposed points only where reviewers consistently moved subjects with an attribute, and a proposed
// model file that the model parser accepts with exactly those changes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/risk/calibration.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

Decision BandDecision(const std::string& subject, Band model_band, std::optional<Band> band, Outcome outcome,
                      const std::string& dip = "") {
  Decision d;
  d.subject_id = subject;
  d.model_band = d.band_before = model_band;
  d.band = band;
  d.outcome = outcome;
  d.dip_sample = dip;
  return d;
}

TEST(RiskCalibrationTest, CountsByHandAndProposesOnlyConsistentChanges) {
  const RiskModel model = testing::DefaultModel();
  std::vector<SubjectProfile> profiles;
  // 40 subjects: works_with_children known for all, yes for the first 10 (0.25 against the model's 0.05);
  // lives_with_children yes for 12 of 40 (0.30, the model's own); grooming known for 20 only (under 30).
  for (int i = 0; i < 40; ++i) {
    SubjectProfile p = testing::Subject("S" + std::to_string(i));
    testing::SetAttribute(p, "works_with_children", i < 10 ? TriState::kYes : TriState::kNo);
    testing::SetAttribute(p, "lives_with_children", i % 10 < 3 ? TriState::kYes : TriState::kNo);
    if (i < 20) testing::SetAttribute(p, "grooming", i == 0 ? TriState::kYes : TriState::kNo);
    profiles.push_back(std::move(p));
  }
  std::vector<Decision> decisions;
  // Subjects working with children (S0..S9): Medium raised to High 9 times, confirmed once (4 of them
  // answers to a dip-sample draw).
  for (int i = 0; i < 10; ++i) {
    decisions.push_back(BandDecision("S" + std::to_string(i), Band::kMedium, i < 9 ? std::optional(Band::kHigh) : std::nullopt,
                                     i < 9 ? Outcome::kKeep : Outcome::kInvestigate, i < 4 ? "2026-11-02" : ""));
  }
  decisions.push_back(BandDecision("S20", Band::kHigh, Band::kMedium, Outcome::kKeep));
  decisions.push_back(BandDecision("S21", Band::kLow, std::nullopt, Outcome::kNoFurtherAction));
  decisions.push_back(BandDecision("S22", Band::kLow, Band::kLow, Outcome::kKeep));
  const Calibration c = Calibrate(profiles, decisions, model);
  EXPECT_EQ(c.subjects, 40u);
  EXPECT_EQ(c.decisions, 13u);
  const auto& medium = c.bands[BandIndex(Band::kMedium)];
  EXPECT_EQ(medium.decisions, 10u);
  EXPECT_EQ(medium.raised, 9u);
  EXPECT_EQ(medium.confirmed, 1u);
  EXPECT_EQ(medium.lowered, 0u);
  EXPECT_EQ(medium.from_dip_sample, 4u);
  EXPECT_EQ(c.bands[BandIndex(Band::kHigh)].lowered, 1u);
  EXPECT_EQ(c.bands[BandIndex(Band::kLow)].no_further_action, 1u);
  EXPECT_EQ(c.bands[BandIndex(Band::kLow)].confirmed, 1u);
  EXPECT_EQ(c.bands[BandIndex(Band::kLow)].decisions, 1u);
  auto find = [&](const std::string& name) {
    for (const auto& a : c.attributes) {
      if (a.attribute == name) return a;
    }
    ADD_FAILURE() << name;
    return AttributeCalibration{};
  };
  const auto works = find("works_with_children");
  EXPECT_EQ(works.known, 40u);
  EXPECT_EQ(works.yes, 10u);
  EXPECT_DOUBLE_EQ(works.proposed_prevalence, 0.25);
  EXPECT_EQ(works.decisions, 10u);
  EXPECT_EQ(works.raised, 9u);
  EXPECT_EQ(works.proposed_points, 30);  // 9 of 10 raised >= 60%: +5
  const auto lives = find("lives_with_children");
  EXPECT_DOUBLE_EQ(lives.proposed_prevalence, 0.30);  // observed = the model's
  EXPECT_EQ(lives.decisions, 5u);  // S0, S1, S2, S20 and S22 have it (S21's no-further-action is no band decision)
  EXPECT_EQ(lives.proposed_points, 25);               // under 10 decisions: no change
  const auto grooming = find("grooming");
  EXPECT_EQ(grooming.known, 20u);
  EXPECT_DOUBLE_EQ(grooming.proposed_prevalence, grooming.model_prevalence);  // under 30 known
  EXPECT_TRUE(c.changes_proposed);

  auto proposed = ParseRiskModel(ProposedModelText(model, c), "proposed.toml");
  ASSERT_TRUE(proposed.ok()) << proposed.status().ToString();
  EXPECT_EQ(proposed->name, "hashtriage-default-proposed");
  EXPECT_EQ(proposed->version, model.version + "+calibrated");
  for (const auto& f : proposed->attributes) {
    const AttributeFactor* before = model.FindAttribute(f.attribute);
    ASSERT_NE(before, nullptr);
    EXPECT_EQ(f.points, f.attribute == "works_with_children" ? 30 : before->points) << f.attribute;
    EXPECT_DOUBLE_EQ(f.prevalence, f.attribute == "works_with_children" ? 0.25 : before->prevalence) << f.attribute;
  }
  EXPECT_EQ(proposed->band_min_score, model.band_min_score);
  EXPECT_EQ(proposed->urgency.size(), model.urgency.size());
  EXPECT_NE(CalibrationText(c, model).find("points 25 -> 30 (reviewers raised 9 and lowered 0 of 10"), std::string::npos);
}

}  // namespace
}  // namespace hashtriage::engine::risk

// The risk model file: the shipped default against the spec document, validation, and the rule that
// protected or proxy attributes can never be configured as factors.
#include <gtest/gtest.h>

#include <regex>

#include "engine/risk/queue_actions.h"
#include "engine/risk/rescore.h"
#include "engine/risk/risk_model.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

using testing::DefaultModel;

TEST(RiskModelTest, DefaultModelMatchesTheSpecTable) {
  const auto spec = testing::SpecAttributePoints();
  ASSERT_GE(spec.size(), 11u) << "could not read the factor table of risk-model.md";
  const RiskModel model = DefaultModel();
  for (const auto& [name, points] : spec) {
    const AttributeFactor* f = model.FindAttribute(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->points, points) << name;
  }
  EXPECT_EQ(model.attributes.size(), spec.size());
  for (const char* access : {"lives_with_children", "works_with_children", "other_access_to_children"}) {
    EXPECT_TRUE(model.FindAttribute(access)->access_to_children) << access;
  }
}

TEST(RiskModelTest, DefaultBandsAndDeadlinesMatchTheSpec) {
  const std::string spec = testing::SpecText();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(spec, m, std::regex(R"(Very High ≥ (\d+) or any urgency flag; High (\d+)–(\d+); Medium (\d+)–(\d+); Low < (\d+))")));
  const RiskModel model = DefaultModel();
  EXPECT_EQ(model.band_min_score[BandIndex(Band::kVeryHigh)], std::stoi(m[1]));
  EXPECT_EQ(model.band_min_score[BandIndex(Band::kHigh)], std::stoi(m[2]));
  EXPECT_EQ(model.band_min_score[BandIndex(Band::kMedium)], std::stoi(m[4]));
  EXPECT_EQ(std::stoi(m[6]), std::stoi(m[4]));
  ASSERT_TRUE(std::regex_search(spec, m, std::regex(R"(Very High (\d+) day, High (\d+) days, Medium (\d+) days, Low (\d+) days)")));
  EXPECT_EQ(model.deadline_days[BandIndex(Band::kVeryHigh)], std::stoi(m[1]));
  EXPECT_EQ(model.deadline_days[BandIndex(Band::kHigh)], std::stoi(m[2]));
  EXPECT_EQ(model.deadline_days[BandIndex(Band::kMedium)], std::stoi(m[3]));
  EXPECT_EQ(model.deadline_days[BandIndex(Band::kLow)], std::stoi(m[4]));
  // Band edges.
  EXPECT_EQ(model.BandForScore(14), Band::kLow);
  EXPECT_EQ(model.BandForScore(15), Band::kMedium);
  EXPECT_EQ(model.BandForScore(34), Band::kMedium);
  EXPECT_EQ(model.BandForScore(35), Band::kHigh);
  EXPECT_EQ(model.BandForScore(59), Band::kHigh);
  EXPECT_EQ(model.BandForScore(60), Band::kVeryHigh);
}

TEST(RiskModelTest, ModelHashIsSha256OfTheFileAsSha256sumComputesIt) {
  testing::TempDir dir;
  const auto path = dir / "model.toml";
  testing::WriteText(path, std::string(DefaultRiskModelText()) + "\n# tuned by the force\n");
  auto model = LoadRiskModel(path.string());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const auto out = testing::RunCommand("sha256sum " + testing::ShellQuote(path.string()));
  ASSERT_EQ(out.exit_code, 0);
  EXPECT_EQ(model->sha256, out.out.substr(0, 64));
  EXPECT_NE(model->sha256, DefaultModel().sha256);
  EXPECT_EQ(model->source, path.string());
}

TEST(RiskModelTest, ProtectedAttributesCannotBeConfigured) {
  for (const std::string name : {"ethnicity", "nationality", "religion", "postcode", "area", "home_postcode",
                                 "ethnic_group", "religious_belief", "age", "date_of_birth", "gender",
                                 "country_of_birth", "homepostcode", "first_language", "race"}) {
    const std::string as_factor = "[[factor]]\nattribute = \"" + name + "\"\npoints = 5\n";
    auto model = ParseRiskModel(as_factor, "m.toml");
    ASSERT_FALSE(model.ok()) << name;
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(model.status().message().find("protected"), std::string::npos) << model.status().message();
    EXPECT_NE(model.status().message().find("m.toml:2"), std::string::npos) << model.status().message();

    const std::string as_urgency =
        "[[urgency]]\nid = \"u\"\nall = [\"attribute:" + name + "\", \"access_to_children\"]\n";
    auto urgent = ParseRiskModel(as_urgency, "m.toml");
    ASSERT_FALSE(urgent.ok()) << name;
    EXPECT_NE(urgent.status().message().find("protected"), std::string::npos) << urgent.status().message();
  }
  // The spec's own names are not mistaken for protected ones.
  for (const auto& name : ModelAttributeNames(DefaultModel())) EXPECT_FALSE(IsProtectedAttributeName(name)) << name;
}

TEST(RiskModelTest, RefusesMalformedModelsNamingTheLine) {
  struct Case {
    std::string text;
    std::string expect;
  } cases[] = {
      {"name = \"x\"\nweights = 3\n", "m.toml:2: unknown key 'weights'"},
      {"[bands]\nvery_high = 30\nhigh = 35\nmedium = 15\n", "medium < high < very_high"},
      {"[deadlines_days]\nvery_high = 10\nhigh = 7\n", "very_high <= high"},
      {"[[factor]]\nattribute = \"a\"\npoints = 1\n[[factor]]\nattribute = \"a\"\npoints = 2\n", "defined twice"},
      {"[[factor]]\nattribute = \"a\"\npoints = -4\n", "between 0 and 1000"},
      {"[[factor]]\nattribute = \"a\"\n", "missing 'points'"},
      {"[[hit_factor]]\nid = \"x\"\ncategories = [\"Z\"]\npoints_per_image = 1\nmax_points = 2\n", "unknown category 'Z'"},
      {"[[urgency]]\nid = \"x\"\nall = [\"referral:whatever\"]\n", "unknown urgency condition"},
      {"[[urgency]]\nid = \"x\"\n", "has no conditions"},
      {"name = \n", "m.toml:1:"},
  };
  for (const auto& c : cases) {
    auto model = ParseRiskModel(c.text, "m.toml");
    ASSERT_FALSE(model.ok()) << c.text;
    EXPECT_NE(model.status().message().find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in: " << model.status().message();
  }
}

TEST(RiskModelTest, MissingFileIsAnIoErrorNamingIt) {
  auto model = LoadRiskModel("/nonexistent/model.toml");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("/nonexistent/model.toml"), std::string::npos);
}

TEST(RiskModelTest, BandNamesRoundTrip) {
  for (Band b : kBandsHighestFirst) {
    EXPECT_EQ(ParseBand(BandKey(b)), b);
    EXPECT_EQ(ParseBand(BandName(b)), b);
  }
  EXPECT_EQ(ParseBand("VERY_HIGH"), Band::kVeryHigh);
  EXPECT_FALSE(ParseBand("urgent").has_value());
}

TEST(RiskModelTest, CaseRemembersTheModelItWasGiven) {
  testing::TempCase c;
  ASSERT_NE(c.store, nullptr);
  auto def = LoadCaseRiskModel(*c.store);
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->sha256, DefaultModel().sha256);
  const auto path = c.dir / "tuned.toml";
  std::string text(DefaultRiskModelText());
  text.replace(text.find("name = \"hashtriage-default\""), 27, "name = \"force-tuned\"       ");
  testing::WriteText(path, text);
  const CommandContext context{testing::kT0, std::nullopt, "test rank"};
  auto tuned = RankSubjects(*c.store, path.string(), {}, context);
  ASSERT_TRUE(tuned.ok()) << tuned.status().ToString();
  EXPECT_EQ(tuned->model.name, "force-tuned");
  auto again = LoadCaseRiskModel(*c.store);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sha256, tuned->model.sha256);
  // "default" restores the shipped model.
  auto restored = RankSubjects(*c.store, "default", {}, context);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(LoadCaseRiskModel(*c.store)->sha256, DefaultModel().sha256);
}

}  // namespace
}  // namespace hashtriage::engine::risk

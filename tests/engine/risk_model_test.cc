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

TEST(RiskModelTest, ShippedDefaultModelParses) {
  auto model = ParseRiskModel(DefaultRiskModelText(), "built-in default");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->name, "hashtriage-default");
  EXPECT_EQ(model->source, "built-in default");
  EXPECT_EQ(model->attributes.size(), testing::SpecAttributePoints().size());
  EXPECT_FALSE(model->hit_factors.empty());
  EXPECT_FALSE(model->urgency.empty());
}

TEST(RiskModelTest, ProtectedAttributesCannotBeConfigured) {
  testing::TempDir dir;
  const auto path = (dir / "m.toml").string();
  for (const std::string name : {"ethnicity", "nationality", "religion", "postcode", "area", "home_postcode",
                                 "ethnic_group", "religious_belief", "age", "date_of_birth", "gender",
                                 "country_of_birth", "homepostcode", "first_language", "race"}) {
    // The shipped model with one factor, or one urgency condition, naming the protected attribute.
    const std::string as_factor = testing::DefaultModelWith("attribute = \"grooming\"", "attribute = \"" + name + "\"");
    testing::WriteText(path, as_factor);
    auto model = LoadRiskModel(path);
    ASSERT_FALSE(model.ok()) << name;
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(model.status().message(),
              path + ":" + std::to_string(testing::LineOf(as_factor, "\"" + name + "\"")) + ": attribute '" + name +
                  "' is a protected characteristic or a proxy for one and can never be a risk factor");

    const std::string as_urgency = testing::DefaultModelWith(
        "all = [\"attribute:contact_with_child\"]", "all = [\"access_to_children\",\n       \"attribute:" + name + "\"]");
    testing::WriteText(path, as_urgency);
    auto urgent = LoadRiskModel(path);
    ASSERT_FALSE(urgent.ok()) << name;
    EXPECT_EQ(urgent.status().message().rfind(
                  path + ":" + std::to_string(testing::LineOf(as_urgency, "\"attribute:" + name)) + ": attribute '" +
                      name + "' is a protected",
                  0),
              0u)
        << urgent.status().message();
  }
  // The spec's own names are not mistaken for protected ones.
  for (const auto& name : ModelAttributeNames(DefaultModel())) EXPECT_FALSE(IsProtectedAttributeName(name)) << name;
}

// One deliberate fault in an otherwise complete model, the line the refusal must name (that of the
// first occurrence of `line_of` in the edited file, plus `line_offset`; line 1 when `line_of` is "")
// and the reason that must follow "FILE:LINE: " (a trailing "..." means "starts with").
struct Refusal {
  std::string find, replace;
  std::string line_of;
  int line_offset = 0;
  std::string reason;
};

const std::string kFactorTable =
    "prior_contact_offence, registered_sex_offender, lives_with_children, works_with_children, "
    "other_access_to_children, grooming, producing_images, prior_criminal_history, bail_breach, "
    "domestic_abuse_or_substance_misuse, sexual_interest_indicators";
const std::string kTopLevel =
    "name, version, bands, deadlines_days, queue, factor, hit_factor, volume, distribution, urgency";
const std::string kRequiredTopLevel =
    "name, version, bands, deadlines_days, factor, hit_factor, volume, distribution, urgency";

const Refusal kRefusals[] = {
    // Attribute names that are not risk-model.md's.
    {"attribute = \"lives_with_children\"", "attribute = \"lives_with_childen\"", "lives_with_childen", 0,
     "lives_with_childen: unknown attribute; did you mean lives_with_children?"},
    {"attribute = \"bail_breach\"", "attribute = \"owns_a_van\"", "owns_a_van", 0,
     "owns_a_van: unknown attribute (valid: " + kFactorTable + ")"},
    {"\"attribute:contact_with_child\"", "\"attribute:contact_with_chlid\"", "contact_with_chlid", 0,
     "contact_with_chlid: unknown attribute; did you mean contact_with_child?"},
    {"\"attribute:new_material\"", "\"attribute:sexual_interest\"", "attribute:sexual_interest", 0,
     "sexual_interest: unknown attribute (valid: " + kFactorTable + ", new_material, contact_with_child)"},
    {"any = [\"referral:possible_self_production\"", "any = [\"referral:possible_self_productoin\"", "productoin", 0,
     "referral:possible_self_productoin: unknown urgency condition; did you mean referral:possible_self_production?"},
    // Unknown keys at every level, a sub-table included.
    {"version = \"1\"\n", "version = \"1\"\nweights = 3\n", "weights = 3", 0,
     "weights: unknown key in the model (valid: " + kTopLevel + ")"},
    {"[[urgency]]", "[[urgent]]", "[[urgent]]", 0, "urgent: unknown key in the model; did you mean urgency?"},
    {"very_high = 60", "very_hihg = 60", "very_hihg", 0, "very_hihg: unknown key in [bands]; did you mean very_high?"},
    {"low = 30\n", "low = 30\nlowest = 60\n", "lowest = 60", 0,
     "lowest: unknown key in [deadlines_days] (valid: very_high, high, medium, low)"},
    {"escalate_overdue_every_days = 21", "escalate_overdue_evry_days = 21", "evry", 0,
     "escalate_overdue_evry_days: unknown key in [queue]; did you mean escalate_overdue_every_days?"},
    {"points = 25\naccess_to_children", "pionts = 25\naccess_to_children", "pionts", 0,
     "pionts: unknown key in [[factor]]; did you mean points?"},
    {"points_per_image = 6", "points_per_img = 6", "points_per_img", 0,
     "points_per_img: unknown key in [[hit_factor]]; did you mean points_per_image?"},
    {"points_per_decade = 2.0\n", "points_per_decade = 2.0\ncap = 3\n", "cap = 3", 0,
     "cap: unknown key in [volume] (valid: label, basis, categories, points_per_decade, max_points)"},
    {"[distribution]", "[volume.extra]\nA = 1\n\n[distribution]", "[volume.extra]", 0,
     "extra: unknown key in [volume] (valid: label, basis, categories, points_per_decade, max_points)"},
    {"points_per_event = 4", "points_per_events = 4", "points_per_events", 0,
     "points_per_events: unknown key in [distribution]; did you mean points_per_event?"},
    {"id = \"contact_with_child\"\n", "id = \"contact_with_child\"\nwhen = \"always\"\n", "when =", 0,
     "when: unknown key in [[urgency]] (valid: id, label, all, any)"},
    // Required sections and keys.
    {"medium = 15\n", "", "[bands]", 0, "missing 'medium' in [bands] (required: very_high, high, medium)"},
    {"low = 30\n", "", "[deadlines_days]", 0,
     "missing 'low' in [deadlines_days] (required: very_high, high, medium, low)"},
    {"[distribution]\nlabel = \"Distribution (uploading/sharing events)\"\nbasis = \"seriousness (weak)\"\n"
     "points_per_event = 4\nmax_points = 4\n",
     "", "", 0, "missing 'distribution' in the model (required: " + kRequiredTopLevel + ")"},
    {"name = \"hashtriage-default\"\n", "", "", 0, "missing 'name' in the model (required: " + kRequiredTopLevel + ")"},
    {"[[factor]]\nattribute = \"works_with_children\"\nlabel = \"Works or volunteers with children\"\n"
     "basis = \"KIRAT phase 2; CASIC\"\npoints = 25\naccess_to_children = true\nprevalence = 0.05\n",
     "", "[[factor]]", 0,
     "no [[factor]] for 'works_with_children': every attribute of risk-model.md must be weighed (points = 0 "
     "switches one off)"},
    {"basis = \"CPORT item\"\npoints = 8\n", "basis = \"CPORT item\"\n", "attribute = \"bail_breach\"", -1,
     "missing 'points' in [[factor]] (required: attribute, points)"},
    {"max_points = 4\n", "", "[distribution]", 0,
     "missing 'max_points' in [distribution] (required: points_per_event, max_points)"},
    {"all = [\"attribute:contact_with_child\"]", "all = []", "id = \"contact_with_child\"", -1,
     "urgency rule 'contact_with_child' has no conditions"},
    // Invalid values.
    {"points = 30", "points = -30", "points = -30", 0, "'points' must be between 0 and 1000, not -30"},
    {"points = 20", "points = \"20\"", "points = \"20\"", 0, "'points' must be an integer"},
    {"high = 35", "high = 70", "[bands]", 0, "[bands] needs medium < high < very_high"},
    {"very_high = 1\n", "very_high = 0\n", "very_high = 0", 0, "'very_high' must be between 1 and 3650, not 0"},
    {"low = 30", "low = -30", "low = -30", 0, "'low' must be between 1 and 3650, not -30"},
    {"high = 7", "high = 21", "[deadlines_days]", 0, "[deadlines_days] needs very_high <= high <= medium <= low"},
    {"attribute = \"grooming\"\n", "attribute = \"grooming\"\naccess_to_children = true\n", "\"grooming\"\naccess", 1,
     "grooming: access_to_children must be false (risk-model.md's access attributes: lives_with_children, "
     "works_with_children, other_access_to_children)"},
    {"attribute = \"grooming\"", "attribute = \"producing_images\"", "attribute = \"producing_images\"\nlabel = \"Taking",
     -1, "factor 'producing_images' defined twice"},
    {"categories = [\"A\"]", "categories = [\"Z\"]", "[\"Z\"]", 0, "unknown category 'Z' (A, B, C, ..."},
    {"name = \"hashtriage-default\"", "name = ", "name = \n", 0, "..."},  // TOML syntax: toml++'s own words
};

TEST(RiskModelTest, RefusesEachFaultNamingItsLineInTheFile) {
  testing::TempDir dir;
  int n = 0;
  for (const Refusal& r : kRefusals) {
    const std::string text = testing::DefaultModelWith(r.find, r.replace);
    const auto path = (dir / ("model-" + std::to_string(++n) + ".toml")).string();
    testing::WriteText(path, text);
    const int line = r.line_of.empty() ? 1 : testing::LineOf(text, r.line_of) + r.line_offset;
    ASSERT_GT(line, 0) << r.line_of;
    SCOPED_TRACE("fault " + std::to_string(n) + ": '" + r.replace + "' for '" + r.find + "'");
    auto model = LoadRiskModel(path);
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    const std::string& message = model.status().message();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    const std::string where = path + ":" + std::to_string(line) + ": ";
    if (r.reason.ends_with("...")) {
      EXPECT_EQ(message.rfind(where + r.reason.substr(0, r.reason.size() - 3), 0), 0u) << message;
    } else {
      EXPECT_EQ(message, where + r.reason);
    }
  }
}

TEST(RiskModelTest, EmptyModelIsRefused) {
  testing::TempDir dir;
  for (const std::string text : {"", "\n\n", "# only a comment\n"}) {
    const auto path = (dir / "empty.toml").string();
    testing::WriteText(path, text);
    auto model = LoadRiskModel(path);
    ASSERT_FALSE(model.ok()) << text;
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(model.status().message(), path + ":1: the risk model is empty");
  }
}

TEST(RiskModelTest, TheFirstUnknownKeyByLineIsTheOneNamed) {
  // toml++ iterates a table's keys alphabetically; the refusal names the earliest in the file.
  const std::string text = testing::DefaultModelWith("medium = 15\n", "medium = 15\nzzz = 1\naaa = 2\n");
  auto model = ParseRiskModel(text, "m.toml");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message().rfind("m.toml:" + std::to_string(testing::LineOf(text, "zzz")) + ": zzz:", 0), 0u)
      << model.status().message();
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
  // A refused model leaves the case's model as it was.
  const auto bad = c.dir / "bad.toml";
  testing::WriteText(bad, testing::DefaultModelWith("\"lives_with_children\"", "\"lives_with_childen\""));
  EXPECT_EQ(RankSubjects(*c.store, bad.string(), {}, context).status().code(), StatusCode::kInvalidArgument);
  auto kept = LoadCaseRiskModel(*c.store);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->sha256, tuned->model.sha256);
  // The word "default" gives the shipped model back, and the case keeps it again.
  auto restored = RankSubjects(*c.store, "default", {}, context);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->model.sha256, DefaultModel().sha256);
  EXPECT_EQ(restored->model.source, "built-in default");
  auto after = LoadCaseRiskModel(*c.store);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->sha256, DefaultModel().sha256);
  EXPECT_EQ(after->source, "built-in default");
}

}  // namespace
}  // namespace hashtriage::engine::risk

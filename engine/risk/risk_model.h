// RiskModel: the configurable, explainable model of ../shared/docs/risk-model.md: urgency rules that
// force Very High, additive contact-risk points per attribute and per kind of known-image evidence,
// band thresholds and band deadlines. Read from TOML (the shipped default is embedded in the binary);
// the SHA-256 of the TOML text is recorded with every assessment. Immutable once loaded; safe to
// share between threads. Invariant: no protected or proxy attribute (ethnicity, nationality,
// religion, postcode/area, age...) is ever an input: Parse refuses such names.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"
#include "index/category.h"

namespace hashtriage::engine::risk {

// Persistent format (stored in assessments, queue entries and decisions). Never renumber.
enum class Band : std::uint8_t { kLow = 0, kMedium = 1, kHigh = 2, kVeryHigh = 3 };
inline constexpr int kBandCount = 4;
inline constexpr Band kBandsHighestFirst[] = {Band::kVeryHigh, Band::kHigh, Band::kMedium, Band::kLow};

// "Very High", "High", "Medium", "Low".
std::string_view BandName(Band band);
// "very-high", "high", "medium", "low" (stable machine form for CSV/JSON and --band).
std::string_view BandKey(Band band);
// Accepts the key or name forms, case-insensitively, with '-', '_' or ' ' ("very_high", "VH").
std::optional<Band> ParseBand(std::string_view text);
inline int BandIndex(Band band) { return static_cast<int>(band); }

// Points for one yes/no/unknown subject attribute when it is "yes".
struct AttributeFactor {
  std::string attribute;      // attribute name as set with `subject attr`, e.g. "lives_with_children"
  std::string label;          // shown in the factor breakdown
  std::string basis;          // evidence basis of the weight, e.g. "KIRAT phase 2 (access)"
  int points = 0;             // added when the attribute is yes
  // True for the access-to-children attributes: while none is yes and any is unknown, the subject's
  // access is unknown and it may not sit in Low ("unknown is not no"). Default: false.
  bool access_to_children = false;
  // An unknown (or never researched) value creates a "research needed" task. Default: true.
  bool research_if_unknown = true;
  // The share of comparable subjects for whom the attribute is "yes" (0..1): what an unknown value is
  // expected to be when the queue orders by what is not yet known (outlook.h). Never changes a score
  // or band. Default: kDefaultPrevalence.
  double prevalence = 0.1;
};
inline constexpr double kDefaultPrevalence = 0.1;

// Points for distinct known images in some categories: min(max_points, points_per_image * count).
struct HitCategoryFactor {
  std::string id;             // e.g. "category_a_matches"
  std::string label;
  std::string basis;
  std::vector<index::Category> categories;
  int points_per_image = 0;
  int max_points = 0;
};

// Log-scaled volume: min(max_points, round(points_per_decade * log10(1 + count))).
struct VolumeFactor {
  std::string label = "Volume of known-image matches (log-scaled)";
  std::string basis;
  std::vector<index::Category> categories;
  double points_per_decade = 0;
  int max_points = 0;
};

// Distribution (upload / offer-to-share events in referrals): min(max_points, points_per_event * n).
struct DistributionFactor {
  std::string label = "Distribution (uploading/sharing events)";
  std::string basis;
  int points_per_event = 0;
  int max_points = 0;
};

// One condition of an urgency rule, written in TOML as:
//   "attribute:NAME"                     the attribute is yes
//   "access_to_children"                 any access-to-children attribute is yes
//   "referral:possible_self_production"  a referral file was annotated as possibly self-produced
//   "referral:escalate_to_high_priority" a referral was flagged for escalation by the provider
struct UrgencyCondition {
  enum class Kind : std::uint8_t { kAttributeYes, kAccessToChildren, kSelfProduction, kProviderEscalation };
  Kind kind = Kind::kAttributeYes;
  std::string attribute;  // for kAttributeYes
  std::string text;       // as written in the model
};

// Fires when every `all` condition holds and, if `any` is non-empty, at least one of `any` holds.
struct UrgencyRule {
  std::string id;
  std::string label;
  std::vector<UrgencyCondition> all;
  std::vector<UrgencyCondition> any;
};

struct RiskModel {
  std::string name;     // the model's own name, e.g. "hashtriage-default"
  std::string version;  // the model's own version string
  std::string source;   // the file it came from, or "built-in default"
  std::string sha256;   // hex SHA-256 of the TOML text, recorded with every assessment
  std::string text;     // the TOML text itself

  std::vector<AttributeFactor> attributes;
  std::vector<HitCategoryFactor> hit_factors;
  VolumeFactor volume;
  DistributionFactor distribution;
  std::vector<UrgencyRule> urgency;

  // Lowest score of each band, indexed by Band (Low is always 0). Default: 0, 15, 35, 60.
  std::array<int, kBandCount> band_min_score = {0, 15, 35, 60};
  // Days from entering the queue to the deadline, indexed by Band. Default: 30, 14, 7, 1.
  std::array<int, kBandCount> deadline_days = {30, 14, 7, 1};
  // An open case is ordered one band higher for every this many days it is past its deadline, so a
  // lower band is never starved by a steady flow of higher ones ("no case left behind"); its band
  // itself is unchanged and shown. 0 = never (strictly by band). Default: 21.
  int escalate_overdue_every_days = 21;
  // ...but never above this band, so an overloaded team's backlog cannot crowd out the cases the
  // model rates High and Very High (bench/RESULTS.md "## risk" shows the trade-off). Default: Medium.
  Band escalate_overdue_up_to = Band::kMedium;
  // Within an ordering band, the subject more likely to be High once its unknown attributes are known
  // (QueueEntry::likely_high, outlook.h) comes first, then overdue, deadline and score; false orders
  // by overdue, deadline and score alone (TOML order_within_band = "likely-high" | "deadline").
  // Default: true.
  bool order_by_outlook = true;
  // Under load the order above could starve unlikely cases for ever: every this-many-th place below
  // High (SortQueue) goes to the case longest past its deadline among those at least
  // escalate_overdue_every_days past it; High and Very High are never pushed back. 0 = never.
  // Default: 5 (bench/RESULTS.md "## queue-load").
  int long_overdue_every = 5;
  // A case ordered below High that could be High (likely_high > 0) is ordered as if this many
  // percentage points likelier in the last high_deadline_window_days days before the deadline it
  // would have as a High case (entered + High's deadline days): research has had the most time to
  // settle it, and it is still seen before a High case's deadline passes. 0 = never.
  // Default: 30 points, 2 days (bench/RESULTS.md "## queue-load").
  int high_deadline_boost = 30;
  int high_deadline_window_days = 2;

  Band BandForScore(int score) const;
  std::int64_t DeadlineSeconds(Band band) const;
  const AttributeFactor* FindAttribute(std::string_view name) const;
};

// True for names the model must never use: protected characteristics and their proxies
// (ethnicity, race, nationality, religion, postcode, area, address, age, date of birth, gender...).
// Matched on whole '_'-separated words, so "registered_sex_offender" is allowed and "home_postcode"
// is not. Issue-5 attribute commands may call it to refuse such attributes at entry too.
bool IsProtectedAttributeName(std::string_view name);

// Parses and validates a model. `source` names the text in error messages: every refusal is one
// line "SOURCE:LINE: reason" (InvalidArgument), LINE being that of the offending key, value or table
// header (line 1 for something missing from the top level). Nothing is defaulted silently that
// changes a score, band or deadline:
//  - Required: `name` and `version` (strings, recorded in the audit); [bands] with very_high, high
//    and medium (1 <= medium < high < very_high); [deadlines_days] with very_high, high, medium and
//    low (1 <= very_high <= high <= medium <= low, days); one [[factor]] (attribute, points >= 0)
//    for every attribute of risk-model.md's table (subjects::RiskAttributeNames), so a factor is
//    never dropped by omission or misspelling: points = 0 switches one off; at least one
//    [[hit_factor]] (id, categories, points_per_image, max_points); [volume] (categories,
//    points_per_decade, max_points); [distribution] (points_per_event, max_points); at least one
//    [[urgency]] rule (id and a non-empty `all` or `any`).
//  - Optional: [queue] (escalate_overdue_every_days, escalate_overdue_up_to; defaults above), every
//    `label` and `basis`, `research_if_unknown` (default true) and `access_to_children`, which
//    defaults to, and may only be, true for lives_with_children, works_with_children and
//    other_access_to_children (risk-model.md's access attributes) and false for the others.
//  - Refused: an empty file; unknown keys at any level (naming the nearest valid key, or listing
//    them); attribute names that are not risk-model.md's (an urgency condition may also name the
//    urgency items new_material and contact_with_child), with "did you mean ...?"; protected or
//    proxy names (IsProtectedAttributeName); duplicate factors or rules; negative points; values of
//    the wrong type; TOML syntax errors.
Result<RiskModel> ParseRiskModel(std::string_view toml_text, std::string_view source);

// The TOML text of the shipped default model (risk-model.md's table), embedded at build time.
std::string_view DefaultRiskModelText();

// Every attribute name the model reads (factors and urgency conditions), in model order.
std::vector<std::string> ModelAttributeNames(const RiskModel& model);

}  // namespace hashtriage::engine::risk

#include "engine/risk/risk_model.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <span>

#include "engine/subjects/attributes.h"
#include "hashing/digests.h"

namespace hashtriage::engine::risk {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whole words (between '_') that name a protected characteristic or a proxy for one.
constexpr std::string_view kProtectedWords[] = {
    "ethnicity", "ethnic",   "race",      "racial",     "nationality", "citizenship", "religion",  "religious",
    "faith",     "belief",   "caste",     "tribe",      "postcode",    "postal",      "zip",       "zipcode",
    "area",      "address",  "location",  "neighbourhood", "neighborhood", "district", "borough", "ward",
    "region",    "country",  "birthplace", "language",  "accent",      "immigration", "asylum",    "migrant",
    "age",       "dob",      "birth",     "gender",     "orientation", "disability",  "pregnancy", "marital",
    "skin",      "colour",   "color",     "surname",    "forename",    "name"};
// Stems caught even inside a run-together word ("homepostcode", "ethnicgroup").
constexpr std::string_view kProtectedStems[] = {"ethnic",      "religio",    "nationalit",      "postcode",
                                                "zipcode",     "citizenship", "birthplace",     "dateofbirth",
                                                "gender",      "sexualorientation", "skincolo"};

// risk-model.md's access-to-children attributes (KIRAT phase 2).
constexpr std::string_view kAccessAttributes[] = {"lives_with_children", "works_with_children",
                                                  "other_access_to_children"};
// The urgency items of risk-model.md that carry no points: an urgency condition may name them too.
constexpr std::string_view kUrgencyOnlyAttributes[] = {"new_material", "contact_with_child"};
constexpr std::string_view kUrgencyConditions[] = {"attribute:NAME", "access_to_children",
                                                   "referral:possible_self_production",
                                                   "referral:escalate_to_high_priority"};

bool IsAccessAttribute(std::string_view name) {
  return std::find(std::begin(kAccessAttributes), std::end(kAccessAttributes), name) != std::end(kAccessAttributes);
}

bool ValidAttributeSyntax(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Optimal string alignment distance: edits plus swaps of neighbours ("childen" and "hihg" are 1 away).
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string Joined(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// "; did you mean NAME?" when one valid name is a likely misspelling of `word` (one edit away for
// names of up to 4 characters, two beyond), else " (valid: a, b, ...)".
std::string NearestOrList(std::string_view word, std::span<const std::string_view> valid) {
  std::string_view best;
  std::size_t best_distance = std::string_view::npos;
  for (std::string_view v : valid) {
    const std::size_t d = EditDistance(word, v);
    if (d < best_distance) best = v, best_distance = d;
  }
  if (best_distance <= (best.size() <= 4 ? 1u : 2u)) return "; did you mean " + std::string(best) + "?";
  return " (valid: " + Joined(valid) + ")";
}

// Collects "SOURCE:LINE: message" errors for one parse.
class Checker {
 public:
  explicit Checker(std::string_view source) : source_(source) {}

  // At the node's first line; line 1 when it has none (the whole document).
  Status Error(const toml::node* node, const std::string& message) const {
    const auto line = node != nullptr && node->source().begin.line > 0 ? node->source().begin.line : 1;
    return Status::InvalidArgument(std::string(source_) + ":" + std::to_string(line) + ": " + message);
  }

  // Every key of `table` is in `allowed` (else the first unknown one by line, with the nearest valid
  // name or the list) and every key of `required` is present.
  Status Keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required, std::string_view where) const {
    const std::span<const std::string_view> valid(allowed.begin(), allowed.size());
    const toml::node* unknown = nullptr;
    std::string unknown_key;
    for (const auto& [key, node] : table) {
      if (std::find(valid.begin(), valid.end(), key.str()) != valid.end()) continue;
      if (unknown == nullptr || node.source().begin.line < unknown->source().begin.line) {
        unknown = &node;
        unknown_key = std::string(key.str());
      }
    }
    if (unknown != nullptr) {
      return Error(unknown,
                   unknown_key + ": unknown key in " + std::string(where) + NearestOrList(unknown_key, valid));
    }
    for (std::string_view key : required) {
      if (!table.contains(key)) {
        return Error(&table, "missing '" + std::string(key) + "' in " + std::string(where) + " (required: " +
                                 Joined(std::span(required.begin(), required.size())) + ")");
      }
    }
    return Status::Ok();
  }

  // The table under `key`; nullptr when it is absent and not required.
  Result<const toml::table*> Table(const toml::table& parent, std::string_view key, bool required) const {
    const toml::node* node = parent.get(key);
    if (node == nullptr && required) return Error(&parent, "missing [" + std::string(key) + "]");
    if (node == nullptr) return static_cast<const toml::table*>(nullptr);
    if (!node->is_table()) return Error(node, "[" + std::string(key) + "] must be a table");
    return node->as_table();
  }

  // The non-empty array of tables under `key` ([[key]] entries).
  Result<const toml::array*> Tables(const toml::table& parent, std::string_view key) const {
    const toml::node* node = parent.get(key);
    const toml::array* array = node == nullptr ? nullptr : node->as_array();
    if (array == nullptr || !array->is_array_of_tables() || array->empty()) {
      return Error(node, "'" + std::string(key) + "' must be one or more [[" + std::string(key) + "]] tables");
    }
    return array;
  }

  Result<std::string> String(const toml::table& table, std::string_view key, std::string fallback = "") const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_string()) return Error(node, "'" + std::string(key) + "' must be a string");
    return *node->value<std::string>();
  }

  Result<std::int64_t> Integer(const toml::table& table, std::string_view key, std::int64_t fallback,
                               std::int64_t min, std::int64_t max) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_integer()) return Error(node, "'" + std::string(key) + "' must be an integer");
    const std::int64_t v = *node->value<std::int64_t>();
    if (v < min || v > max) {
      return Error(node, "'" + std::string(key) + "' must be between " + std::to_string(min) + " and " +
                             std::to_string(max) + ", not " + std::to_string(v));
    }
    return v;
  }

  Result<double> Number(const toml::table& table, std::string_view key, double fallback, double min,
                        double max) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_number()) return Error(node, "'" + std::string(key) + "' must be a number");
    const double v = *node->value<double>();
    if (!(v >= min && v <= max)) return Error(node, "'" + std::string(key) + "' out of range");
    return v;
  }

  Result<bool> Boolean(const toml::table& table, std::string_view key, bool fallback) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_boolean()) return Error(node, "'" + std::string(key) + "' must be true or false");
    return *node->value<bool>();
  }

  // The strings of an array (with their nodes, for line numbers); empty when the key is absent.
  Result<std::vector<std::pair<std::string, const toml::node*>>> Strings(const toml::table& table,
                                                                         std::string_view key) const {
    std::vector<std::pair<std::string, const toml::node*>> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(node, "'" + std::string(key) + "' must be an array of strings");
    for (const toml::node& item : *array) {
      if (!item.is_string()) return Error(&item, "'" + std::string(key) + "' must hold strings");
      out.emplace_back(*item.value<std::string>(), &item);
    }
    return out;
  }

  // A non-empty list of category names.
  Result<std::vector<index::Category>> Categories(const toml::table& table, std::string_view where) const {
    HT_ASSIGN_OR_RETURN(auto names, Strings(table, "categories"));
    if (names.empty()) return Error(&table, std::string(where) + " needs categories");
    std::vector<index::Category> out;
    for (const auto& [name, node] : names) {
      const auto category = index::ParseCategory(name);
      if (!category) {
        return Error(node, "unknown category '" + name +
                               "' (A, B, C, indecent-uncategorised, non-indecent, ignorable, unknown)");
      }
      out.push_back(*category);
    }
    return out;
  }

  // `name` is a risk-model.md attribute of `valid` (the factor table, or with the urgency items).
  Status CheckAttributeName(const toml::node* node, const std::string& name,
                            std::span<const std::string_view> valid) const {
    if (!ValidAttributeSyntax(name)) {
      return Error(node, "attribute name '" + name + "' must be lower_snake_case ([a-z0-9_], at most 64)");
    }
    if (IsProtectedAttributeName(name)) {
      return Error(node, "attribute '" + name +
                             "' is a protected characteristic or a proxy for one and can never be a risk factor");
    }
    if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
      return Error(node, name + ": unknown attribute" + NearestOrList(name, valid));
    }
    return Status::Ok();
  }

 private:
  std::string_view source_;
};

std::vector<std::string_view> UrgencyAttributeNames() {
  const auto table = subjects::RiskAttributeNames();
  std::vector<std::string_view> names(table.begin(), table.end());
  names.insert(names.end(), std::begin(kUrgencyOnlyAttributes), std::end(kUrgencyOnlyAttributes));
  return names;
}

Result<UrgencyCondition> ParseCondition(const Checker& check, const toml::node* where, const std::string& text) {
  UrgencyCondition c;
  c.text = text;
  if (text == "access_to_children") {
    c.kind = UrgencyCondition::Kind::kAccessToChildren;
  } else if (text == "referral:possible_self_production") {
    c.kind = UrgencyCondition::Kind::kSelfProduction;
  } else if (text == "referral:escalate_to_high_priority") {
    c.kind = UrgencyCondition::Kind::kProviderEscalation;
  } else if (text.rfind("attribute:", 0) == 0) {
    c.kind = UrgencyCondition::Kind::kAttributeYes;
    c.attribute = text.substr(10);
    HT_RETURN_IF_ERROR(check.CheckAttributeName(where, c.attribute, UrgencyAttributeNames()));
  } else {
    return check.Error(where, text + ": unknown urgency condition" + NearestOrList(text, kUrgencyConditions));
  }
  return c;
}

Status ParseBandsAndDeadlines(const Checker& check, const toml::table& root, RiskModel& model) {
  HT_ASSIGN_OR_RETURN(const toml::table* bands, check.Table(root, "bands", /*required=*/true));
  HT_RETURN_IF_ERROR(check.Keys(*bands, {"very_high", "high", "medium"}, {"very_high", "high", "medium"}, "[bands]"));
  HT_ASSIGN_OR_RETURN(auto vh, check.Integer(*bands, "very_high", 0, 1, 100000));
  HT_ASSIGN_OR_RETURN(auto h, check.Integer(*bands, "high", 0, 1, 100000));
  HT_ASSIGN_OR_RETURN(auto m, check.Integer(*bands, "medium", 0, 1, 100000));
  if (!(m < h && h < vh)) return check.Error(bands, "[bands] needs medium < high < very_high");
  model.band_min_score = {0, static_cast<int>(m), static_cast<int>(h), static_cast<int>(vh)};

  HT_ASSIGN_OR_RETURN(const toml::table* days, check.Table(root, "deadlines_days", /*required=*/true));
  HT_RETURN_IF_ERROR(check.Keys(*days, {"very_high", "high", "medium", "low"}, {"very_high", "high", "medium", "low"},
                                "[deadlines_days]"));
  HT_ASSIGN_OR_RETURN(vh, check.Integer(*days, "very_high", 0, 1, 3650));
  HT_ASSIGN_OR_RETURN(h, check.Integer(*days, "high", 0, 1, 3650));
  HT_ASSIGN_OR_RETURN(m, check.Integer(*days, "medium", 0, 1, 3650));
  HT_ASSIGN_OR_RETURN(auto l, check.Integer(*days, "low", 0, 1, 3650));
  // A higher band never waits longer: re-scoring up must never extend a deadline.
  if (!(vh <= h && h <= m && m <= l)) {
    return check.Error(days, "[deadlines_days] needs very_high <= high <= medium <= low");
  }
  model.deadline_days = {static_cast<int>(l), static_cast<int>(m), static_cast<int>(h), static_cast<int>(vh)};

  HT_ASSIGN_OR_RETURN(const toml::table* queue, check.Table(root, "queue", /*required=*/false));
  if (queue != nullptr) {
    HT_RETURN_IF_ERROR(check.Keys(
        *queue, {"escalate_overdue_every_days", "escalate_overdue_up_to", "order_within_band", "long_overdue_every",
                  "high_deadline_boost", "high_deadline_window_days"},
        {},
        "[queue]"));
    HT_ASSIGN_OR_RETURN(auto order, check.String(*queue, "order_within_band", "likely-high"));
    if (order != "likely-high" && order != "deadline") {
      return check.Error(queue->get("order_within_band"), "order_within_band must be \"likely-high\" or \"deadline\"");
    }
    model.order_by_outlook = order == "likely-high";
    HT_ASSIGN_OR_RETURN(auto every_place, check.Integer(*queue, "long_overdue_every", 5, 0, 1000));
    model.long_overdue_every = static_cast<int>(every_place);
    HT_ASSIGN_OR_RETURN(auto boost, check.Integer(*queue, "high_deadline_boost", 30, 0, 100));
    model.high_deadline_boost = static_cast<int>(boost);
    HT_ASSIGN_OR_RETURN(auto window, check.Integer(*queue, "high_deadline_window_days", 2, 0, 365));
    model.high_deadline_window_days = static_cast<int>(window);
    HT_ASSIGN_OR_RETURN(auto every, check.Integer(*queue, "escalate_overdue_every_days", 21, 0, 3650));
    model.escalate_overdue_every_days = static_cast<int>(every);
    HT_ASSIGN_OR_RETURN(auto up_to, check.String(*queue, "escalate_overdue_up_to", "medium"));
    const auto band = ParseBand(up_to);
    if (!band) return check.Error(queue->get("escalate_overdue_up_to"), "escalate_overdue_up_to must be a band name");
    model.escalate_overdue_up_to = *band;
  }
  return Status::Ok();
}

Status ParseAttributeFactors(const Checker& check, const toml::table& root, RiskModel& model) {
  HT_ASSIGN_OR_RETURN(const toml::array* factors, check.Tables(root, "factor"));
  const auto spec = subjects::RiskAttributeNames();
  std::set<std::string> seen;
  for (const toml::node& item : *factors) {
    const toml::table& t = *item.as_table();
    HT_RETURN_IF_ERROR(check.Keys(
        t, {"attribute", "label", "basis", "points", "access_to_children", "research_if_unknown", "prevalence"},
        {"attribute", "points"}, "[[factor]]"));
    AttributeFactor f;
    HT_ASSIGN_OR_RETURN(f.attribute, check.String(t, "attribute"));
    HT_RETURN_IF_ERROR(check.CheckAttributeName(t.get("attribute"), f.attribute, spec));
    if (!seen.insert(f.attribute).second) return check.Error(&t, "factor '" + f.attribute + "' defined twice");
    HT_ASSIGN_OR_RETURN(f.label, check.String(t, "label", f.attribute));
    HT_ASSIGN_OR_RETURN(f.basis, check.String(t, "basis"));
    HT_ASSIGN_OR_RETURN(auto points, check.Integer(t, "points", 0, 0, 1000));
    f.points = static_cast<int>(points);
    const bool access = IsAccessAttribute(f.attribute);
    HT_ASSIGN_OR_RETURN(f.access_to_children, check.Boolean(t, "access_to_children", access));
    if (f.access_to_children != access) {
      return check.Error(t.get("access_to_children"),
                         f.attribute + ": access_to_children must be " + (access ? "true" : "false") +
                             " (risk-model.md's access attributes: " + Joined(kAccessAttributes) + ")");
    }
    HT_ASSIGN_OR_RETURN(f.research_if_unknown, check.Boolean(t, "research_if_unknown", true));
    HT_ASSIGN_OR_RETURN(f.prevalence, check.Number(t, "prevalence", kDefaultPrevalence, 0, 1));
    model.attributes.push_back(std::move(f));
  }
  for (std::string_view name : spec) {
    if (!seen.contains(std::string(name))) {
      return check.Error(factors, "no [[factor]] for '" + std::string(name) +
                                      "': every attribute of risk-model.md must be weighed "
                                      "(points = 0 switches one off)");
    }
  }
  return Status::Ok();
}

Status ParseEvidenceFactors(const Checker& check, const toml::table& root, RiskModel& model) {
  HT_ASSIGN_OR_RETURN(const toml::array* factors, check.Tables(root, "hit_factor"));
  std::set<std::string> seen;
  for (const toml::node& item : *factors) {
    const toml::table& t = *item.as_table();
    HT_RETURN_IF_ERROR(check.Keys(t, {"id", "label", "basis", "categories", "points_per_image", "max_points"},
                                  {"id", "categories", "points_per_image", "max_points"}, "[[hit_factor]]"));
    HitCategoryFactor f;
    HT_ASSIGN_OR_RETURN(f.id, check.String(t, "id"));
    if (!ValidAttributeSyntax(f.id)) return check.Error(&t, "hit_factor id '" + f.id + "' must be lower_snake_case");
    if (!seen.insert(f.id).second) return check.Error(&t, "hit_factor '" + f.id + "' defined twice");
    HT_ASSIGN_OR_RETURN(f.label, check.String(t, "label", f.id));
    HT_ASSIGN_OR_RETURN(f.basis, check.String(t, "basis"));
    HT_ASSIGN_OR_RETURN(f.categories, check.Categories(t, "hit_factor '" + f.id + "'"));
    HT_ASSIGN_OR_RETURN(auto per, check.Integer(t, "points_per_image", 0, 0, 1000));
    HT_ASSIGN_OR_RETURN(auto max, check.Integer(t, "max_points", 0, 0, 1000));
    f.points_per_image = static_cast<int>(per);
    f.max_points = static_cast<int>(max);
    model.hit_factors.push_back(std::move(f));
  }

  HT_ASSIGN_OR_RETURN(const toml::table* volume, check.Table(root, "volume", /*required=*/true));
  HT_RETURN_IF_ERROR(check.Keys(*volume, {"label", "basis", "categories", "points_per_decade", "max_points"},
                                {"categories", "points_per_decade", "max_points"}, "[volume]"));
  HT_ASSIGN_OR_RETURN(model.volume.label, check.String(*volume, "label", model.volume.label));
  HT_ASSIGN_OR_RETURN(model.volume.basis, check.String(*volume, "basis"));
  HT_ASSIGN_OR_RETURN(model.volume.categories, check.Categories(*volume, "[volume]"));
  HT_ASSIGN_OR_RETURN(model.volume.points_per_decade, check.Number(*volume, "points_per_decade", 0, 0, 1000));
  HT_ASSIGN_OR_RETURN(auto max, check.Integer(*volume, "max_points", 0, 0, 1000));
  model.volume.max_points = static_cast<int>(max);

  HT_ASSIGN_OR_RETURN(const toml::table* distribution, check.Table(root, "distribution", /*required=*/true));
  HT_RETURN_IF_ERROR(check.Keys(*distribution, {"label", "basis", "points_per_event", "max_points"},
                                {"points_per_event", "max_points"}, "[distribution]"));
  HT_ASSIGN_OR_RETURN(model.distribution.label, check.String(*distribution, "label", model.distribution.label));
  HT_ASSIGN_OR_RETURN(model.distribution.basis, check.String(*distribution, "basis"));
  HT_ASSIGN_OR_RETURN(auto per, check.Integer(*distribution, "points_per_event", 0, 0, 1000));
  HT_ASSIGN_OR_RETURN(max, check.Integer(*distribution, "max_points", 0, 0, 1000));
  model.distribution.points_per_event = static_cast<int>(per);
  model.distribution.max_points = static_cast<int>(max);
  return Status::Ok();
}

Status ParseUrgency(const Checker& check, const toml::table& root, RiskModel& model) {
  HT_ASSIGN_OR_RETURN(const toml::array* rules, check.Tables(root, "urgency"));
  std::set<std::string> seen;
  for (const toml::node& item : *rules) {
    const toml::table& t = *item.as_table();
    HT_RETURN_IF_ERROR(check.Keys(t, {"id", "label", "all", "any"}, {"id"}, "[[urgency]]"));
    UrgencyRule rule;
    HT_ASSIGN_OR_RETURN(rule.id, check.String(t, "id"));
    if (!ValidAttributeSyntax(rule.id)) {
      return check.Error(&t, "urgency id '" + rule.id + "' must be lower_snake_case");
    }
    if (!seen.insert(rule.id).second) return check.Error(&t, "urgency rule '" + rule.id + "' defined twice");
    HT_ASSIGN_OR_RETURN(rule.label, check.String(t, "label", rule.id));
    HT_ASSIGN_OR_RETURN(auto all, check.Strings(t, "all"));
    HT_ASSIGN_OR_RETURN(auto any, check.Strings(t, "any"));
    if (all.empty() && any.empty()) return check.Error(&t, "urgency rule '" + rule.id + "' has no conditions");
    for (const auto& [text, node] : all) {
      HT_ASSIGN_OR_RETURN(auto c, ParseCondition(check, node, text));
      rule.all.push_back(std::move(c));
    }
    for (const auto& [text, node] : any) {
      HT_ASSIGN_OR_RETURN(auto c, ParseCondition(check, node, text));
      rule.any.push_back(std::move(c));
    }
    model.urgency.push_back(std::move(rule));
  }
  return Status::Ok();
}

}  // namespace

std::string_view BandName(Band band) {
  switch (band) {
    case Band::kVeryHigh: return "Very High";
    case Band::kHigh: return "High";
    case Band::kMedium: return "Medium";
    case Band::kLow: return "Low";
  }
  return "Low";
}

std::string_view BandKey(Band band) {
  switch (band) {
    case Band::kVeryHigh: return "very-high";
    case Band::kHigh: return "high";
    case Band::kMedium: return "medium";
    case Band::kLow: return "low";
  }
  return "low";
}

std::optional<Band> ParseBand(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c == '-' || c == '_' || c == ' ') continue;
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s == "veryhigh" || s == "vh") return Band::kVeryHigh;
  if (s == "high" || s == "h") return Band::kHigh;
  if (s == "medium" || s == "m") return Band::kMedium;
  if (s == "low" || s == "l") return Band::kLow;
  return std::nullopt;
}

Band RiskModel::BandForScore(int score) const {
  for (Band band : kBandsHighestFirst) {
    if (score >= band_min_score[BandIndex(band)]) return band;
  }
  return Band::kLow;
}

std::int64_t RiskModel::DeadlineSeconds(Band band) const {
  return static_cast<std::int64_t>(deadline_days[BandIndex(band)]) * 86400;
}

const AttributeFactor* RiskModel::FindAttribute(std::string_view name) const {
  for (const auto& f : attributes) {
    if (f.attribute == name) return &f;
  }
  return nullptr;
}

bool IsProtectedAttributeName(std::string_view name) {
  const std::string lower = Lower(name);
  std::string joined;
  std::size_t start = 0;
  while (start <= lower.size()) {
    std::size_t end = lower.find_first_of("_- .", start);
    if (end == std::string::npos) end = lower.size();
    const std::string_view word(lower.data() + start, end - start);
    for (std::string_view p : kProtectedWords) {
      if (word == p) return true;
    }
    joined += word;
    start = end + 1;
  }
  for (std::string_view stem : kProtectedStems) {
    if (joined.find(stem) != std::string::npos) return true;
  }
  return false;
}

Result<RiskModel> ParseRiskModel(std::string_view toml_text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  const Checker check(source);
  if (root.empty()) return check.Error(nullptr, "the risk model is empty");
  HT_RETURN_IF_ERROR(check.Keys(root,
                                {"name", "version", "bands", "deadlines_days", "queue", "factor", "hit_factor",
                                 "volume", "distribution", "urgency"},
                                {"name", "version", "bands", "deadlines_days", "factor", "hit_factor", "volume",
                                 "distribution", "urgency"},
                                "the model"));
  RiskModel model;
  model.source = std::string(source);
  model.text = std::string(toml_text);
  HT_ASSIGN_OR_RETURN(model.name, check.String(root, "name"));
  HT_ASSIGN_OR_RETURN(model.version, check.String(root, "version"));
  HT_RETURN_IF_ERROR(ParseBandsAndDeadlines(check, root, model));
  HT_RETURN_IF_ERROR(ParseAttributeFactors(check, root, model));
  HT_RETURN_IF_ERROR(ParseEvidenceFactors(check, root, model));
  HT_RETURN_IF_ERROR(ParseUrgency(check, root, model));
  const auto digest = hashing::DigestBytes(std::as_bytes(std::span(toml_text.data(), toml_text.size())),
                                           hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  model.sha256 = digest.sha256->hex();
  return model;
}

std::vector<std::string> ModelAttributeNames(const RiskModel& model) {
  std::vector<std::string> names;
  auto add = [&names](const std::string& n) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  for (const auto& f : model.attributes) add(f.attribute);
  for (const auto& rule : model.urgency) {
    for (const auto* list : {&rule.all, &rule.any}) {
      for (const auto& c : *list) {
        if (c.kind == UrgencyCondition::Kind::kAttributeYes) add(c.attribute);
      }
    }
  }
  return names;
}

}  // namespace hashtriage::engine::risk

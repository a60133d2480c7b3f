#include "engine/risk/risk_model.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <set>

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

bool ValidAttributeSyntax(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Collects "SOURCE:LINE: message" errors for one parse.
class Checker {
 public:
  explicit Checker(std::string_view source) : source_(source) {}

  Status Error(const toml::node* node, const std::string& message) const {
    std::string where(source_);
    if (node != nullptr && node->source().begin.line > 0) where += ":" + std::to_string(node->source().begin.line);
    return Status::InvalidArgument(where + ": " + message);
  }

  // Every key of `table` must be in `allowed`.
  Status OnlyKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                  std::string_view where) const {
    for (const auto& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        return Error(&node, "unknown key '" + std::string(key.str()) + "' in " + std::string(where));
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const toml::table& table, std::string_view key, bool required,
                             std::string fallback = "") const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required) return Error(&table, "missing '" + std::string(key) + "'");
      return fallback;
    }
    if (!node->is_string()) return Error(node, "'" + std::string(key) + "' must be a string");
    return *node->value<std::string>();
  }

  Result<std::int64_t> Integer(const toml::table& table, std::string_view key, bool required, std::int64_t fallback,
                               std::int64_t min, std::int64_t max) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required) return Error(&table, "missing '" + std::string(key) + "'");
      return fallback;
    }
    if (!node->is_integer()) return Error(node, "'" + std::string(key) + "' must be an integer");
    const std::int64_t v = *node->value<std::int64_t>();
    if (v < min || v > max) {
      return Error(node, "'" + std::string(key) + "' must be between " + std::to_string(min) + " and " +
                             std::to_string(max));
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

  Result<std::vector<std::string>> Strings(const toml::table& table, std::string_view key) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(node, "'" + std::string(key) + "' must be an array of strings");
    for (const toml::node& item : *array) {
      if (!item.is_string()) return Error(&item, "'" + std::string(key) + "' must hold strings");
      out.push_back(*item.value<std::string>());
    }
    return out;
  }

  Result<std::vector<index::Category>> Categories(const toml::table& table) const {
    HT_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(table, "categories"));
    std::vector<index::Category> out;
    for (const std::string& name : names) {
      const auto category = index::ParseCategory(name);
      if (!category) {
        return Error(table.get("categories"), "unknown category '" + name +
                                                  "' (A, B, C, indecent-uncategorised, non-indecent, ignorable, "
                                                  "unknown)");
      }
      out.push_back(*category);
    }
    return out;
  }

  Status CheckAttributeName(const toml::node* node, const std::string& name) const {
    if (!ValidAttributeSyntax(name)) {
      return Error(node, "attribute name '" + name + "' must be lower_snake_case ([a-z0-9_], at most 64)");
    }
    if (IsProtectedAttributeName(name)) {
      return Error(node, "attribute '" + name +
                             "' is a protected characteristic or a proxy for one and can never be a risk factor");
    }
    return Status::Ok();
  }

 private:
  std::string_view source_;
};

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
    HT_RETURN_IF_ERROR(check.CheckAttributeName(where, c.attribute));
  } else {
    return check.Error(where, "unknown urgency condition '" + text +
                                  "' (attribute:NAME, access_to_children, referral:possible_self_production, "
                                  "referral:escalate_to_high_priority)");
  }
  return c;
}

Status ParseBandsAndDeadlines(const Checker& check, const toml::table& root, RiskModel& model) {
  if (const toml::node* node = root.get("bands")) {
    const toml::table* bands = node->as_table();
    if (bands == nullptr) return check.Error(node, "[bands] must be a table");
    HT_RETURN_IF_ERROR(check.OnlyKeys(*bands, {"very_high", "high", "medium"}, "[bands]"));
    HT_ASSIGN_OR_RETURN(auto vh, check.Integer(*bands, "very_high", false, 60, 1, 100000));
    HT_ASSIGN_OR_RETURN(auto h, check.Integer(*bands, "high", false, 35, 1, 100000));
    HT_ASSIGN_OR_RETURN(auto m, check.Integer(*bands, "medium", false, 15, 1, 100000));
    if (!(m < h && h < vh)) return check.Error(node, "[bands] needs medium < high < very_high");
    model.band_min_score = {0, static_cast<int>(m), static_cast<int>(h), static_cast<int>(vh)};
  }
  if (const toml::node* node = root.get("deadlines_days")) {
    const toml::table* days = node->as_table();
    if (days == nullptr) return check.Error(node, "[deadlines_days] must be a table");
    HT_RETURN_IF_ERROR(check.OnlyKeys(*days, {"very_high", "high", "medium", "low"}, "[deadlines_days]"));
    HT_ASSIGN_OR_RETURN(auto vh, check.Integer(*days, "very_high", false, 1, 0, 3650));
    HT_ASSIGN_OR_RETURN(auto h, check.Integer(*days, "high", false, 7, 0, 3650));
    HT_ASSIGN_OR_RETURN(auto m, check.Integer(*days, "medium", false, 14, 0, 3650));
    HT_ASSIGN_OR_RETURN(auto l, check.Integer(*days, "low", false, 30, 0, 3650));
    // A higher band never waits longer: re-scoring up must never extend a deadline.
    if (!(vh <= h && h <= m && m <= l)) {
      return check.Error(node, "[deadlines_days] needs very_high <= high <= medium <= low");
    }
    model.deadline_days = {static_cast<int>(l), static_cast<int>(m), static_cast<int>(h), static_cast<int>(vh)};
  }
  if (const toml::node* node = root.get("queue")) {
    const toml::table* queue = node->as_table();
    if (queue == nullptr) return check.Error(node, "[queue] must be a table");
    HT_RETURN_IF_ERROR(
        check.OnlyKeys(*queue, {"escalate_overdue_every_days", "escalate_overdue_up_to"}, "[queue]"));
    HT_ASSIGN_OR_RETURN(auto every, check.Integer(*queue, "escalate_overdue_every_days", false, 21, 0, 3650));
    model.escalate_overdue_every_days = static_cast<int>(every);
    HT_ASSIGN_OR_RETURN(auto up_to, check.String(*queue, "escalate_overdue_up_to", false, "medium"));
    const auto band = ParseBand(up_to);
    if (!band) return check.Error(queue->get("escalate_overdue_up_to"), "escalate_overdue_up_to must be a band name");
    model.escalate_overdue_up_to = *band;
  }
  return Status::Ok();
}

Status ParseAttributeFactors(const Checker& check, const toml::table& root, RiskModel& model) {
  const toml::node* node = root.get("factor");
  if (node == nullptr) return Status::Ok();
  const toml::array* factors = node->as_array();
  if (factors == nullptr) return check.Error(node, "'factor' must be an array of tables ([[factor]])");
  std::set<std::string> seen;
  for (const toml::node& item : *factors) {
    const toml::table* t = item.as_table();
    if (t == nullptr) return check.Error(&item, "[[factor]] entries must be tables");
    HT_RETURN_IF_ERROR(
        check.OnlyKeys(*t, {"attribute", "label", "basis", "points", "access_to_children", "research_if_unknown"},
                       "[[factor]]"));
    AttributeFactor f;
    HT_ASSIGN_OR_RETURN(f.attribute, check.String(*t, "attribute", true));
    HT_RETURN_IF_ERROR(check.CheckAttributeName(t->get("attribute"), f.attribute));
    if (!seen.insert(f.attribute).second) return check.Error(t, "factor '" + f.attribute + "' defined twice");
    HT_ASSIGN_OR_RETURN(f.label, check.String(*t, "label", false, f.attribute));
    HT_ASSIGN_OR_RETURN(f.basis, check.String(*t, "basis", false));
    HT_ASSIGN_OR_RETURN(auto points, check.Integer(*t, "points", true, 0, 0, 1000));
    f.points = static_cast<int>(points);
    HT_ASSIGN_OR_RETURN(f.access_to_children, check.Boolean(*t, "access_to_children", false));
    HT_ASSIGN_OR_RETURN(f.research_if_unknown, check.Boolean(*t, "research_if_unknown", true));
    model.attributes.push_back(std::move(f));
  }
  return Status::Ok();
}

Status ParseEvidenceFactors(const Checker& check, const toml::table& root, RiskModel& model) {
  if (const toml::node* node = root.get("hit_factor")) {
    const toml::array* factors = node->as_array();
    if (factors == nullptr) return check.Error(node, "'hit_factor' must be an array of tables ([[hit_factor]])");
    std::set<std::string> seen;
    for (const toml::node& item : *factors) {
      const toml::table* t = item.as_table();
      if (t == nullptr) return check.Error(&item, "[[hit_factor]] entries must be tables");
      HT_RETURN_IF_ERROR(check.OnlyKeys(
          *t, {"id", "label", "basis", "categories", "points_per_image", "max_points"}, "[[hit_factor]]"));
      HitCategoryFactor f;
      HT_ASSIGN_OR_RETURN(f.id, check.String(*t, "id", true));
      if (!ValidAttributeSyntax(f.id)) return check.Error(t, "hit_factor id '" + f.id + "' must be lower_snake_case");
      if (!seen.insert(f.id).second) return check.Error(t, "hit_factor '" + f.id + "' defined twice");
      HT_ASSIGN_OR_RETURN(f.label, check.String(*t, "label", false, f.id));
      HT_ASSIGN_OR_RETURN(f.basis, check.String(*t, "basis", false));
      HT_ASSIGN_OR_RETURN(f.categories, check.Categories(*t));
      if (f.categories.empty()) return check.Error(t, "hit_factor '" + f.id + "' needs categories");
      HT_ASSIGN_OR_RETURN(auto per, check.Integer(*t, "points_per_image", true, 0, 0, 1000));
      HT_ASSIGN_OR_RETURN(auto max, check.Integer(*t, "max_points", true, 0, 0, 1000));
      f.points_per_image = static_cast<int>(per);
      f.max_points = static_cast<int>(max);
      model.hit_factors.push_back(std::move(f));
    }
  }
  if (const toml::node* node = root.get("volume")) {
    const toml::table* t = node->as_table();
    if (t == nullptr) return check.Error(node, "[volume] must be a table");
    HT_RETURN_IF_ERROR(
        check.OnlyKeys(*t, {"label", "basis", "categories", "points_per_decade", "max_points"}, "[volume]"));
    HT_ASSIGN_OR_RETURN(model.volume.label, check.String(*t, "label", false, model.volume.label));
    HT_ASSIGN_OR_RETURN(model.volume.basis, check.String(*t, "basis", false));
    HT_ASSIGN_OR_RETURN(model.volume.categories, check.Categories(*t));
    HT_ASSIGN_OR_RETURN(model.volume.points_per_decade, check.Number(*t, "points_per_decade", 0, 0, 1000));
    HT_ASSIGN_OR_RETURN(auto max, check.Integer(*t, "max_points", false, 0, 0, 1000));
    model.volume.max_points = static_cast<int>(max);
  }
  if (const toml::node* node = root.get("distribution")) {
    const toml::table* t = node->as_table();
    if (t == nullptr) return check.Error(node, "[distribution] must be a table");
    HT_RETURN_IF_ERROR(check.OnlyKeys(*t, {"label", "basis", "points_per_event", "max_points"}, "[distribution]"));
    HT_ASSIGN_OR_RETURN(model.distribution.label, check.String(*t, "label", false, model.distribution.label));
    HT_ASSIGN_OR_RETURN(model.distribution.basis, check.String(*t, "basis", false));
    HT_ASSIGN_OR_RETURN(auto per, check.Integer(*t, "points_per_event", false, 0, 0, 1000));
    HT_ASSIGN_OR_RETURN(auto max, check.Integer(*t, "max_points", false, 0, 0, 1000));
    model.distribution.points_per_event = static_cast<int>(per);
    model.distribution.max_points = static_cast<int>(max);
  }
  return Status::Ok();
}

Status ParseUrgency(const Checker& check, const toml::table& root, RiskModel& model) {
  const toml::node* node = root.get("urgency");
  if (node == nullptr) return Status::Ok();
  const toml::array* rules = node->as_array();
  if (rules == nullptr) return check.Error(node, "'urgency' must be an array of tables ([[urgency]])");
  std::set<std::string> seen;
  for (const toml::node& item : *rules) {
    const toml::table* t = item.as_table();
    if (t == nullptr) return check.Error(&item, "[[urgency]] entries must be tables");
    HT_RETURN_IF_ERROR(check.OnlyKeys(*t, {"id", "label", "all", "any"}, "[[urgency]]"));
    UrgencyRule rule;
    HT_ASSIGN_OR_RETURN(rule.id, check.String(*t, "id", true));
    if (!ValidAttributeSyntax(rule.id)) return check.Error(t, "urgency id '" + rule.id + "' must be lower_snake_case");
    if (!seen.insert(rule.id).second) return check.Error(t, "urgency rule '" + rule.id + "' defined twice");
    HT_ASSIGN_OR_RETURN(rule.label, check.String(*t, "label", false, rule.id));
    HT_ASSIGN_OR_RETURN(auto all, check.Strings(*t, "all"));
    HT_ASSIGN_OR_RETURN(auto any, check.Strings(*t, "any"));
    if (all.empty() && any.empty()) return check.Error(t, "urgency rule '" + rule.id + "' has no conditions");
    for (const auto& text : all) {
      HT_ASSIGN_OR_RETURN(auto c, ParseCondition(check, t->get("all"), text));
      rule.all.push_back(std::move(c));
    }
    for (const auto& text : any) {
      HT_ASSIGN_OR_RETURN(auto c, ParseCondition(check, t->get("any"), text));
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
  HT_RETURN_IF_ERROR(check.OnlyKeys(root,
                                    {"name", "version", "bands", "deadlines_days", "queue", "factor", "hit_factor",
                                     "volume", "distribution", "urgency"},
                                    "the model"));
  RiskModel model;
  model.source = std::string(source);
  model.text = std::string(toml_text);
  HT_ASSIGN_OR_RETURN(model.name, check.String(root, "name", false, "unnamed model"));
  HT_ASSIGN_OR_RETURN(model.version, check.String(root, "version", false, ""));
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

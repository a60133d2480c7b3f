#include "engine/subjects/attributes.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <tuple>

#include "engine/subjects/linker.h"
#include "engine/subjects/subject_records.h"

namespace hashtriage::engine::subjects {

namespace {

constexpr std::array<std::string_view, 11> kRiskAttributes = {
    "prior_contact_offence",      "registered_sex_offender", "lives_with_children", "works_with_children",
    "other_access_to_children",   "grooming",                "producing_images",    "prior_criminal_history",
    "bail_breach", "domestic_abuse_or_substance_misuse", "sexual_interest_indicators"};

// Protected characteristics and proxies for them: never recorded, never scored (risk-model.md).
constexpr std::string_view kProtected[] = {
    "ethnicity",   "ethnic_origin",  "ethnic_group",   "race",           "skin_colour",    "skin_color",
    "nationality", "citizenship",    "country_of_birth", "place_of_birth", "immigration_status", "religion",
    "faith",       "belief",         "religious_belief", "postcode",     "post_code",      "postal_code",
    "zip",         "zipcode",        "zip_code",       "address",        "home_address",   "area_of_residence",
    "residence",   "neighbourhood",  "neighborhood",   "first_language", "language",       "sexual_orientation",
    "caste",       "tribe",          "surname_origin", "name_origin"};

std::string Canonical(std::string_view name) {
  std::string out;
  for (char ch : name) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out += (c == ' ' || c == '-') ? '_' : c;
  }
  while (!out.empty() && out.front() == '_') out.erase(out.begin());
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool IsAreaCode(std::string_view v) {
  return !v.empty() && v.size() <= 16 && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

}  // namespace

std::span<const std::string_view> RiskAttributeNames() { return kRiskAttributes; }

Status CheckAttributeName(std::string_view name) {
  const std::string canonical = Canonical(name);
  if (canonical == kAreaAttribute) return Status::Ok();
  if (std::find(kRiskAttributes.begin(), kRiskAttributes.end(), canonical) != kRiskAttributes.end()) {
    return Status::Ok();
  }
  // Whole words: "home_postcode" and "religion_of_partner" are refused; "trace_id" is merely unknown.
  const std::string padded = "_" + canonical + "_";
  for (std::string_view p : kProtected) {
    const bool exact_only = p == "address" || p == "language" || p == "zip" || p == "belief" || p == "residence";
    if (canonical == p || (!exact_only && padded.find("_" + std::string(p) + "_") != std::string::npos)) {
      return Status::InvalidArgument("attribute '" + std::string(name) +
                                     "' is a protected characteristic or a proxy for one: hashtriage never records "
                                     "or uses it");
    }
  }
  std::string valid;
  for (std::string_view n : kRiskAttributes) valid += std::string(n) + ", ";
  valid += std::string(kAreaAttribute);
  return Status::InvalidArgument("unknown attribute '" + std::string(name) + "'; valid names: " + valid);
}

Result<TriState> ParseTriState(std::string_view value) {
  const std::string v = Canonical(value);
  if (v == "yes") return TriState::kYes;
  if (v == "no") return TriState::kNo;
  if (v == "unknown") return TriState::kUnknown;
  return Status::InvalidArgument("value '" + std::string(value) + "' is not yes, no or unknown");
}

std::string_view TriStateName(TriState value) {
  switch (value) {
    case TriState::kYes: return "yes";
    case TriState::kNo: return "no";
    case TriState::kUnknown: return "unknown";
  }
  return "unknown";
}

namespace {

// The canonical name and value of an attribute input, or why it is not valid.
Result<std::pair<std::string, std::string>> CanonicalAttribute(const AttributeInput& input) {
  HT_RETURN_IF_ERROR(CheckAttributeName(input.name));
  std::string name = Canonical(input.name);
  std::string value;
  if (name == kAreaAttribute) {
    if (!IsAreaCode(input.value)) {
      return Status::InvalidArgument("area '" + input.value + "' is not a force/area code (1-16 of A-Z 0-9 - _)");
    }
    value = input.value;
  } else {
    HT_ASSIGN_OR_RETURN(TriState v, ParseTriState(input.value));
    value = std::string(TriStateName(v));
  }
  if (input.source.empty()) return Status::InvalidArgument("attribute " + name + ": a source is required");
  if (input.recorded_by.empty()) return Status::InvalidArgument("attribute " + name + ": who recorded it is required");
  return std::make_pair(std::move(name), std::move(value));
}

}  // namespace

Status ValidateAttribute(const Case& c, const AttributeInput& input) {
  HT_ASSIGN_OR_RETURN(auto canonical, CanonicalAttribute(input));
  (void)canonical;
  SubjectWorkspace work(c);
  return Linker(work).Resolve(input.subject).status();
}

Result<AttributeRecord> StageAttribute(SubjectWorkspace& work, const AttributeInput& input, std::int64_t now) {
  HT_ASSIGN_OR_RETURN(auto canonical, CanonicalAttribute(input));
  AttributeRecord r;
  r.name = std::move(canonical.first);
  r.value = std::move(canonical.second);
  Linker linker(work);
  HT_ASSIGN_OR_RETURN(std::string root, linker.Resolve(input.subject));
  (void)root;  // the subject exists; the record keeps the id as given
  r.subject = input.subject;
  r.source = input.source;
  r.recorded_at = input.recorded_at;
  r.recorded_by = input.recorded_by;
  r.entered_at = now;
  HT_ASSIGN_OR_RETURN(r.seq, work.NextId(kAttributeCounter));
  HT_RETURN_IF_ERROR(work.PutAttribute(r));
  return r;
}

namespace {

// Risk order of values: yes is riskiest, then unknown, then no.
int Riskiness(const std::string& value) { return value == "yes" ? 2 : value == "unknown" ? 1 : 0; }

bool Later(const AttributeRecord& a, const AttributeRecord& b) {
  return std::tie(a.recorded_at, a.seq) > std::tie(b.recorded_at, b.seq);
}

std::int64_t JoinTime(const JoinTimes& joined, const std::string& id) {
  auto it = joined.find(id);
  return it == joined.end() ? 0 : it->second;
}

// The current value of one name from its records (oldest first).
std::optional<CurrentAttribute> CurrentOf(const std::vector<const AttributeRecord*>& records, const JoinTimes& joined) {
  if (records.empty()) return std::nullopt;
  // Each subject id's latest record.
  std::map<std::string, const AttributeRecord*> latest;
  for (const AttributeRecord* r : records) {
    auto& slot = latest[r->subject];
    if (slot == nullptr || Later(*r, *slot)) slot = r;
  }
  // A record entered once two ids were one subject was entered knowing both: it supersedes the other
  // id's older entries.
  std::vector<const AttributeRecord*> standing;
  for (const auto& [id, r] : latest) {
    bool superseded = false;
    for (const auto& [other_id, other] : latest) {
      if (other_id == id) continue;
      const std::int64_t together = std::max(JoinTime(joined, id), JoinTime(joined, other_id));
      if (other->entered_at >= together && std::tie(other->entered_at, other->seq) > std::tie(r->entered_at, r->seq) &&
          together > 0) {
        superseded = true;
      }
    }
    if (!superseded) standing.push_back(r);
  }
  CurrentAttribute current;
  const AttributeRecord* newest = standing.front();
  for (const AttributeRecord* r : standing) {
    if (Later(*r, *newest)) newest = r;
  }
  bool yes = false, no = false;
  for (const AttributeRecord* r : standing) {
    yes = yes || r->value == "yes";
    no = no || r->value == "no";
  }
  if (yes && no) {
    const AttributeRecord* riskiest = standing.front();
    for (const AttributeRecord* r : standing) {
      if (Riskiness(r->value) > Riskiness(riskiest->value) ||
          (Riskiness(r->value) == Riskiness(riskiest->value) && Later(*r, *riskiest))) {
        riskiest = r;
      }
    }
    current.record = *riskiest;
    for (const AttributeRecord* r : standing) current.conflicting.push_back(*r);
    return current;
  }
  current.record = *newest;
  return current;
}

}  // namespace

std::vector<CurrentAttribute> CurrentAttributes(const std::vector<AttributeRecord>& history, const JoinTimes& joined) {
  std::vector<CurrentAttribute> out;
  auto add = [&](std::string_view name) {
    std::vector<const AttributeRecord*> records;
    for (const auto& r : history) {
      if (r.name == name) records.push_back(&r);
    }
    if (name == kAreaAttribute) {
      // Routing only: the latest wins, never a conflict.
      const AttributeRecord* found = nullptr;
      for (const AttributeRecord* r : records) {
        if (found == nullptr || Later(*r, *found)) found = r;
      }
      if (found != nullptr) out.push_back(CurrentAttribute{*found, {}});
      return;
    }
    if (auto current = CurrentOf(records, joined)) out.push_back(std::move(*current));
  };
  for (std::string_view name : kRiskAttributes) add(name);
  add(kAreaAttribute);
  return out;
}

}  // namespace hashtriage::engine::subjects

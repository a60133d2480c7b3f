#include "engine/subjects/attributes.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "engine/record_codec.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/subject_records.h"

namespace hashtriage::engine::subjects {

namespace {

using Json = nlohmann::json;

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

std::string SubjectPrefix(std::string_view subject) { return std::string(subject) + '\0'; }

AttributeRecord FromJson(std::string_view key, const Json& j) {
  AttributeRecord r;
  r.key = std::string(key);
  r.subject = StringField(j, "subject");
  r.name = StringField(j, "name");
  r.value = StringField(j, "value");
  r.source = StringField(j, "source");
  r.recorded_at = IntField(j, "recorded_at");
  r.recorded_by = StringField(j, "recorded_by");
  r.entered_at = IntField(j, "entered_at");
  r.seq = static_cast<std::uint64_t>(IntField(j, "seq"));
  return r;
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

Result<AttributeRecord> StageAttribute(RecordCache& cache, const AttributeInput& input, std::int64_t now) {
  HT_RETURN_IF_ERROR(CheckAttributeName(input.name));
  AttributeRecord r;
  r.name = Canonical(input.name);
  if (r.name == kAreaAttribute) {
    if (!IsAreaCode(input.value)) {
      return Status::InvalidArgument("area '" + input.value + "' is not a force/area code (1-16 of A-Z 0-9 - _)");
    }
    r.value = input.value;
  } else {
    HT_ASSIGN_OR_RETURN(TriState v, ParseTriState(input.value));
    r.value = std::string(TriStateName(v));
  }
  if (input.source.empty()) return Status::InvalidArgument("attribute " + r.name + ": a source is required");
  if (input.recorded_by.empty()) return Status::InvalidArgument("attribute " + r.name + ": who recorded it is required");
  Linker linker(cache);
  HT_ASSIGN_OR_RETURN(std::string root, linker.Resolve(input.subject));
  (void)root;  // the subject exists; the record keeps the id as given
  r.subject = input.subject;
  r.source = input.source;
  r.recorded_at = input.recorded_at;
  r.recorded_by = input.recorded_by;
  r.entered_at = now;
  HT_ASSIGN_OR_RETURN(r.seq, cache.NextId(kAttributeCounter));
  r.key = SubjectPrefix(r.subject) + EncodeU64(r.seq);
  cache.Put(Table::kAttributes, r.key,
            Json{{"subject", r.subject}, {"name", r.name}, {"value", r.value}, {"source", r.source},
                 {"recorded_at", r.recorded_at}, {"recorded_by", r.recorded_by}, {"entered_at", r.entered_at},
                 {"seq", r.seq}});
  return r;
}

Result<std::vector<AttributeRecord>> AttributeHistory(const CaseStore& store, const std::vector<std::string>& subject_ids) {
  std::vector<AttributeRecord> out;
  Status bad;
  for (const std::string& id : subject_ids) {
    HT_RETURN_IF_ERROR(store.Scan(Table::kAttributes, SubjectPrefix(id), [&](std::string_view key, std::string_view value) {
      auto j = DecodeRecord(value);
      if (!j.ok()) {
        bad = j.status();
        return false;
      }
      out.push_back(FromJson(key, *j));
      return true;
    }));
    HT_RETURN_IF_ERROR(bad);
  }
  std::sort(out.begin(), out.end(), [](const AttributeRecord& a, const AttributeRecord& b) {
    return std::tie(a.recorded_at, a.seq) < std::tie(b.recorded_at, b.seq);
  });
  return out;
}

std::vector<AttributeRecord> CurrentAttributes(const std::vector<AttributeRecord>& history) {
  std::vector<AttributeRecord> out;
  auto latest = [&](std::string_view name) {
    const AttributeRecord* found = nullptr;
    for (const auto& r : history) {
      if (r.name == name) found = &r;  // history is oldest first
    }
    if (found) out.push_back(*found);
  };
  for (std::string_view name : kRiskAttributes) latest(name);
  latest(kAreaAttribute);
  return out;
}

}  // namespace hashtriage::engine::subjects

// Subject attributes: the risk attributes of the risk model (yes / no / unknown) and the routing area
// code, each recorded with its source, date and who recorded it. History is kept: a new value is a new
// record, never an overwrite. The current value is the latest by recorded_at (then by entry order) —
// unless subjects that were merged disagree: then both values are kept with their sources, the
// riskier one is used until a person records the value again after the merge, and the disagreement is
// reported so a research task can be opened. Names outside the schema are rejected with the list of
// valid names; protected characteristics and their proxies (ethnicity, religion, postcode...) are
// refused outright. Pure functions plus staging through a SubjectWorkspace; one writer at a time.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/case/subject_store.h"
#include "engine/subject_profile.h"
#include "engine/subjects/subject_workspace.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

// The risk-model attribute names, in the model's order.
std::span<const std::string_view> RiskAttributeNames();
// The force/area code used to route a subject's work. Shown, never scored.
inline constexpr std::string_view kAreaAttribute = "area";

// OK for a risk attribute or "area". InvalidArgument naming the valid names for anything else, with a
// specific refusal for protected characteristics and their proxies.
Status CheckAttributeName(std::string_view name);
// "yes", "no", "unknown" (any case).
Result<TriState> ParseTriState(std::string_view value);
std::string_view TriStateName(TriState value);

struct AttributeInput {
  std::string subject;      // subject id as given (must exist; merged ids are accepted)
  std::string name;
  std::string value;
  std::string source;       // required: where the fact comes from ("PNC", "social services check")
  std::int64_t recorded_at = 0;  // when the fact was established (Unix seconds UTC)
  std::string recorded_by;  // required
};

// Checks an attribute as StageAttribute would (name, value, source, who, the subject exists) without
// staging anything.
Status ValidateAttribute(const Case& case_store, const AttributeInput& input);

// Validates and stages one attribute record in `work` (flush and commit to store it).
Result<AttributeRecord> StageAttribute(SubjectWorkspace& work, const AttributeInput& input, std::int64_t now);

// The value of one attribute now, with the disagreement behind it if any.
struct CurrentAttribute {
  AttributeRecord record;  // the value that counts (the riskier one while in conflict)
  // Non-empty when merged subjects hold different values that nobody has reconciled since they were
  // merged: each subject id's latest record, in id order.
  std::vector<AttributeRecord> conflicting;
};

// When each subject id became part of the subject (0 for the root; a merged id's merge time).
using JoinTimes = std::map<std::string, std::int64_t>;

// The current value per name, in RiskAttributeNames order then "area". `history` is every record of
// the subject's ids, oldest first (SubjectStore::Attributes).
std::vector<CurrentAttribute> CurrentAttributes(const std::vector<AttributeRecord>& history, const JoinTimes& joined);

}  // namespace hashtriage::engine::subjects

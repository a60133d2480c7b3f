// Subject attributes: the risk attributes of ../shared/docs/risk-model.md (yes / no / unknown) and the
// routing area code, each recorded with its source, date and who recorded it. History is kept: a new
// value is a new record, never an overwrite; the current value is the latest by recorded_at (then by
// entry order). Names outside the schema are rejected with the list of valid names; protected
// characteristics and their proxies (ethnicity, religion, postcode...) are refused outright.
// Pure functions plus record I/O through the case store; one writer at a time.
//
// Persistent format (Table::kAttributes, key "<subject id>\0<seq u64 BE>"):
// {subject, name, value ("yes"|"no"|"unknown", or the area code), source, recorded_at, recorded_by,
//  entered_at, seq}
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/case_store.h"
#include "engine/subject_profile.h"
#include "engine/subjects/record_cache.h"
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

struct AttributeRecord {
  std::string key;          // Table::kAttributes key
  std::string subject;
  std::string name;
  std::string value;        // canonical: "yes" / "no" / "unknown", or the area code
  std::string source;
  std::int64_t recorded_at = 0;
  std::string recorded_by;
  std::int64_t entered_at = 0;  // the command's --now
  std::uint64_t seq = 0;
};

// Validates and stages one attribute record in `cache` (flush to store it).
Result<AttributeRecord> StageAttribute(RecordCache& cache, const AttributeInput& input, std::int64_t now);

// Every attribute record of the given subject ids, oldest first (recorded_at, then seq).
Result<std::vector<AttributeRecord>> AttributeHistory(const CaseStore& store, const std::vector<std::string>& subject_ids);

// The current value per name (latest record), in RiskAttributeNames order then "area".
std::vector<AttributeRecord> CurrentAttributes(const std::vector<AttributeRecord>& history);

}  // namespace hashtriage::engine::subjects

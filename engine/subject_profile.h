// SubjectProfile: everything the risk model may use about one subject (a person), assembled from the
// case store by the subjects module (LoadSubjectProfile, engine/subject_store.h) and consumed by the
// risk model and queue (engine/risk/). Plain value; safe to copy between threads.
// Protected or proxy attributes (ethnicity, nationality, religion, postcode/area...) never appear
// here: the area code is carried for routing only and is never an input to a score.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/matching/hit.h"
#include "index/category.h"

namespace hashtriage::engine {

// Persistent format (stored in attribute records). Append only.
enum class TriState : std::uint8_t { kUnknown = 0, kYes = 1, kNo = 2 };

// One value of an attribute as recorded: what, where from, when, by whom, on which subject id.
struct AttributeSource {
  TriState value = TriState::kUnknown;
  std::string source;        // e.g. "PNC", "social services check", "referral 42"
  std::int64_t recorded_at = 0;  // Unix seconds UTC
  std::string recorded_by;
  std::string subject;       // the subject id it was recorded on
  std::string ref;           // "attribute #42": the record, for people to quote
};

// The current value of one risk attribute, with where it came from.
struct AttributeValue {
  std::string name;          // one of the names in the risk model, e.g. "lives_with_children"
  TriState value = TriState::kUnknown;
  std::string source;
  std::int64_t recorded_at = 0;
  std::string recorded_by;
  std::string ref;           // "attribute #42"
  // Merged subjects disagree and nobody has reconciled them: every standing value with its source.
  // `value` is then the riskier one.
  std::vector<AttributeSource> conflicting;
};

// One known-image match that counts for the subject.
struct HitEvidence {
  index::Category category = index::Category::kUnknown;
  MatchKind kind = MatchKind::kMd5;
  std::string set;        // hash set name
  int distance = 0;       // PDQ distance, 0 for exact
  std::string source;     // "referral:<id>" or "scan:<evidence number>:<provenance path>"
  std::string content;    // content key (MD5/SHA-1 hex or PDQ) so the same image counts once
};

struct SubjectProfile {
  std::string subject_id;
  std::string display_name;
  std::string area;  // force/area code for routing; never scored
  std::vector<AttributeValue> attributes;  // latest value per attribute name present
  std::vector<HitEvidence> hits;           // distinct known images matched (by content), all sources
  std::uint64_t distribution_events = 0;   // uploads / offers to share seen in referrals
  std::vector<std::string> referral_ids;
  std::vector<std::uint32_t> evidence_numbers;  // scans attached with `scan --subject`
  // Subject ids merged into this one (their queue entries are closed; deadlines pass to this one).
  std::vector<std::string> merged_ids;
  bool escalate_to_high_priority = false;  // any referral flagged escalateToHighPriority
  bool possible_self_production = false;   // any referral file annotated possibleSelfProduction
  // Earliest --now of an intake or scan that gave the subject a referral or hit.
  std::optional<std::int64_t> first_activity;
  // Latest such time (re-scoring and "new intelligence" reporting).
  std::optional<std::int64_t> last_activity;
};

// The latest value of attribute `name` the profile holds (the latest record wins if a name repeats);
// nullptr when none.
inline const AttributeValue* LatestAttribute(const SubjectProfile& profile, std::string_view name) {
  const AttributeValue* found = nullptr;
  for (const auto& a : profile.attributes) {
    if (a.name == name && (found == nullptr || a.recorded_at >= found->recorded_at)) found = &a;
  }
  return found;
}
// Its value: unknown when none is recorded.
inline TriState LatestValue(const SubjectProfile& profile, std::string_view name) {
  const AttributeValue* v = LatestAttribute(profile, name);
  return v == nullptr ? TriState::kUnknown : v->value;
}

}  // namespace hashtriage::engine

// Assessment: one subject scored by the model at one time: the score, the band the model gives,
// the urgency flags, every contributing factor with its points and the evidence behind it (which
// attribute record, which hits), and the "research needed" tasks for unknown attributes.
// Assess() is a pure function of (profile, model, now); the JSON form is what the case stores.
// Plain values; safe to copy between threads.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/risk/outlook.h"
#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

// One piece of evidence behind a factor or flag.
struct FactorEvidence {
  std::string kind;    // "attribute", "hit", "referral"
  std::string ref;     // attribute record key, hit source ("scan:3:DCIM/a.jpg"), referral id
  std::string detail;  // human-readable: "yes (PNC, by DC Ash, 2026-11-20)", "A md5 set 'caid'"
};

struct FactorContribution {
  std::string id;      // attribute name or hit factor id ("volume", "distribution")
  std::string label;
  std::string basis;
  int points = 0;
  std::uint64_t count = 0;  // images / events counted (evidence factors)
  std::vector<FactorEvidence> evidence;  // at most kMaxEvidencePerFactor listed
};
inline constexpr std::size_t kMaxEvidencePerFactor = 25;

struct UrgencyFlag {
  std::string id;
  std::string label;
  std::vector<FactorEvidence> evidence;
};

// An attribute the model reads whose value is unknown ("unknown — research needed"), or whose value is
// in conflict after a merge (the merged subjects disagree: `conflict` says how).
struct ResearchTask {
  std::string attribute;
  std::string label;
  bool access_to_children = false;
  std::string conflict;  // "" for an unknown value
};

struct Assessment {
  std::string subject_id;
  std::int64_t assessed_at = 0;   // Unix seconds (the command's --now)
  int score = 0;
  Band score_band = Band::kLow;   // the band of the score alone
  Band model_band = Band::kLow;   // after urgency flags and the unknown-access floor
  std::vector<UrgencyFlag> urgency;
  std::vector<FactorContribution> factors;  // points > 0, highest first
  std::vector<ResearchTask> research;
  bool access_unknown = false;
  std::string floor_reason;       // non-empty when the model band was raised above score_band
  Outlook outlook;                // what the unknown attributes could add (orders within a band)
  std::array<std::uint64_t, index::kCategoryCount> hits_by_category{};  // distinct images
  std::uint64_t referrals = 0;
  std::uint64_t distribution_events = 0;
  std::string model_name;
  std::string model_sha256;
};

// Scores one subject. Pure.
Assessment Assess(const SubjectProfile& profile, const RiskModel& model, std::int64_t now);

// What differs between two assessments of the same subject, for the band-change record:
// "+ lives_with_children (25), - volume (2 -> 4), + urgency grooming_with_access". "" when nothing.
std::string ExplainChange(const Assessment& before, const Assessment& after);

// True when the two would read the same to a reviewer (score, bands, flags, factors, research, model).
bool SameOutcome(const Assessment& a, const Assessment& b);

nlohmann::json AssessmentToJson(const Assessment& a);
Result<Assessment> AssessmentFromJson(const nlohmann::json& j);

// "A:3 B:0 C:1 ..." style counts of indecent categories, for tables.
std::string HitCountsText(const Assessment& a);
// The top `n` factors as "label (+points)", joined with "; ".
std::string TopFactorsText(const Assessment& a, std::size_t n);

}  // namespace hashtriage::engine::risk

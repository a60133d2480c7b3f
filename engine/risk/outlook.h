// Outlook: what the attributes still unknown could do to a subject's risk, so the queue can order by
// what is known *and* by what is not yet known (bench/RESULTS.md "## queue-load"). Each unknown
// attribute is taken as "yes" with the model's prevalence for it (AttributeFactor::prevalence: the
// share of comparable subjects found to have it), independently of the others; over every
// combination of the unknown values the outlook gives the expected score and the probability that
// the band, once they are known, is High or above (urgency rules included). Advisory like the rest:
// the band itself never moves for an unknown (it only ever floors: unknown access is kept out of
// Low); the outlook orders subjects within their band and explains itself per attribute ("access
// to children: unknown, would add +25; 30% of comparable subjects had it"). Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"

namespace hashtriage::engine::risk {

// One attribute whose value is unknown and whose "yes" would add points or could fire an urgency rule.
struct UnknownFactor {
  std::string attribute;
  std::string label;
  int points = 0;           // what "yes" would add to the score
  double prevalence = 0;    // the model's share of comparable subjects with "yes"
  bool access_to_children = false;
  friend bool operator==(const UnknownFactor&, const UnknownFactor&) = default;
};

struct Outlook {
  std::vector<UnknownFactor> unknowns;  // highest prevalence x points first
  double expected_score = 0;            // score + sum of prevalence x points
  double p_high = 0;                    // probability the band is High or Very High once known
  bool approximate = false;             // more unknowns than are enumerated: the rest at expectation
  friend bool operator==(const Outlook&, const Outlook&) = default;
};

// At most this many unknown attributes are enumerated (2^n combinations); beyond them, the ones with
// the least weight count at their expected points.
inline constexpr std::size_t kMaxEnumeratedUnknowns = 10;

// `known_score`: the subject's score from what is known (Assessment::score); `urgent_now`: an urgency
// rule fires already.
Outlook EstimateOutlook(const SubjectProfile& profile, const RiskModel& model, int known_score, bool urgent_now);

// "Lives with children: unknown, would add +25; 30% of comparable subjects had it" (one per
// unknown), joined with "; ".
std::string OutlookText(const Outlook& outlook);
// "38% likely High once known: Lives with children +25 (30% had it); ..." naming the first
// `max_unknowns` unknowns (and how many more).
std::string OutlookSummary(const Outlook& outlook, std::size_t max_unknowns);

}  // namespace hashtriage::engine::risk

// QueueEntry and Decision: a subject's standing in the prioritised queue (entered date, deadline,
// model band and effective band, a human override, a flag for the reviewer, open/closed) and the
// recorded human decisions that are the only way anything leaves the queue. Plain values with their
// JSON form (what the queue store keeps and --json prints); safe to copy between threads.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/risk/risk_model.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

// Persistent format. Never renumber.
enum class EntryStatus : std::uint8_t { kOpen = 0, kClosed = 1 };
enum class Outcome : std::uint8_t { kKeep = 0, kInvestigate = 1, kNoFurtherAction = 2 };

// "keep", "investigate", "no-further-action".
std::string_view OutcomeName(Outcome outcome);
std::optional<Outcome> ParseOutcome(std::string_view text);

// A human's band for the subject. Shown beside the model's band; never reverted by re-scoring.
struct BandOverride {
  Band band = Band::kLow;
  std::string reason;
  std::string by;
  std::int64_t at = 0;
  Band model_band_at_override = Band::kLow;  // what the model said when the human decided
  std::uint64_t decision_id = 0;
};

// Set when a re-score disagrees with a human override: the reviewer is asked to look again.
struct ReviewFlag {
  std::int64_t at = 0;
  Band model_band = Band::kLow;  // the model's band now
  std::string why;
};

struct QueueEntry {
  std::string subject_id;
  EntryStatus status = EntryStatus::kOpen;
  int episode = 1;                 // 1, then +1 each time new intelligence re-opens a closed entry
  std::int64_t entered_at = 0;     // when this episode entered the queue (Unix seconds)
  std::int64_t deadline = 0;       // never moves later within an episode
  Band model_band = Band::kLow;    // the latest assessment's band
  Band band = Band::kLow;          // effective band: the override's, else the model's
  int score = 0;
  // Per mille: the probability that the band is High or above once the unknown attributes are known
  // (the latest assessment's Outlook::p_high). Orders subjects within a band (QueueBefore).
  int likely_high = 0;
  std::optional<BandOverride> override_band;
  std::optional<ReviewFlag> review_flag;
  std::string owner;               // set with review --assign
  std::string display_name;        // from the subject, for people reading the queue
  std::string area;                // force/area code, for routing and `export --area` only; never scored
  std::uint64_t dip_sampled = 0;   // times drawn by the daily dip-sample
  // The subject's intelligence at the last update, and at the last close (a later referral or hit
  // re-opens a closed entry).
  std::uint64_t referrals = 0;
  std::uint64_t hits = 0;
  std::int64_t last_activity = 0;
  std::uint64_t referrals_at_close = 0;
  std::uint64_t hits_at_close = 0;
  std::int64_t last_activity_at_close = 0;
  // Closing decision (status kClosed).
  std::int64_t closed_at = 0;
  std::string closed_outcome;
  std::uint64_t closed_decision = 0;

  bool open() const { return status == EntryStatus::kOpen; }
  bool overdue(std::int64_t now) const { return open() && now > deadline; }
};

// One recorded review.
struct Decision {
  std::uint64_t id = 0;
  std::string subject_id;
  Outcome outcome = Outcome::kKeep;
  std::optional<Band> band;        // a band override (keep)
  bool clear_override = false;     // keep --band model: back to the model's band
  std::string reason;
  std::string by;
  std::string assign;              // new owner, if any
  std::int64_t at = 0;
  Band model_band = Band::kLow;    // the model's band when decided
  Band band_before = Band::kLow;   // the effective band before the decision
  std::string dip_sample;          // the dip-sample draw this review answers ("" if none)
};

nlohmann::json QueueEntryToJson(const QueueEntry& e);
Result<QueueEntry> QueueEntryFromJson(const nlohmann::json& j);
nlohmann::json DecisionToJson(const Decision& d);
Result<Decision> DecisionFromJson(const nlohmann::json& j);

}  // namespace hashtriage::engine::risk

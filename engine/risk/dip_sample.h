// The daily dip-sample: a reproducible weighted random sample of open Medium and Low queue entries
// for a human to re-grade, so lower bands are looked at every day. The same date and the same
// queue state always give the same sample: each candidate's random number is a hash of (date,
// subject), and its weight grows with its days in the queue (older first). Sampling without
// replacement by exponential keys (Efraimidis & Spirakis 2006: the k smallest -ln(u)/w).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "engine/risk/queue_entry.h"
#include "engine/risk/risk_model.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

struct DipSampleOptions {
  // Subjects drawn. Default: 5.
  std::size_t size = 5;
  // Weight of a candidate = 1 + age_weight_per_day * whole days in the queue on the sample date.
  // Default: 1.0 (a 29-day-old case is 30 times as likely as one that entered today).
  double age_weight_per_day = 1.0;
};

struct DipSampleItem {
  std::string subject_id;
  Band band = Band::kLow;        // effective band when drawn
  Band model_band = Band::kLow;
  std::int64_t entered_at = 0;
  std::int64_t days_in_queue = 0;
};

struct DipSampleDraw {
  std::string date;              // "YYYY-MM-DD"
  std::uint64_t draw = 1;        // 1 for the day's first draw; a changed queue may draw again
  std::int64_t drawn_at = 0;
  std::size_t requested = 0;
  std::size_t candidates = 0;    // open Medium/Low entries at the time
  std::string state_sha256;      // digest of the candidate list (subject, band, entered) drawn from
  std::vector<DipSampleItem> items;  // in draw order
  std::string key() const;       // "YYYY-MM-DD#N"
};

// Draws from the open Medium/Low entries of `entries` (others are ignored) for `date`
// ("YYYY-MM-DD"; its midnight UTC is when ages are measured). Deterministic.
DipSampleDraw DrawDipSample(const std::vector<QueueEntry>& entries, const std::string& date,
                            const DipSampleOptions& options);

// What came of a draw: decisions recorded against it (Decision::dip_sample == draw.key()).
struct DipSampleSummary {
  std::string key;
  std::size_t sampled = 0;
  std::size_t reviewed = 0;      // subjects with at least one decision answering the draw
  std::size_t regraded_up = 0;   // a band override above the band when drawn
  std::size_t regraded_down = 0; // a band override below it
  std::size_t unchanged = 0;     // kept at (or confirmed) the same band
  std::size_t investigated = 0;  // sent straight to investigation
  std::size_t closed_nfa = 0;    // no further action
  // Each reviewed subject's outcome in words ("investigate", "no further action", "re-graded up to
  // High", "re-graded down to Low", "unchanged (Medium)"); subjects not yet reviewed are absent.
  std::map<std::string, std::string> outcomes;
};
DipSampleSummary SummariseDipSample(const DipSampleDraw& draw, const std::vector<Decision>& decisions);

// The dip-sample report over a period: every draw dated `from`..`to` (inclusive, "YYYY-MM-DD"; "" leaves
// that end open) with what came of it, in date order, and the total over them (key "total").
struct DipSampleReport {
  std::vector<std::pair<DipSampleDraw, DipSampleSummary>> draws;
  DipSampleSummary total;
};
DipSampleReport ReportDipSamples(const std::vector<DipSampleDraw>& draws, const std::vector<Decision>& decisions,
                                 const std::string& from, const std::string& to);

nlohmann::json DipSampleToJson(const DipSampleDraw& draw);
Result<DipSampleDraw> DipSampleFromJson(const nlohmann::json& j);
nlohmann::json DipSummaryToJson(const DipSampleSummary& s);

}  // namespace hashtriage::engine::risk

// Capacity forecast: simulates working the queue in its own order (QueueBefore, with overdue cases
// escalating as the model says) at a fixed number
// of cases per day, with new cases arriving at the observed rate per band, and reports per band the
// projected deadline breaches and the longest wait, plus the smallest capacity that meets every
// deadline still meetable. For managers: a shortfall is shown, not hidden. Deterministic (arrivals
// are spread evenly, not drawn at random). Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/risk/queue_entry.h"
#include "engine/risk/risk_model.h"

namespace hashtriage::engine::risk {

struct ForecastOptions {
  // Cases the team closes per day. Must be > 0.
  double capacity_per_day = 10;
  // Days simulated from now. Default: 90.
  int days = 90;
  // New cases per day by band (index: Band). Default: none; see ObservedIntake.
  std::array<double, kBandCount> intake_per_day{};
  // Research will settle access to children: of the Medium cases held out of Low only because it is
  // unknown (and of the new ones, at the share seen in the last 28 days), the model's chance that
  // every access attribute is "no" are planned as Low (ExpectResearch). Default: true.
  bool expect_research = true;
};

// `entries` with the expected share of the cases held out of Low by unknown access to children
// (open, Medium, score below Medium's, no override) planned as Low with Low's deadline: the model's
// chance of no access (the product of 1 - prevalence over the access attributes), spread evenly over
// them oldest first (every case whose running share reaches a whole one).
struct ExpectedResearch {
  std::vector<QueueEntry> entries;  // as given, the planned ones now Low
  std::size_t held_out_of_low = 0;
  std::size_t planned_as_low = 0;
  double no_access_chance = 0;
};
ExpectedResearch ExpectResearch(const std::vector<QueueEntry>& entries, const RiskModel& model);

// Intake per band per day: entries that entered the queue in the last `window_days` before `now`
// (or since the first entry, when the case is younger), by their current band.
std::array<double, kBandCount> ObservedIntake(const std::vector<QueueEntry>& entries, std::int64_t now,
                                              int window_days);

struct BandForecast {
  Band band = Band::kLow;
  std::size_t open_now = 0;
  std::size_t overdue_now = 0;     // due now or earlier: breached whatever the capacity
  std::size_t arriving = 0;        // new cases over the horizon
  std::size_t worked = 0;
  std::size_t breaches = 0;        // deadlines still meetable now that the plan misses
  std::size_t waiting_at_end = 0;
  double max_wait_days = 0;        // longest wait (worked, or still waiting at the end)
  double median_wait_days = 0;     // of the cases worked
};

struct Forecast {
  std::int64_t start = 0;
  double capacity_per_day = 0;
  int days = 0;
  std::array<double, kBandCount> intake_per_day{};
  std::vector<BandForecast> bands;  // Very High first
  std::size_t breaches = 0;
  std::size_t overdue_now = 0;
  // ForecastOptions::expect_research: open cases held out of Low by unknown access, those planned as
  // Low, and the chance of no access used.
  std::size_t held_out_of_low = 0;
  std::size_t expected_low = 0;
  double no_access_chance = 0;
  // Smallest whole number of cases per day with no breach of a deadline still meetable, backlog
  // included (capacity_found = false, and 0, when no capacity can: a deadline shorter than a day).
  double required_capacity = 0;
  bool capacity_found = true;
  // The same for the new cases alone, as if the backlog were cleared separately: the capacity that
  // keeps up with intake.
  double intake_capacity = 0;
  // Of the breaches, those of cases that look High or above: band High+, or likely_high >=
  // kLikelyHighPerMille (outlook.h) once researched; and the smallest whole capacity with none of those.
  std::size_t likely_high_breaches = 0;
  double likely_high_capacity = 0;
};
inline constexpr int kLikelyHighPerMille = 500;

// Simulates only (no capacity search). Each day new cases arrive at its start, then the team works
// through the day in queue order: the k-th case of a day at capacity c is done at min(k/c, 1) of it.
Forecast SimulateQueue(const std::vector<QueueEntry>& entries, std::int64_t now, const ForecastOptions& options,
                       const RiskModel& model);
// Simulates and searches the capacity that meets every deadline still meetable.
Forecast ForecastCapacity(const std::vector<QueueEntry>& entries, std::int64_t now, const ForecastOptions& options,
                          const RiskModel& model);

// The forecast of a case's queue, as `forecast` and `serve` give it: capacity per day, days
// simulated, intake observed over the last `window_days` — or, when `intake_total_per_day` is given,
// that total in the observed mix of bands (all Medium when nothing was observed).
struct CaseForecastRequest {
  double capacity_per_day = 10;
  int days = 90;
  int window_days = 28;
  std::optional<double> intake_total_per_day;
};
Result<Forecast> ForecastCase(const Case& case_store, std::int64_t now, const CaseForecastRequest& request);

std::string ForecastText(const Forecast& f);
nlohmann::json ForecastToJson(const Forecast& f);

}  // namespace hashtriage::engine::risk

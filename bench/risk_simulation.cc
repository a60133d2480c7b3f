// risk_simulation: does hashtriage's queue reach the truly high-risk subjects in time, compared with
// FIFO and with "high-risk only" (today's practice: lower bands never worked)?
//
// Generator: a synthetic population (default 400 new subjects a month for 12 months) with attributes
// drawn at plausible prevalences, known-image hits, referral flags, and a hidden "true contact risk"
// = the default model's points for the TRUE attributes + Gaussian noise (urgency facts force Very
// High). What the model sees is incomplete: police-record facts are known at intake, access to
// children and the rest arrive by research after a few days or never (then they stay "unknown").
// Simulator: investigators work the queue at a fixed capacity (cases/day) under each policy; the
// analyst's daily dip-sample (hashtriage only) re-grades a few Medium/Low subjects, seeing the true
// band with some probability. The hashtriage policy runs the real model (Assess), queue rules
// (ApplyAssessment, ApplyDecision, SortQueue), dip-sample (DrawDipSample) and forecast functions.
// Deterministic: its own seeded generator (splitmix64), no std distributions.
//
//   risk_simulation [--seed N] [--months 12] [--per-month 400] [--capacity 8,10,12,14,16] [--noise 8]
//                   [--dip-size 5] [--dip-accuracy 0.8] [--research-days 3] [--check]
// --check exits 1 unless the acceptance claims hold (see CheckClaims).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/sim_population.h"
#include "bench/sim_rng.h"
#include "engine/risk/assessment.h"
#include "engine/risk/dip_sample.h"
#include "engine/risk/forecast.h"
#include "engine/risk/queue_rules.h"
#include "engine/risk/rescore.h"
#include "engine/time_util.h"

namespace hashtriage::bench {
namespace {

using engine::SubjectProfile;
using engine::TriState;
using namespace engine::risk;

constexpr std::int64_t kDay = kSimDay;
constexpr std::int64_t kStart = kSimStart;

using Rng = SimRng;

// How often an attribute is true, and how (and whether) the analyst learns it before investigation.
struct AttributeSpec {
  const char* name;
  double prevalence;
  double known_at_intake;  // probability the referral or a records check gives it on day 0
  double researched;       // otherwise, probability research finds it (after Geometric(research days))
};
constexpr AttributeSpec kAttributes[] = {
    {"prior_contact_offence", 0.04, 0.90, 0.50},  // PNC
    {"registered_sex_offender", 0.03, 0.95, 0.50},
    {"lives_with_children", 0.30, 0.00, 0.90},    // research: housing, council, social services
    {"works_with_children", 0.05, 0.00, 0.85},
    {"other_access_to_children", 0.20, 0.00, 0.70},
    {"grooming", 0.06, 0.50, 0.20},               // chat in the referral, else found later
    {"producing_images", 0.03, 0.30, 0.20},
    {"prior_criminal_history", 0.25, 0.95, 0.50},
    {"bail_breach", 0.04, 0.90, 0.50},
    {"domestic_abuse_or_substance_misuse", 0.12, 0.00, 0.70},
    {"sexual_interest_indicators", 0.25, 0.50, 0.20},
    {"contact_with_child", 0.01, 0.00, 0.50},
};

struct Options {
  std::uint64_t seed = 20261122;
  int months = 12;
  int per_month = 400;
  std::vector<double> capacities = {8, 10, 12, 13, 14, 16};
  double noise = 8;
  std::size_t dip_size = 5;
  double dip_accuracy = 0.8;
  double research_days = 3;
  bool check = false;
  int escalate_days = -1;  // -1: the model's escalate_overdue_every_days
};

struct Reveal {
  int day;
  std::size_t attribute;  // index into kAttributes
};

struct TrueSubject {
  std::string id;
  int arrival = 0;
  std::array<bool, std::size(kAttributes)> truth{};
  SubjectProfile referral;      // what the referral itself shows (hits, flags, no attributes)
  std::vector<Reveal> reveals;  // when the analyst learns each attribute (sorted by day)
  double true_score = 0;
  Band true_band = Band::kLow;
};

std::vector<TrueSubject> Generate(const Options& o, const RiskModel& model) {
  Rng rng(o.seed);
  std::vector<TrueSubject> out;
  const int days = o.months * 365 / 12;
  const double per_day = o.per_month * 12.0 / 365.0;
  for (int day = 0; day < days; ++day) {
    const int n = rng.Poisson(per_day);
    for (int k = 0; k < n; ++k) {
      TrueSubject s;
      s.id = fmt::format("P{:05}", out.size() + 1);
      s.arrival = day;
      for (std::size_t a = 0; a < std::size(kAttributes); ++a) s.truth[a] = rng.Chance(kAttributes[a].prevalence);
      if (s.truth[0] && rng.Chance(0.5)) s.truth[1] = true;  // many prior contact offenders are registered
      s.referral = DrawReferral(rng, s.id, day);
      const SubjectProfile& p = s.referral;
      // The truth, scored by the same model with every attribute known, plus noise.
      SubjectProfile full = p;
      for (std::size_t a = 0; a < std::size(kAttributes); ++a) {
        full.attributes.push_back({kAttributes[a].name, s.truth[a] ? TriState::kYes : TriState::kNo, "truth", 0, "", ""});
      }
      const Assessment truth = Assess(full, model, kStart);
      s.true_score = truth.score + o.noise * rng.Normal();
      s.true_band = truth.urgency.empty() ? model.BandForScore(static_cast<int>(std::lround(s.true_score))) : Band::kVeryHigh;
      for (std::size_t a = 0; a < std::size(kAttributes); ++a) {
        if (rng.Chance(kAttributes[a].known_at_intake)) {
          s.reveals.push_back({day, a});
        } else if (rng.Chance(kAttributes[a].researched)) {
          s.reveals.push_back({day + 1 + rng.Geometric(o.research_days), a});
        }
      }
      std::sort(s.reveals.begin(), s.reveals.end(), [](const Reveal& x, const Reveal& y) { return x.day < y.day; });
      out.push_back(std::move(s));
    }
  }
  return out;
}

enum class Policy { kFifo, kHighRiskOnly, kHashtriage };
const char* PolicyName(Policy p) {
  return p == Policy::kFifo ? "FIFO" : p == Policy::kHighRiskOnly ? "high-risk only" : "hashtriage";
}

struct SimOutcome {
  std::vector<int> worked_day;           // -1: never
  std::vector<std::int64_t> deadline;    // band deadline (entered + band days) at work / at the end
  std::size_t dip_reviews = 0;
  std::size_t dip_regraded_up = 0;
  std::optional<Forecast> forecast;      // hashtriage's own forecast at mid-year
};

SimOutcome Simulate(const std::vector<TrueSubject>& population, const Options& o, const RiskModel& model, Policy policy,
                 double capacity) {
  const int days = o.months * 365 / 12;
  SimOutcome out;
  out.worked_day.assign(population.size(), -1);
  out.deadline.assign(population.size(), 0);
  Knowledge know(population, [](std::size_t a) { return std::string(kAttributes[a].name); });
  std::vector<Band> band(population.size(), Band::kLow);
  std::vector<std::optional<QueueEntry>> entry(population.size());
  std::vector<std::size_t> open;  // arrived, not yet worked
  std::size_t next_arrival = 0;
  double budget = 0;
  for (int day = 0; day < days; ++day) {
    const std::int64_t now = kStart + day * kDay;
    while (next_arrival < population.size() && population[next_arrival].arrival == day) open.push_back(next_arrival++);
    // New intelligence re-scores at once (every policy sees the same information).
    for (std::size_t i : open) {
      if (!know.Learn(i, day) && entry[i]) continue;
      const Assessment a = Assess(know.profile(i), model, now);
      band[i] = a.model_band;
      auto update = ApplyAssessment(entry[i], a, ActivityOf(know.profile(i)), now, model);
      if (update) entry[i] = update->entry;
    }
    if (policy == Policy::kHashtriage && o.dip_size > 0) {
      std::vector<QueueEntry> entries;
      for (std::size_t i : open) entries.push_back(*entry[i]);
      const DipSampleDraw draw = DrawDipSample(entries, engine::FormatDate(now), {.size = o.dip_size});
      Rng reviewer(o.seed ^ static_cast<std::uint64_t>(day) * 0x9e3779b97f4a7c15ULL);
      for (const auto& item : draw.items) {
        const std::size_t i = static_cast<std::size_t>(std::stoul(item.subject_id.substr(1)) - 1);
        ++out.dip_reviews;
        Decision d;
        d.subject_id = item.subject_id;
        d.outcome = Outcome::kKeep;
        d.reason = "dip-sample";
        d.by = "analyst";
        d.at = now;
        if (reviewer.Chance(o.dip_accuracy) && population[i].true_band != entry[i]->band) {
          d.band = population[i].true_band;
          out.dip_regraded_up += population[i].true_band > entry[i]->band;
        }
        entry[i] = *ApplyDecision(*entry[i], d, model);
      }
    }
    if (policy == Policy::kHashtriage && day == days / 2) {
      std::vector<QueueEntry> all;
      for (std::size_t i = 0; i < next_arrival; ++i) all.push_back(*entry[i]);
      ForecastOptions fo;
      fo.capacity_per_day = capacity;
      fo.intake_per_day = ObservedIntake(all, now, 28);
      out.forecast = ForecastCapacity(all, now, fo, model);
    }
    // Order today's work.
    std::vector<std::size_t> order;
    if (policy == Policy::kFifo) {
      order = open;  // arrival order
    } else if (policy == Policy::kHighRiskOnly) {
      for (std::size_t i : open) {
        if (band[i] >= Band::kHigh) order.push_back(i);
      }
      std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return band[x] > band[y]; });
    } else {
      std::vector<QueueEntry> entries;
      for (std::size_t i : open) entries.push_back(*entry[i]);
      SortQueue(entries, now, model);  // the product's working order
      for (const auto& e : entries) order.push_back(std::stoul(e.subject_id.substr(1)) - 1);
    }
    for (std::size_t i : WorkDay(order, capacity, budget, open)) {
      out.worked_day[i] = day;
      out.deadline[i] = entry[i]->deadline;
      Decision d;
      d.outcome = Outcome::kInvestigate;
      d.at = now;
      entry[i] = *ApplyDecision(*entry[i], d, model);
    }
  }
  for (std::size_t i : open) out.deadline[i] = entry[i]->deadline;
  return out;
}

struct Row {
  Policy policy;
  double capacity;
  double reached7 = 0;  // % of truly high-risk (arrived >= 7 days before the end) worked within 7 days
  std::array<double, kBandCount> median_wait{}, max_wait{};  // by true band, days (unworked: wait so far)
  std::size_t never_reviewed = 0;     // not worked by the end, of those arrived >= 60 days before it
  std::size_t past_deadline_30 = 0;   // waited (or still wait) more than band deadline + 30 days
  double worst_late_days = 0;         // the longest wait beyond a band deadline
  std::size_t dip_reviews = 0, dip_up = 0;
  std::optional<Forecast> forecast;
};

Row Measure(const std::vector<TrueSubject>& population, const Options& o, Policy policy, double capacity,
            const SimOutcome& out) {
  const int days = o.months * 365 / 12;
  const std::int64_t end = kStart + static_cast<std::int64_t>(days) * kDay;
  Row r{policy, capacity};
  std::size_t high = 0, reached = 0;
  std::array<std::vector<double>, kBandCount> waits;
  for (std::size_t i = 0; i < population.size(); ++i) {
    const TrueSubject& s = population[i];
    const int worked = out.worked_day[i];
    const double wait = worked >= 0 ? worked - s.arrival : days - s.arrival;
    waits[BandIndex(s.true_band)].push_back(wait);
    if (s.true_band >= Band::kHigh && s.arrival <= days - 7) {
      ++high;
      reached += worked >= 0 && worked - s.arrival <= 7;
    }
    if (worked < 0 && s.arrival <= days - 60) ++r.never_reviewed;
    const std::int64_t done = worked >= 0 ? kStart + static_cast<std::int64_t>(worked + 1) * kDay : end;
    const double late = static_cast<double>(done - out.deadline[i]) / kDay;
    r.worst_late_days = std::max(r.worst_late_days, late);
    if (late > 30) ++r.past_deadline_30;
  }
  r.reached7 = high ? 100.0 * static_cast<double>(reached) / static_cast<double>(high) : 100;
  for (int b = 0; b < kBandCount; ++b) {
    auto& w = waits[b];
    if (w.empty()) continue;
    std::sort(w.begin(), w.end());
    r.median_wait[b] = w[w.size() / 2];
    r.max_wait[b] = w.back();
  }
  r.dip_reviews = out.dip_reviews;
  r.dip_up = out.dip_regraded_up;
  r.forecast = out.forecast;
  return r;
}

// The acceptance: at some capacity where FIFO reaches < 60% of truly high-risk subjects
// within 7 days, hashtriage reaches >= 95%; and at every capacity >= intake, hashtriage leaves no
// subject unreviewed past its band deadline + 30 days; below intake, the breach is reported.
bool CheckClaims(const std::vector<Row>& rows, double intake) {
  bool contrast = false, bounded = true;
  for (const Row& f : rows) {
    if (f.policy != Policy::kFifo || f.reached7 >= 60) continue;
    for (const Row& h : rows) {
      if (h.policy == Policy::kHashtriage && h.capacity == f.capacity && h.reached7 >= 95) contrast = true;
    }
  }
  for (const Row& h : rows) {
    if (h.policy == Policy::kHashtriage && h.capacity >= intake && h.past_deadline_30 > 0) bounded = false;
  }
  std::printf("check: hashtriage >= 95%% where FIFO < 60%%: %s; none past deadline + 30 days at capacity >= intake: %s\n",
              contrast ? "yes" : "NO", bounded ? "yes" : "NO");
  return contrast && bounded;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "risk_simulation: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seed") o.seed = std::stoull(value());
    else if (arg == "--months") o.months = std::stoi(value());
    else if (arg == "--per-month") o.per_month = std::stoi(value());
    else if (arg == "--noise") o.noise = std::stod(value());
    else if (arg == "--dip-size") o.dip_size = std::stoul(value());
    else if (arg == "--dip-accuracy") o.dip_accuracy = std::stod(value());
    else if (arg == "--research-days") o.research_days = std::stod(value());
    else if (arg == "--check") o.check = true;
    else if (arg == "--escalate-days") o.escalate_days = std::stoi(value());
    else if (arg == "--capacity") {
      o.capacities = ParseNumberList(value());
    } else {
      std::fprintf(stderr, "risk_simulation: unknown argument %s (see the header of bench/risk_simulation.cc)\n", arg.c_str());
      std::exit(2);
    }
  }
  return o;
}

int Main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  auto model = LoadRiskModel("");
  if (!model.ok()) {
    std::fprintf(stderr, "risk_simulation: %s\n", model.status().ToString().c_str());
    return 1;
  }
  if (o.escalate_days >= 0) model->escalate_overdue_every_days = o.escalate_days;
  const auto population = Generate(o, *model);
  const int days = o.months * 365 / 12;
  const double intake = static_cast<double>(population.size()) / days;
  std::array<std::size_t, kBandCount> by_band{};
  for (const auto& s : population) ++by_band[BandIndex(s.true_band)];
  std::printf("population: %zu subjects over %d days (%.2f/day), seed %llu, noise sd %.1f points\n", population.size(),
              days, intake, static_cast<unsigned long long>(o.seed), o.noise);
  std::printf("true bands: Very High %zu, High %zu, Medium %zu, Low %zu\n", by_band[3], by_band[2], by_band[1], by_band[0]);
  std::printf("dip-sample: %zu/day (analyst), reviewer sees the true band with p = %.2f; research delay mean %.1f days\n\n",
              o.dip_size, o.dip_accuracy, o.research_days);
  std::printf("| capacity/day | policy | truly high-risk reached <= 7 d | median wait VH/H/M/L (d) | max wait VH/H/M/L (d) "
              "| never reviewed | past deadline+30 d | worst days past deadline | dip re-graded up |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  std::vector<Row> rows;
  for (double capacity : o.capacities) {
    for (Policy p : {Policy::kFifo, Policy::kHighRiskOnly, Policy::kHashtriage}) {
      const Row r = Measure(population, o, p, capacity, Simulate(population, o, *model, p, capacity));
      std::printf("| %g | %s | %.1f%% | %.0f / %.0f / %.0f / %.0f | %.0f / %.0f / %.0f / %.0f | %zu | %zu | %.0f | %s |\n",
                  capacity, PolicyName(p), r.reached7, r.median_wait[3], r.median_wait[2], r.median_wait[1],
                  r.median_wait[0], r.max_wait[3], r.max_wait[2], r.max_wait[1], r.max_wait[0], r.never_reviewed,
                  r.past_deadline_30, std::max(0.0, r.worst_late_days),
                  p == Policy::kHashtriage ? fmt::format("{} of {}", r.dip_up, r.dip_reviews).c_str() : "-");
      rows.push_back(r);
    }
  }
  std::printf("\nhashtriage's own forecast at mid-year (day %d), from the queue state and the intake of the last 28 days:\n",
              days / 2);
  for (const Row& r : rows) {
    if (r.policy != Policy::kHashtriage || !r.forecast) continue;
    std::printf("  capacity %g/day: %zu projected breaches over 90 days, %zu already overdue; capacity needed %g/day "
                "(backlog included), %g/day for new cases alone\n",
                r.capacity, r.forecast->breaches, r.forecast->overdue_now, r.forecast->required_capacity,
                r.forecast->intake_capacity);
  }
  if (o.check) return CheckClaims(rows, intake) ? 0 : 1;
  return 0;
}

}  // namespace
}  // namespace hashtriage::bench

int main(int argc, char** argv) { return hashtriage::bench::Main(argc, argv); }

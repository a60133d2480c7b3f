// queue_load_simulation: does the queue find the truly high-risk subjects when the team is short and
// research is late or missing, in worlds whose truth the product's weights do not describe?
// (bench/queue_load/worlds.h). Every policy sees the same information: the referral, record facts at
// intake, research results 1-10 days after intake or never, re-scored at once with the product's model.
// Policies: FIFO; "today" (the product's queue order before this change: band, overdue, deadline,
// score); "hashtriage" (the product's order as shipped: band, then the outlook of what is unknown,
// outlook.h); "oracle" (knows who is truly high-risk: those first, in arrival order).
// Capacity is a share of the mean intake. Reported: the share of truly high-risk subjects worked within
// 7 days of intake (of those arriving >= 7 days before the end), their median and longest wait, subjects
// past their deadline + 30 days, and the forecast's projected breaches against what then happened.
//
//   queue_load_simulation [--seed N] [--days 180] [--per-day 13.4] [--shares 0.46,1.0,1.1]
//                         [--research 1-10] [--never 0.25] [--high-share 0.2] [--explore] [--check]
// --explore adds rows for other ordering settings (the choice of the shipped default).
// --check exits 1 unless the claims of CheckClaims hold.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "bench/queue_load/worlds.h"
#include "bench/sim_population.h"
#include "engine/risk/assessment.h"
#include "engine/risk/forecast.h"
#include "engine/risk/queue_rules.h"
#include "engine/risk/rescore.h"

namespace hashtriage::bench::queue_load {
namespace {

using namespace engine::risk;
constexpr std::int64_t kDay = kSimDay;
constexpr std::int64_t kStart = kSimStart;

struct Options {
  WorldOptions world;
  std::vector<double> shares = {0.46, 1.0, 1.1};
  bool explore = false;
  bool check = false;
};

struct Policy {
  std::string name;
  enum Kind { kFifo, kModel, kOracle } kind = kModel;
  RiskModel model;  // kModel: the ordering settings under test
};

struct Outcome {
  std::vector<int> worked_day;         // -1: never
  std::vector<std::int64_t> deadline;  // at work, or at the end
  std::optional<Forecast> forecast;    // the product's forecast at the checkpoint
  int checkpoint = 0;
  std::vector<char> forecast_scope;    // subjects the forecast's breach count is about
};

Outcome Simulate(const std::vector<Subject>& pop, const Options& o, const RiskModel& scoring, const Policy& policy,
                 double capacity) {
  const int days = o.world.days;
  const RiskModel& model = policy.kind == Policy::kModel ? policy.model : scoring;
  Outcome out;
  out.worked_day.assign(pop.size(), -1);
  out.deadline.assign(pop.size(), 0);
  out.forecast_scope.assign(pop.size(), 0);
  out.checkpoint = days / 2;
  Knowledge know(pop, [](std::size_t a) { return std::string(kAttributeNames[a]); });
  std::vector<std::optional<QueueEntry>> entry(pop.size());
  std::vector<std::size_t> open;
  std::size_t next_arrival = 0;
  double budget = 0;
  for (int day = 0; day < days; ++day) {
    const std::int64_t now = kStart + day * kDay;
    while (next_arrival < pop.size() && pop[next_arrival].arrival == day) open.push_back(next_arrival++);
    for (std::size_t i : open) {
      if (!know.Learn(i, day) && entry[i]) continue;
      const Assessment a = Assess(know.profile(i), model, now);
      if (auto update = ApplyAssessment(entry[i], a, ActivityOf(know.profile(i)), now, model)) entry[i] = update->entry;
      // The alternative considered: order within a band by the expected score instead of P(High).
      if (policy.name.starts_with("expected")) {
        entry[i]->likely_high = a.urgency.empty() ? static_cast<int>(10 * a.outlook.expected_score) : 1000000;
      }
    }
    if (policy.kind == Policy::kModel && day == out.checkpoint) {
      std::vector<QueueEntry> all;
      for (std::size_t i : open) all.push_back(*entry[i]);
      ForecastOptions fo;
      fo.capacity_per_day = capacity;
      fo.days = 30;
      fo.intake_per_day = ObservedIntake(all, now, 28);
      // Intake is observed from the entries still open; worked ones entered too.
      for (std::size_t i = 0; i < next_arrival; ++i) {
        if (out.worked_day[i] >= 0 && pop[i].arrival > day - 28) fo.intake_per_day[BandIndex(entry[i]->band)] += 1.0 / 28;
      }
      out.forecast = ForecastCapacity(all, now, fo, model);
      for (std::size_t i : open) out.forecast_scope[i] = entry[i]->deadline > now;
      for (std::size_t i = next_arrival; i < pop.size() && pop[i].arrival < day + 30; ++i) out.forecast_scope[i] = 1;
    }
    std::vector<std::size_t> order = open;
    if (policy.kind == Policy::kOracle) {
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t x, std::size_t y) { return pop[x].truly_high > pop[y].truly_high; });
    } else if (policy.kind == Policy::kModel) {
      std::vector<QueueEntry> entries;
      for (std::size_t i : open) entries.push_back(*entry[i]);
      SortQueue(entries, now, model);
      order.clear();
      for (const auto& e : entries) order.push_back(std::stoul(e.subject_id.substr(1)) - 1);
    }
    for (std::size_t i : WorkDay(order, capacity, budget, open)) {
      out.worked_day[i] = day;
      out.deadline[i] = entry[i]->deadline;
    }
  }
  for (std::size_t i : open) out.deadline[i] = entry[i]->deadline;
  return out;
}

struct Row {
  std::string world, policy;
  double share = 0;
  double reached7 = 0;
  double median_wait = 0, max_wait = 0;  // truly high-risk, days
  std::size_t past_deadline_30 = 0;
  std::optional<std::size_t> projected, actual;  // forecast check (model policies)
};

Row Measure(const std::vector<Subject>& pop, const Options& o, const Outcome& out) {
  const int days = o.world.days;
  Row r;
  std::size_t high = 0, reached = 0;
  std::vector<double> waits;
  for (std::size_t i = 0; i < pop.size(); ++i) {
    const int worked = out.worked_day[i];
    const double wait = worked >= 0 ? worked - pop[i].arrival : days - pop[i].arrival;
    if (pop[i].truly_high) {
      waits.push_back(wait);
      if (pop[i].arrival <= days - 7) {
        ++high;
        reached += worked >= 0 && worked - pop[i].arrival <= 7;
      }
    }
    const std::int64_t done = kStart + static_cast<std::int64_t>(worked >= 0 ? worked + 1 : days) * kDay;
    if (done - out.deadline[i] > 30 * kDay) ++r.past_deadline_30;
  }
  r.reached7 = high ? 100.0 * static_cast<double>(reached) / static_cast<double>(high) : 100;
  std::sort(waits.begin(), waits.end());
  if (!waits.empty()) {
    r.median_wait = waits[waits.size() / 2];
    r.max_wait = waits.back();
  }
  if (out.forecast) {
    r.projected = out.forecast->breaches;
    const std::int64_t end = kStart + static_cast<std::int64_t>(out.checkpoint + 30) * kDay;
    std::size_t actual = 0;
    for (std::size_t i = 0; i < pop.size(); ++i) {
      if (!out.forecast_scope[i]) continue;
      const int worked = out.worked_day[i];
      const bool done_by_end = worked >= 0 && worked < out.checkpoint + 30;
      const std::int64_t done = kStart + static_cast<std::int64_t>(worked + 1) * kDay;
      actual += done_by_end ? done > out.deadline[i] : out.deadline[i] < end;
    }
    r.actual = actual;
  }
  return r;
}

// What this simulation claims (checked by --check, a CTest): in every world, at capacity >= intake
// hashtriage reaches >= 97% of the truly high-risk within 7 days and leaves nobody past deadline + 30
// days; at 46% of intake it reaches at least 10 points more of them than today's order. The issue's
// own bar at 46% (85% in every world) and the forecast's error are printed, met or not.
bool CheckClaims(const std::vector<Row>& rows) {
  bool full = true, better = true;
  double worst_under = 100, worst_forecast = 0;
  for (const Row& r : rows) {
    if (r.policy != "hashtriage") continue;
    if (r.share >= 1.0 && (r.reached7 < 97 || r.past_deadline_30 > 0)) full = false;
    if (std::abs(r.share - 0.46) < 1e-9) {
      worst_under = std::min(worst_under, r.reached7);
      for (const Row& t : rows) {
        if (t.policy == "today" && t.world == r.world && t.share == r.share && r.reached7 < t.reached7 + 10) better = false;
      }
      if (r.projected && r.actual) {
        const double a = static_cast<double>(*r.actual), p = static_cast<double>(*r.projected);
        worst_forecast = std::max(worst_forecast, std::abs(p - a) / std::max(a, 1.0));
      }
    }
  }
  std::printf("check: >= 97%% reached and none past deadline + 30 d at capacity >= intake, every world: %s; "
              ">= 10 points above today's order at 46%%, every world: %s\n",
              full ? "yes" : "NO", better ? "yes" : "NO");
  std::printf("issue bar (not checked): >= 85%% at 46%% in every world: %s (worst %.1f%%); forecast within 15%% at "
              "46%%: %s (worst %.0f%% off)\n",
              worst_under >= 85 ? "met" : "NOT MET", worst_under, worst_forecast <= 0.15 ? "met" : "NOT MET",
              100 * worst_forecast);
  return full && better;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "queue_load_simulation: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seed") o.world.seed = std::stoull(value());
    else if (arg == "--days") o.world.days = std::stoi(value());
    else if (arg == "--per-day") o.world.per_day = std::stod(value());
    else if (arg == "--shares") o.shares = ParseNumberList(value());
    else if (arg == "--never") o.world.research_never = std::stod(value());
    else if (arg == "--high-share") o.world.high_share = std::stod(value());
    else if (arg == "--explore") o.explore = true;
    else if (arg == "--check") o.check = true;
    else if (arg == "--research") {
      const std::string v = value();
      const std::size_t dash = v.find('-');
      o.world.research_min_days = std::stoi(v.substr(0, dash));
      o.world.research_max_days = dash == std::string::npos ? o.world.research_min_days : std::stoi(v.substr(dash + 1));
    } else {
      std::fprintf(stderr, "queue_load_simulation: unknown argument %s (see bench/queue_load_simulation.cc)\n",
                   arg.c_str());
      std::exit(2);
    }
  }
  return o;
}

std::vector<Policy> Policies(const RiskModel& shipped, bool explore) {
  std::vector<Policy> out;
  out.push_back({"FIFO", Policy::kFifo, shipped});
  RiskModel today = shipped;  // the order before the outlook: band, overdue, deadline, score
  today.order_by_outlook = false;
  today.long_overdue_every = 0;
  out.push_back({"today", Policy::kModel, today});
  out.push_back({"hashtriage", Policy::kModel, shipped});
  if (explore) {
    for (int every : {0, 3, 8}) {
      RiskModel m = shipped;
      m.long_overdue_every = every;
      out.push_back({fmt::format("likely-high, overdue place every {}", every), Policy::kModel, m});
    }
    out.push_back({"expected score (alternative)", Policy::kModel, shipped});
  }
  out.push_back({"oracle", Policy::kOracle, shipped});
  return out;
}

int Main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  auto model = LoadRiskModel("");
  if (!model.ok()) {
    std::fprintf(stderr, "queue_load_simulation: %s\n", model.status().ToString().c_str());
    return 1;
  }
  std::printf("%d days, %.1f new subjects/day (Poisson), seed %llu; research results %d-%d days after intake, %.0f%% "
              "never; truly high-risk: a true urgency fact or the top %.0f%% of true risk\n\n",
              o.world.days, o.world.per_day, static_cast<unsigned long long>(o.world.seed), o.world.research_min_days,
              o.world.research_max_days, 100 * o.world.research_never, 100 * o.world.high_share);
  std::vector<Row> rows;
  const auto worlds = Worlds();
  for (std::size_t w = 0; w < worlds.size(); ++w) {
    const auto pop = GeneratePopulation(w, o.world);
    std::size_t high = 0;
    for (const auto& s : pop) high += s.truly_high;
    std::printf("### world: %s\n%s. %zu subjects, %zu truly high-risk.\n\n", worlds[w].name.c_str(),
                worlds[w].description.c_str(), pop.size(), high);
    std::printf("| capacity (share of intake) | policy | truly high-risk reached <= 7 d | median / max wait (d) | "
                "past deadline + 30 d | forecast breaches: projected / happened |\n|---|---|---|---|---|---|\n");
    for (double share : o.shares) {
      for (const Policy& p : Policies(*model, o.explore)) {
        const Outcome out = Simulate(pop, o, *model, p, share * o.world.per_day);
        Row r = Measure(pop, o, out);
        r.world = worlds[w].name;
        r.policy = p.name;
        r.share = share;
        std::printf("| %.0f%% (%.1f/day) | %s | %.1f%% | %.0f / %.0f | %zu | %s |\n", 100 * share, share * o.world.per_day,
                    p.name.c_str(), r.reached7, r.median_wait, r.max_wait, r.past_deadline_30,
                    r.projected ? fmt::format("{} / {}", *r.projected, *r.actual).c_str() : "-");
        rows.push_back(r);
      }
    }
    std::printf("\n");
  }
  if (o.check) return CheckClaims(rows) ? 0 : 1;
  return 0;
}

}  // namespace
}  // namespace hashtriage::bench::queue_load

int main(int argc, char** argv) { return hashtriage::bench::queue_load::Main(argc, argv); }

// queue_load_simulation: does the queue find the truly high-risk subjects when the team is short and
// research is late or missing, in worlds whose truth the product's weights do not describe?
// (bench/queue_load/worlds.h). Every policy sees the same information: the referral, record facts at
// intake, research results 1-10 days after intake or never, re-scored at once with the product's model.
// Policies: FIFO; "today" (the product's queue order before this change: band, overdue, deadline,
// score); "hashtriage" (the product's order as shipped: band, then the outlook of what is unknown,
// outlook.h, with the High-deadline window and long-overdue places of queue_rules.h); "oracle" (knows
// who is truly high-risk: those first, in arrival order). Two rows bound what any order with the
// product's weights could do: the shipped order with every research result known at intake (25% still
// never), and with every attribute known at intake.
// Capacity is a share of the mean intake. Reported: the share of truly high-risk subjects worked within
// 7 days of intake (of those arriving >= 7 days before the end), their median and longest wait, subjects
// past their deadline + 30 days, and the forecast's projected breaches against what then happened.
// With --research-capacity researchers take tasks at that many a day (research_desk.h), first come
// first served for FIFO and today's order, in the product's research order (research_queue.h) for
// hashtriage; results then arrive 1-10 days after a task is taken. Without it every task is taken at
// intake.
//
//   queue_load_simulation [--seed N] [--days 180] [--per-day 13.4] [--shares 0.46,1.0,1.1]
//                         [--research 1-10] [--never 0.25] [--high-share 0.2] [--research-capacity N]
//                         [--explore] [--check]
// --explore adds rows for other ordering settings (the choice of the shipped default).
// --check exits 1 unless the claims of CheckClaims hold.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench/queue_load/research_desk.h"
#include "bench/queue_load/worlds.h"
#include "bench/sim_population.h"
#include "engine/risk/assessment.h"
#include "engine/risk/forecast.h"
#include "engine/risk/queue_rules.h"
#include "engine/risk/rescore.h"
#include "engine/risk/research_queue.h"

namespace hashtriage::bench::queue_load {
namespace {

using namespace engine::risk;
constexpr std::int64_t kDay = kSimDay;
constexpr std::int64_t kStart = kSimStart;

struct Options {
  WorldOptions world;
  std::vector<double> shares = {0.46, 1.0, 1.1};
  double research_capacity = 0;  // tasks a day; 0: every task taken at intake
  bool explore = false;
  bool check = false;
};

struct Policy {
  std::string name;
  enum Kind { kFifo, kModel, kOracle } kind = kModel;
  RiskModel model;  // kModel: the ordering settings under test
  // What is known when: as drawn, every research result at intake, or every attribute at intake.
  enum class Information { kAsDrawn, kResearchAtIntake, kAllKnown } information = Information::kAsDrawn;
  bool expected_score = false;  // order within a band by the expected score instead of P(High)
  bool ranked_research = false; // with a research capacity: researchers follow the product's research queue
};

// The population as `policy` learns it.
std::vector<Subject> AsKnown(std::vector<Subject> pop, Policy::Information information) {
  for (Subject& s : pop) {
    if (information == Policy::Information::kAllKnown) {
      s.reveals.clear();
      for (std::size_t a = 0; a < kAttributeCount; ++a) s.reveals.push_back({s.arrival, a});
      s.research.clear();
    } else if (information == Policy::Information::kResearchAtIntake) {
      for (Reveal& r : s.reveals) r.day = s.arrival;
      for (ResearchTask& t : s.research) t.turnaround = 0;
    }
  }
  return pop;
}

// The research tasks in the order researchers take them: the product's research queue over the open
// subjects (then anything it does not list), or first come first served.
std::vector<std::pair<std::size_t, std::size_t>> ResearchOrder(
    const ResearchDesk& desk, const std::vector<std::size_t>& open, const std::vector<std::optional<QueueEntry>>& entry,
    const std::vector<std::optional<Assessment>>& assessment, const std::function<const engine::SubjectProfile&(std::size_t)>& profile,
    bool ranked, const RiskModel& model, std::int64_t now) {
  std::vector<std::pair<std::size_t, std::size_t>> order;
  auto index_of = [](const std::string& id) { return std::stoul(id.substr(1)) - 1; };
  if (ranked) {
    std::vector<QueueRow> rows;
    for (std::size_t i : open) {
      if (desk.Untaken(i).empty()) continue;
      QueueRow row;
      row.entry = *entry[i];
      row.assessment = assessment[i];
      rows.push_back(std::move(row));
    }
    auto items = RankResearch(
        rows, [&](const std::string& id) -> Result<engine::SubjectProfile> { return profile(index_of(id)); }, model, now);
    for (const auto& item : items.value()) {
      for (std::size_t a = 0; a < kAttributeCount; ++a) {
        if (item.attribute == kAttributeNames[a]) order.push_back({index_of(item.subject_id), a});
      }
    }
  }
  std::vector<std::size_t> by_intake = open;
  std::sort(by_intake.begin(), by_intake.end());
  for (std::size_t i : by_intake) {
    for (std::size_t a : desk.Untaken(i)) order.push_back({i, a});
  }
  return order;
}

struct Outcome {
  std::vector<int> worked_day;         // -1: never
  std::vector<std::int64_t> deadline;  // at work, or at the end
  std::optional<Forecast> forecast;    // the product's forecast at the checkpoint
  int checkpoint = 0;
  std::vector<char> forecast_scope;    // subjects the forecast's breach count is about
};

Outcome Simulate(const std::vector<Subject>& drawn, const Options& o, const RiskModel& scoring, const Policy& policy,
                 double capacity) {
  const int days = o.world.days;
  std::vector<Subject> pop = AsKnown(drawn, policy.information);
  std::optional<ResearchDesk> desk;
  if (o.research_capacity > 0 && policy.information == Policy::Information::kAsDrawn) {
    desk.emplace(pop, o.research_capacity);
  }
  const RiskModel& model = policy.kind == Policy::kModel ? policy.model : scoring;
  Outcome out;
  out.worked_day.assign(pop.size(), -1);
  out.deadline.assign(pop.size(), 0);
  out.forecast_scope.assign(pop.size(), 0);
  out.checkpoint = days / 2;
  Knowledge know(pop, [](std::size_t a) { return std::string(kAttributeNames[a]); });
  std::vector<std::optional<QueueEntry>> entry(pop.size());
  std::vector<std::optional<Assessment>> assessment(pop.size());
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
      assessment[i] = a;
      // The alternative considered: order within a band by the expected score instead of P(High).
      if (policy.expected_score) {
        entry[i]->likely_high = a.urgency.empty() ? static_cast<int>(10 * a.outlook.expected_score) : 1000000;
      }
    }
    // Researchers take today's tasks; their results arrive from tomorrow.
    if (desk) {
      const bool ranked = policy.kind == Policy::kModel && policy.ranked_research;
      desk->Work(day, ResearchOrder(*desk, open, entry, assessment,
                                    [&](std::size_t i) -> const engine::SubjectProfile& { return know.profile(i); }, ranked,
                                    model, now));
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
  double worst_under = 100, worst_forecast = 0, worst_bound = 100;
  for (const Row& r : rows) {
    if (r.policy.starts_with("hashtriage, everything known") && std::abs(r.share - 0.46) < 1e-9) {
      worst_bound = std::min(worst_bound, r.reached7);
    }
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
  std::printf("issue bar (not checked): >= 85%% at 46%% in every world: %s (worst %.1f%%; with every attribute known "
              "at intake the shipped weights reach %.1f%% in their worst world); forecast within 15%% at 46%%: %s "
              "(worst %.0f%% off)\n",
              worst_under >= 85 ? "met" : "NOT MET", worst_under, worst_bound, worst_forecast <= 0.15 ? "met" : "NOT MET",
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
    else if (arg == "--research-capacity") o.research_capacity = std::stod(value());
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

std::vector<Policy> Policies(const RiskModel& shipped, bool explore, bool research_desk) {
  using Information = Policy::Information;
  std::vector<Policy> out;
  out.push_back({"FIFO", Policy::kFifo, shipped});
  RiskModel today = shipped;  // the order before the outlook: band, overdue, deadline, score
  today.order_by_outlook = false;
  today.long_overdue_every = 0;
  today.high_deadline_boost = 0;
  out.push_back({"today", Policy::kModel, today});
  out.push_back({"hashtriage", Policy::kModel, shipped, Information::kAsDrawn, false, true});
  if (explore) {
    auto variant = [&](std::string name, auto change) {
      RiskModel m = shipped;
      change(m);
      out.push_back({std::move(name), Policy::kModel, m, Information::kAsDrawn, false, true});
    };
    variant("no High-deadline window", [](RiskModel& m) { m.high_deadline_boost = 0; });
    variant("High-deadline window 1 day", [](RiskModel& m) { m.high_deadline_window_days = 1; });
    variant("High-deadline window 3 days", [](RiskModel& m) { m.high_deadline_window_days = 3; });
    variant("High-deadline boost 15 points", [](RiskModel& m) { m.high_deadline_boost = 15; });
    variant("High-deadline boost 50 points", [](RiskModel& m) { m.high_deadline_boost = 50; });
    variant("overdue place every 0", [](RiskModel& m) { m.long_overdue_every = 0; });
    variant("overdue place every 3", [](RiskModel& m) { m.long_overdue_every = 3; });
    out.push_back({"expected score (alternative)", Policy::kModel, shipped, Information::kAsDrawn, true, true});
  }
  if (explore || research_desk) {
    out.push_back({"hashtriage, research first come first served", Policy::kModel, shipped, Information::kAsDrawn,
                   false, false});
  }
  out.push_back({"hashtriage, research known at intake (bound)", Policy::kModel, shipped,
                 Information::kResearchAtIntake});
  out.push_back({"hashtriage, everything known at intake (bound)", Policy::kModel, shipped, Information::kAllKnown});
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
  const std::string research =
      o.research_capacity > 0
          ? fmt::format("researchers take {:g} tasks a day, results {}-{} days after a task is taken", o.research_capacity,
                        o.world.research_min_days, o.world.research_max_days)
          : fmt::format("research results {}-{} days after intake", o.world.research_min_days, o.world.research_max_days);
  std::printf("%d days, %.1f new subjects/day (Poisson), seed %llu; %s, %.0f%% never; truly high-risk: a true urgency "
              "fact or the top %.0f%% of true risk\n\n",
              o.world.days, o.world.per_day, static_cast<unsigned long long>(o.world.seed), research.c_str(),
              100 * o.world.research_never, 100 * o.world.high_share);
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
      for (const Policy& p : Policies(*model, o.explore, o.research_capacity > 0)) {
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

#include "engine/risk/forecast.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <queue>
#include <tuple>

#include "engine/case/queue_store.h"
#include "engine/risk/rescore.h"
#include "engine/risk/queue_rules.h"
#include "engine/time_util.h"

namespace hashtriage::engine::risk {

namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  return v[mid];
}

}  // namespace

std::array<double, kBandCount> ObservedIntake(const std::vector<QueueEntry>& entries, std::int64_t now,
                                              int window_days) {
  std::array<double, kBandCount> rate{};
  std::int64_t first = now;
  for (const auto& e : entries) first = std::min(first, e.entered_at);
  const std::int64_t span_days = std::max<std::int64_t>(1, (now - first + kSecondsPerDay - 1) / kSecondsPerDay);
  const std::int64_t window = std::max<std::int64_t>(1, std::min<std::int64_t>(window_days, span_days));
  const std::int64_t since = now - window * kSecondsPerDay;
  for (const auto& e : entries) {
    if (e.entered_at > since && e.entered_at <= now) rate[BandIndex(e.band)] += 1;
  }
  for (double& r : rate) r /= static_cast<double>(window);
  return rate;
}

namespace {
bool LooksHigh(const QueueEntry& e) { return e.band >= Band::kHigh || e.likely_high >= kLikelyHighPerMille; }
}  // namespace

Forecast SimulateQueue(const std::vector<QueueEntry>& entries, std::int64_t now, const ForecastOptions& options,
                       const RiskModel& model) {
  Forecast f;
  f.start = now;
  f.capacity_per_day = options.capacity_per_day;
  f.days = options.days;
  f.intake_per_day = options.intake_per_day;
  std::array<BandForecast, kBandCount> band{};
  std::array<std::vector<double>, kBandCount> waits;
  for (int b = 0; b < kBandCount; ++b) band[b].band = static_cast<Band>(b);

  // One heap per band, in the queue's order within the band (then score, then id); each heap's top is
  // that band's next case, and the day's next case is the first of the four tops by QueueBefore.
  struct Item {
    QueueEntry entry;
    bool overdue_at_start = false;
  };
  std::deque<Item> pool;
  // Bands that overdue escalation cannot raise are also ordered by the outlook first (as QueueBefore);
  // in a band that can be raised, deadline order keeps the most escalated case on top.
  struct After {
    bool by_likelihood;
    bool operator()(const Item* a, const Item* b) const {
      const int la = by_likelihood ? a->entry.likely_high : 0, lb = by_likelihood ? b->entry.likely_high : 0;
      return std::tie(lb, a->entry.deadline, b->entry.score, a->entry.subject_id) >
             std::tie(la, b->entry.deadline, a->entry.score, b->entry.subject_id);
    }
  };
  auto after = [&](int band) {
    const bool escalates = model.escalate_overdue_every_days > 0 && band < BandIndex(model.escalate_overdue_up_to);
    return After{model.order_by_outlook && !escalates};
  };
  using Heap = std::priority_queue<Item*, std::vector<Item*>, After>;
  std::array<Heap, kBandCount> heaps = {Heap(after(0)), Heap(after(1)), Heap(after(2)), Heap(after(3))};
  std::size_t waiting = 0;
  auto push = [&](Item* item) {
    heaps[BandIndex(item->entry.band)].push(item);
    ++waiting;
  };
  for (const auto& e : entries) {
    if (!e.open()) continue;
    // Due now or earlier: missed whatever the capacity.
    pool.push_back({e, e.deadline <= now});
    BandForecast& s = band[BandIndex(e.band)];
    ++s.open_now;
    if (pool.back().overdue_at_start) ++s.overdue_now;
    push(&pool.back());
  }

  std::array<double, kBandCount> pending{};
  double budget = 0;
  std::uint64_t arrivals = 0;
  const std::int64_t end = now + static_cast<std::int64_t>(options.days) * kSecondsPerDay;
  for (int day = 0; day < options.days; ++day) {
    const std::int64_t t = now + static_cast<std::int64_t>(day) * kSecondsPerDay;
    for (int b = kBandCount - 1; b >= 0; --b) {
      pending[b] += options.intake_per_day[b];
      while (pending[b] >= 1.0 - 1e-9) {
        pending[b] -= 1.0;
        Item item;
        item.entry.subject_id = fmt::format("~arrival{:09}", ++arrivals);
        item.entry.band = item.entry.model_band = static_cast<Band>(b);
        item.entry.entered_at = t;
        item.entry.deadline = DeadlineFor(t, item.entry.band, model);
        item.entry.score = model.band_min_score[b];
        pool.push_back(std::move(item));
        ++band[b].arriving;
        push(&pool.back());
      }
    }
    // The team works through the day: the k-th case of the day is done at k/capacity of it.
    budget += options.capacity_per_day;
    for (int k = 1; budget >= 1.0 - 1e-9 && waiting > 0; ++k) {
      budget -= 1.0;
      Heap* heap = nullptr;
      for (Heap& h : heaps) {
        if (!h.empty() && (heap == nullptr || QueueBefore(h.top()->entry, heap->top()->entry, t, model))) heap = &h;
      }
      const Item* item = heap->top();
      heap->pop();
      --waiting;
      const double done_at = static_cast<double>(t) + std::min(1.0, k / options.capacity_per_day) * kSecondsPerDay;
      BandForecast& s = band[BandIndex(item->entry.band)];
      ++s.worked;
      waits[BandIndex(item->entry.band)].push_back((done_at - static_cast<double>(item->entry.entered_at)) /
                                                   static_cast<double>(kSecondsPerDay));
      if (!item->overdue_at_start && done_at > static_cast<double>(item->entry.deadline)) {
        ++s.breaches;
        f.likely_high_breaches += LooksHigh(item->entry);
      }
    }
    if (waiting == 0) budget = std::fmod(budget, 1.0);  // idle time is not banked
  }
  for (Heap& heap : heaps) {
    for (; !heap.empty(); heap.pop()) {
      const Item* item = heap.top();
      BandForecast& s = band[BandIndex(item->entry.band)];
      ++s.waiting_at_end;
      s.max_wait_days = std::max(s.max_wait_days, static_cast<double>(end - item->entry.entered_at) /
                                                      static_cast<double>(kSecondsPerDay));
      if (!item->overdue_at_start && item->entry.deadline < end) {
        ++s.breaches;
        f.likely_high_breaches += LooksHigh(item->entry);
      }
    }
  }
  for (Band b : kBandsHighestFirst) {
    BandForecast& s = band[BandIndex(b)];
    const auto& w = waits[BandIndex(b)];
    if (!w.empty()) s.max_wait_days = std::max(s.max_wait_days, *std::max_element(w.begin(), w.end()));
    s.median_wait_days = Median(w);
    f.breaches += s.breaches;
    f.overdue_now += s.overdue_now;
    f.bands.push_back(s);
  }
  return f;
}

namespace {

// The smallest whole capacity with no breach (binary search; breaches never grow with capacity),
// or nullopt when even clearing everything on the first day misses a deadline.
std::optional<std::int64_t> SmallestCapacity(const std::vector<QueueEntry>& entries, std::int64_t now,
                                             const ForecastOptions& options, const RiskModel& model,
                                             bool likely_high_only = false) {
  double total = 0;
  for (const auto& e : entries) total += e.open() ? 1 : 0;
  for (double r : options.intake_per_day) total += std::ceil(r) + 1;
  std::int64_t lo = 1;
  std::int64_t hi = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(total)));
  auto breaches_at = [&](std::int64_t capacity) {
    ForecastOptions o = options;
    o.capacity_per_day = static_cast<double>(capacity);
    const Forecast f = SimulateQueue(entries, now, o, model);
    return likely_high_only ? f.likely_high_breaches : f.breaches;
  };
  if (breaches_at(hi) > 0) return std::nullopt;
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (breaches_at(mid) == 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

}  // namespace

namespace {

// Medium only because access to children is unknown (the model keeps such a subject out of Low).
bool HeldOutOfLow(const QueueEntry& e, const RiskModel& model) {
  return e.open() && !e.override_band && e.band == Band::kMedium && e.score < model.band_min_score[BandIndex(Band::kMedium)];
}

// The probability that research finds no access to children (every access attribute "no").
double NoAccessChance(const RiskModel& model) {
  double p = 1;
  for (const auto& f : model.attributes) {
    if (f.access_to_children) p *= 1 - f.prevalence;
  }
  return p;
}

}  // namespace

ExpectedResearch ExpectResearch(const std::vector<QueueEntry>& entries, const RiskModel& model) {
  ExpectedResearch out;
  out.entries = entries;
  out.no_access_chance = NoAccessChance(model);
  std::vector<std::size_t> held;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (HeldOutOfLow(entries[i], model)) held.push_back(i);
  }
  out.held_out_of_low = held.size();
  std::sort(held.begin(), held.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(entries[a].entered_at, entries[a].subject_id) < std::tie(entries[b].entered_at, entries[b].subject_id);
  });
  double share = 0;
  for (std::size_t i : held) {
    share += out.no_access_chance;
    if (share < 1 - 1e-9) continue;
    share -= 1;
    QueueEntry& e = out.entries[i];
    e.band = e.model_band = Band::kLow;
    e.deadline = DeadlineFor(e.entered_at, Band::kLow, model);
    ++out.planned_as_low;
  }
  return out;
}

Forecast ForecastCapacity(const std::vector<QueueEntry>& raw_entries, std::int64_t now, const ForecastOptions& raw_options,
                          const RiskModel& model) {
  ForecastOptions options = raw_options;
  ExpectedResearch expected;
  if (options.expect_research) {
    expected = ExpectResearch(raw_entries, model);
    // New Medium cases held out of Low at the share seen among those of the last 28 days.
    std::size_t medium = 0, held = 0;
    for (const QueueEntry& e : raw_entries) {
      if (e.band != Band::kMedium || e.entered_at <= now - 28 * kSecondsPerDay) continue;
      ++medium;
      held += HeldOutOfLow(e, model);
    }
    if (medium > 0) {
      const double moved = options.intake_per_day[BandIndex(Band::kMedium)] * static_cast<double>(held) /
                           static_cast<double>(medium) * expected.no_access_chance;
      options.intake_per_day[BandIndex(Band::kMedium)] -= moved;
      options.intake_per_day[BandIndex(Band::kLow)] += moved;
    }
  } else {
    expected.entries = raw_entries;
  }
  const std::vector<QueueEntry>& entries = expected.entries;
  Forecast f = SimulateQueue(entries, now, options, model);
  f.held_out_of_low = expected.held_out_of_low;
  f.expected_low = expected.planned_as_low;
  f.no_access_chance = expected.no_access_chance;
  const auto all = SmallestCapacity(entries, now, options, model);
  f.capacity_found = all.has_value();
  f.required_capacity = static_cast<double>(all.value_or(0));
  const auto fresh = SmallestCapacity({}, now, options, model);
  f.intake_capacity = static_cast<double>(fresh.value_or(0));
  f.likely_high_capacity = static_cast<double>(SmallestCapacity(entries, now, options, model, true).value_or(0));
  return f;
}

std::string ForecastText(const Forecast& f) {
  std::string out = fmt::format("Capacity forecast from {} for {} days at {:g} cases/day\n", FormatDate(f.start),
                                f.days, f.capacity_per_day);
  double intake = 0;
  for (double r : f.intake_per_day) intake += r;
  out += fmt::format("Intake assumed: {:.1f} new cases/day (Very High {:.1f}, High {:.1f}, Medium {:.1f}, Low {:.1f})\n\n",
                     intake, f.intake_per_day[3], f.intake_per_day[2], f.intake_per_day[1], f.intake_per_day[0]);
  if (f.held_out_of_low > 0) {
    out += fmt::format("Research expected: of {} Medium case(s) held out of Low only because access to children is "
                       "unknown, {} planned as Low (the model's {:.0f}% chance of no access; new cases alike)\n\n",
                       f.held_out_of_low, f.expected_low, 100 * f.no_access_chance);
  }
  out += fmt::format("{:<10} {:>6} {:>8} {:>9} {:>7} {:>9} {:>8} {:>12} {:>10}\n", "band", "open", "overdue",
                     "arriving", "worked", "breaches", "waiting", "median wait", "max wait");
  for (const auto& b : f.bands) {
    out += fmt::format("{:<10} {:>6} {:>8} {:>9} {:>7} {:>9} {:>8} {:>11.0f}d {:>9.0f}d\n", BandName(b.band),
                       b.open_now, b.overdue_now, b.arriving, b.worked, b.breaches, b.waiting_at_end,
                       b.median_wait_days, b.max_wait_days);
  }
  out += "\n";
  if (f.overdue_now > 0) out += fmt::format("Already overdue today: {} case(s).\n", f.overdue_now);
  if (f.breaches == 0) {
    out += fmt::format("No further deadline is projected to be breached at {:g} cases/day.\n", f.capacity_per_day);
  } else {
    out += fmt::format("PROJECTED BREACHES: {} deadline(s) will be missed at {:g} cases/day. Escalate.\n", f.breaches,
                       f.capacity_per_day);
    if (f.likely_high_breaches == 0) {
      out += fmt::format("None of them is a case that looks High (band High+, or P(High) >= {}% once researched).\n",
                         kLikelyHighPerMille / 10);
    } else {
      out += fmt::format("Of them likely High or above (band High+, or P(High) >= {}% once researched): {}; capacity "
                         "that avoids those: {:g} cases/day.\n",
                         kLikelyHighPerMille / 10, f.likely_high_breaches, f.likely_high_capacity);
    }
  }
  if (!f.capacity_found) {
    out += "No capacity meets every deadline (a deadline shorter than a day?).\n";
  } else if (f.required_capacity > f.capacity_per_day) {
    out += fmt::format("Capacity needed to meet every deadline still meetable: {:g} cases/day ({:g} more).\n",
                       f.required_capacity, f.required_capacity - f.capacity_per_day);
  } else {
    out += fmt::format("Capacity needed to meet every deadline still meetable: {:g} cases/day.\n", f.required_capacity);
  }
  if (f.intake_capacity > 0) {
    out += fmt::format("Capacity needed for new cases alone (the backlog aside): {:g} cases/day.\n", f.intake_capacity);
  }
  return out;
}

nlohmann::json ForecastToJson(const Forecast& f) {
  nlohmann::json bands = nlohmann::json::array();
  for (const auto& b : f.bands) {
    bands.push_back({{"band", BandKey(b.band)},
                     {"open", b.open_now},
                     {"overdue_now", b.overdue_now},
                     {"arriving", b.arriving},
                     {"worked", b.worked},
                     {"breaches", b.breaches},
                     {"waiting_at_end", b.waiting_at_end},
                     {"median_wait_days", b.median_wait_days},
                     {"max_wait_days", b.max_wait_days}});
  }
  nlohmann::json intake = nlohmann::json::object();
  for (Band b : kBandsHighestFirst) intake[std::string(BandKey(b))] = f.intake_per_day[BandIndex(b)];
  return {{"start", FormatIso8601(f.start)},
          {"days", f.days},
          {"capacity_per_day", f.capacity_per_day},
          {"intake_per_day", intake},
          {"bands", bands},
          {"breaches", f.breaches},
          {"overdue_now", f.overdue_now},
          {"held_out_of_low", f.held_out_of_low},
          {"planned_as_low", f.expected_low},
          {"no_access_chance", std::round(f.no_access_chance * 1000) / 1000},
          {"required_capacity_per_day", f.required_capacity},
          {"required_capacity_found", f.capacity_found},
          {"intake_capacity_per_day", f.intake_capacity},
          {"likely_high_breaches", f.likely_high_breaches},
          {"likely_high_capacity_per_day", f.likely_high_capacity}};
}

Result<Forecast> ForecastCase(const Case& c, std::int64_t now, const CaseForecastRequest& request) {
  if (!(request.capacity_per_day > 0)) return Status::InvalidArgument("the capacity must be more than 0 cases per day");
  if (request.days < 1 || request.days > 3650) return Status::InvalidArgument("days must be 1 to 3650");
  if (request.window_days < 1) return Status::InvalidArgument("the intake window must be at least 1 day");
  ForecastOptions options;
  options.capacity_per_day = request.capacity_per_day;
  options.days = request.days;
  HT_ASSIGN_OR_RETURN(const RiskModel model, LoadCaseRiskModel(c));
  HT_ASSIGN_OR_RETURN(auto entries, c.queue().Entries());
  options.intake_per_day = ObservedIntake(entries, now, request.window_days);
  if (request.intake_total_per_day) {
    const double total = *request.intake_total_per_day;
    if (total < 0) return Status::InvalidArgument("the intake cannot be negative");
    double observed = 0;
    for (double r : options.intake_per_day) observed += r;
    for (double& r : options.intake_per_day) r = observed > 0 ? r * total / observed : 0;
    if (observed <= 0) options.intake_per_day[BandIndex(Band::kMedium)] = total;
  }
  return ForecastCapacity(entries, now, options, model);
}

}  // namespace hashtriage::engine::risk

// The capacity forecast against a brute-force oracle (the whole backlog re-sorted every day with
// the test's own comparator), hand-computable cases, and the minimality of the capacity it asks for.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/risk/forecast.h"
#include "engine/risk/queue_rules.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

using testing::DefaultModel;
using testing::kDay;
using testing::kT0;

struct OracleBand {
  std::size_t worked = 0, breaches = 0, waiting = 0;
  double max_wait = 0;
};

// Day by day: arrivals (evenly spread), then the whole backlog sorted by (band desc, deadline,
// score desc, id) and the first `capacity` worked through the day.
std::array<OracleBand, kBandCount> Oracle(std::vector<QueueEntry> open, std::int64_t now, int capacity, int days,
                                          std::array<double, kBandCount> rate, const RiskModel& model) {
  std::array<OracleBand, kBandCount> out{};
  std::vector<bool> overdue_at_start;
  for (const auto& e : open) overdue_at_start.push_back(e.deadline <= now);
  struct Item {
    QueueEntry e;
    bool late_already;
  };
  std::vector<Item> backlog;
  for (std::size_t i = 0; i < open.size(); ++i) backlog.push_back({open[i], overdue_at_start[i]});
  std::array<double, kBandCount> acc{};
  int n = 0;
  for (int d = 0; d < days; ++d) {
    const std::int64_t t = now + d * kDay;
    for (int b = kBandCount - 1; b >= 0; --b) {
      acc[b] += rate[b];
      while (acc[b] >= 1.0 - 1e-9) {
        acc[b] -= 1.0;
        QueueEntry e;
        char id[32];
        std::snprintf(id, sizeof id, "~arrival%09d", ++n);
        e.subject_id = id;
        e.band = static_cast<Band>(b);
        e.entered_at = t;
        e.deadline = t + model.deadline_days[b] * kDay;
        e.score = model.band_min_score[b];
        backlog.push_back({e, false});
      }
    }
    // A case is ordered one band higher per escalate_overdue_every_days past its deadline.
    auto ordering = [&](const QueueEntry& e) {
      const std::int64_t every = model.escalate_overdue_every_days * kDay;
      const std::int64_t steps = every > 0 && t > e.deadline ? (t - e.deadline) / every : 0;
      const int cap = static_cast<int>(model.escalate_overdue_up_to);
      if (static_cast<int>(e.band) >= cap) return static_cast<std::int64_t>(e.band);
      return std::min<std::int64_t>(cap, static_cast<int>(e.band) + steps);
    };
    std::sort(backlog.begin(), backlog.end(), [&](const Item& x, const Item& y) {
      if (ordering(x.e) != ordering(y.e)) return ordering(x.e) > ordering(y.e);
      if (x.e.deadline != y.e.deadline) return x.e.deadline < y.e.deadline;
      if (x.e.score != y.e.score) return x.e.score > y.e.score;
      return x.e.subject_id < y.e.subject_id;
    });
    const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(capacity), backlog.size());
    for (std::size_t i = 0; i < k; ++i) {
      OracleBand& s = out[BandIndex(backlog[i].e.band)];
      ++s.worked;
      // Evenly through the working day: the (i+1)-th of `capacity` at (i+1)/capacity of the day.
      const double done = static_cast<double>(t) + static_cast<double>(kDay) * static_cast<double>(i + 1) / capacity;
      s.max_wait = std::max(s.max_wait, (done - static_cast<double>(backlog[i].e.entered_at)) / kDay);
      if (!backlog[i].late_already && done > static_cast<double>(backlog[i].e.deadline)) ++s.breaches;
    }
    backlog.erase(backlog.begin(), backlog.begin() + static_cast<std::ptrdiff_t>(k));
  }
  const std::int64_t end = now + days * kDay;
  for (const auto& item : backlog) {
    OracleBand& s = out[BandIndex(item.e.band)];
    ++s.waiting;
    s.max_wait = std::max(s.max_wait, static_cast<double>(end - item.e.entered_at) / kDay);
    if (!item.late_already && item.e.deadline < end) ++s.breaches;
  }
  return out;
}

std::vector<QueueEntry> RandomBacklog(std::mt19937& rng, int n, const RiskModel& model) {
  std::vector<QueueEntry> out;
  for (int i = 0; i < n; ++i) {
    QueueEntry e;
    e.subject_id = "S" + std::to_string(i);
    e.band = e.model_band = static_cast<Band>(rng() % 4);
    e.entered_at = kT0 - static_cast<std::int64_t>(rng() % 40) * kDay;
    e.deadline = DeadlineFor(e.entered_at, e.band, model);
    e.score = static_cast<int>(rng() % 80);
    out.push_back(e);
  }
  return out;
}

TEST(RiskForecastTest, AgreesWithABruteForceDayByDaySimulation) {
  RiskModel model = DefaultModel();
  std::mt19937 rng(11);
  for (int round = 0; round < 16; ++round) {
    model.escalate_overdue_every_days = round % 4 == 3 ? 0 : 7 * (1 + round % 3);
    model.escalate_overdue_up_to = static_cast<Band>(1 + round % 3);
    const auto backlog = RandomBacklog(rng, 20 + static_cast<int>(rng() % 200), model);
    ForecastOptions o;
    o.capacity_per_day = 1 + rng() % 15;
    o.days = 30 + static_cast<int>(rng() % 60);
    o.intake_per_day = {0.5 * (rng() % 10), 0.25 * (rng() % 12), 0.2 * (rng() % 10), 0.1 * (rng() % 5)};
    const Forecast f = SimulateQueue(backlog, kT0, o, model);
    const auto oracle = Oracle(backlog, kT0, static_cast<int>(o.capacity_per_day), o.days, o.intake_per_day, model);
    for (const auto& b : f.bands) {
      const OracleBand& want = oracle[BandIndex(b.band)];
      EXPECT_EQ(b.worked, want.worked) << "round " << round << " " << BandName(b.band);
      EXPECT_EQ(b.breaches, want.breaches) << "round " << round << " " << BandName(b.band);
      EXPECT_EQ(b.waiting_at_end, want.waiting) << "round " << round << " " << BandName(b.band);
      EXPECT_NEAR(b.max_wait_days, want.max_wait, 1e-6) << "round " << round << " " << BandName(b.band);
    }
  }
}

TEST(RiskForecastTest, RequiredCapacityIsTheSmallestThatMeetsEveryDeadline) {
  const RiskModel model = DefaultModel();
  std::mt19937 rng(5);
  const auto backlog = RandomBacklog(rng, 150, model);
  ForecastOptions o;
  o.capacity_per_day = 3;
  o.intake_per_day = {4, 5, 2, 0.3};
  o.expect_research = false;  // the search itself (ResearchMovesTheExpectedShareHeldOutOfLowToLow: the plan)
  const Forecast f = ForecastCapacity(backlog, kT0, o, model);
  ASSERT_TRUE(f.capacity_found);
  EXPECT_GT(f.breaches, 0u);
  EXPECT_GT(f.required_capacity, 3);
  auto breaches_at = [&](double c) {
    ForecastOptions x = o;
    x.capacity_per_day = c;
    return SimulateQueue(backlog, kT0, x, model).breaches;
  };
  EXPECT_EQ(breaches_at(f.required_capacity), 0u);
  EXPECT_GT(breaches_at(f.required_capacity - 1), 0u);
  // More capacity never means more breaches.
  std::size_t last = breaches_at(1);
  for (int c = 2; c <= f.required_capacity + 3; ++c) {
    const std::size_t now = breaches_at(c);
    EXPECT_LE(now, last) << c;
    last = now;
  }
  EXPECT_NE(ForecastText(f).find("PROJECTED BREACHES"), std::string::npos);
}

TEST(RiskForecastTest, SteadyStateByHand) {
  const RiskModel model = DefaultModel();
  ForecastOptions o;
  o.days = 90;
  o.intake_per_day = {2, 0, 0, 0};  // two Low cases a day
  o.capacity_per_day = 2;
  Forecast f = ForecastCapacity({}, kT0, o, model);
  EXPECT_EQ(f.breaches, 0u);
  EXPECT_EQ(f.bands.back().band, Band::kLow);
  EXPECT_EQ(f.bands.back().worked, 180u);
  EXPECT_DOUBLE_EQ(f.bands.back().max_wait_days, 1.0);
  EXPECT_EQ(f.required_capacity, 2);
  EXPECT_EQ(f.intake_capacity, 2);
  // One a day: the backlog grows by one a day; a case entering on day d waits until day 2d+1, so
  // every case from day 30 on misses its 30-day deadline within the 90 days.
  o.capacity_per_day = 1;
  f = SimulateQueue({}, kT0, o, model);
  EXPECT_EQ(f.bands.back().worked, 90u);
  EXPECT_EQ(f.bands.back().waiting_at_end, 90u);
  EXPECT_GT(f.breaches, 0u);
  const auto json = ForecastToJson(f);
  EXPECT_EQ(json["breaches"], f.breaches);
}

TEST(RiskForecastTest, ObservedIntakeCountsRecentEntriesPerBand) {
  std::vector<QueueEntry> entries;
  for (int d = 0; d < 56; ++d) {
    QueueEntry e;
    e.subject_id = "S" + std::to_string(d);
    e.band = d % 2 ? Band::kHigh : Band::kLow;
    e.entered_at = kT0 - d * kDay;
    entries.push_back(e);
  }
  const auto rate = ObservedIntake(entries, kT0, 28);
  // Entered in (kT0 - 28d, kT0]: days 0..27, 14 High and 14 Low.
  EXPECT_DOUBLE_EQ(rate[BandIndex(Band::kHigh)], 14.0 / 28);
  EXPECT_DOUBLE_EQ(rate[BandIndex(Band::kLow)], 14.0 / 28);
  EXPECT_DOUBLE_EQ(rate[BandIndex(Band::kMedium)], 0);
}

TEST(RiskForecastTest, ResearchMovesTheExpectedShareHeldOutOfLowToLow) {
  const RiskModel model = testing::DefaultModel();
  double no_access = 1;
  for (const auto& f : model.attributes) {
    if (f.access_to_children) no_access *= 1 - f.prevalence;
  }
  ASSERT_NEAR(no_access, 0.70 * 0.95 * 0.80, 1e-9);  // the shipped prevalences 0.30, 0.05, 0.20
  // 40 held out of Low (Medium, score 5), 10 Medium on points, 5 High; one held case overridden.
  std::vector<QueueEntry> entries;
  for (int i = 0; i < 55; ++i) {
    QueueEntry e;
    e.subject_id = "S" + std::to_string(100 + i);
    const Band band = i < 50 ? Band::kMedium : Band::kHigh;
    e.band = e.model_band = band;
    e.entered_at = kT0 - (60 - i) * kDay;
    e.deadline = DeadlineFor(e.entered_at, band, model);
    e.score = i < 40 ? 5 : i < 50 ? 20 : 40;
    entries.push_back(e);
  }
  entries[0].override_band = BandOverride{Band::kMedium, "seen", "a", kT0, Band::kMedium, 1};
  const auto expected = ExpectResearch(entries, model);
  const auto& planned = expected.entries;
  EXPECT_EQ(expected.held_out_of_low, 39u);
  ASSERT_EQ(planned.size(), entries.size());
  // Brute force: the running share over the 39 held cases, oldest first.
  double share = 0;
  std::size_t moved = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    bool expect_low = false;
    if (i >= 1 && i < 40) {
      share += no_access;
      if (share >= 1 - 1e-9) {
        share -= 1;
        expect_low = true;
      }
    }
    EXPECT_EQ(planned[i].band, expect_low ? Band::kLow : entries[i].band) << i;
    EXPECT_EQ(planned[i].deadline, expect_low ? DeadlineFor(entries[i].entered_at, Band::kLow, model) : entries[i].deadline);
    moved += expect_low;
  }
  EXPECT_EQ(moved, static_cast<std::size_t>(std::floor(39 * no_access + 1e-9)));
  ForecastOptions o;
  o.capacity_per_day = 1;
  o.intake_per_day = {0, 2, 0, 0};
  const Forecast f = ForecastCapacity(entries, kT0, o, model);
  EXPECT_EQ(f.held_out_of_low, 39u);
  EXPECT_EQ(f.expected_low, moved);
  // Medium cases of the last 28 days (entered after kT0 - 28 days: i = 33..49): 7 held, 10 on points;
  // that share of new Medium cases, times the chance of no access, is planned as Low.
  const double to_low = 2.0 * 7 / 17 * no_access;
  EXPECT_NEAR(f.intake_per_day[BandIndex(Band::kMedium)], 2 - to_low, 1e-9);
  EXPECT_NEAR(f.intake_per_day[BandIndex(Band::kLow)], to_low, 1e-9);
  EXPECT_NE(ForecastText(f).find(fmt::format("of 39 Medium case(s) held out of Low only because access to children is "
                                             "unknown, {} planned as Low (the model's 53% chance",
                                             moved)),
            std::string::npos)
      << ForecastText(f);
  o.expect_research = false;
  const Forecast raw = ForecastCapacity(entries, kT0, o, model);
  EXPECT_EQ(raw.expected_low, 0u);
  EXPECT_EQ(raw.breaches, SimulateQueue(entries, kT0, o, model).breaches);
}

}  // namespace
}  // namespace hashtriage::engine::risk

namespace hashtriage::engine::risk {
namespace {

// Twenty Medium cases due in 14 days, one worked a day: 14 meet the deadline, 6 miss it. Ordered by the
// outlook, the ten likely-High ones (named to sort last) are worked first and none of them misses; by
// deadline alone (ties by id) all six misses are likely-High ones. The forecast names them and the
// capacity that avoids them.
TEST(RiskForecastTest, NamesTheLikelyHighBreachesAndTheCapacityThatAvoidsThem) {
  RiskModel model = testing::DefaultModel();
  std::vector<QueueEntry> entries;
  for (int i = 0; i < 20; ++i) {
    QueueEntry e;
    e.subject_id = (i < 10 ? "A" : "Z") + std::to_string(i);
    e.band = e.model_band = Band::kMedium;
    e.entered_at = testing::kT0;
    e.deadline = DeadlineFor(e.entered_at, e.band, model);
    e.likely_high = i < 10 ? 100 : 700;
    e.score = model.band_min_score[BandIndex(Band::kMedium)];  // Medium on points, not held out of Low
    entries.push_back(e);
  }
  ForecastOptions o;
  o.days = 30;
  o.capacity_per_day = 1;
  Forecast f = ForecastCapacity(entries, testing::kT0, o, model);
  EXPECT_EQ(f.breaches, 6u);
  EXPECT_EQ(f.likely_high_breaches, 0u);
  EXPECT_EQ(f.likely_high_capacity, 1);
  EXPECT_EQ(f.required_capacity, 2);
  model.order_by_outlook = false;
  f = ForecastCapacity(entries, testing::kT0, o, model);
  EXPECT_EQ(f.breaches, 6u);
  EXPECT_EQ(f.likely_high_breaches, 6u);
  EXPECT_EQ(f.likely_high_capacity, 2);  // 20 in 14 days
  EXPECT_NE(ForecastText(f).find("Of them likely High or above (band High+, or P(High) >= 50% once researched): 6; "
                                 "capacity that avoids those: 2 cases/day."),
            std::string::npos)
      << ForecastText(f);
  EXPECT_EQ(ForecastToJson(f)["likely_high_breaches"], 6);
}

}  // namespace
}  // namespace hashtriage::engine::risk

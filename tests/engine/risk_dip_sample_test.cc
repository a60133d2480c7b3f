// The daily dip-sample: reproducible for a date and queue state, only open Medium/Low entries,
// weighted to the oldest, and its outcomes summarised.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "engine/risk/dip_sample.h"
#include "engine/time_util.h"
#include "tests/engine/risk_test_util.h"

namespace hashtriage::engine::risk {
namespace {

using testing::kDay;
using testing::kT0;

std::vector<QueueEntry> Population(int n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<QueueEntry> out;
  for (int i = 0; i < n; ++i) {
    QueueEntry e;
    e.subject_id = "S" + std::to_string(i);
    e.band = e.model_band = static_cast<Band>(rng() % 4);
    e.entered_at = kT0 - static_cast<std::int64_t>(rng() % 60) * kDay;
    if (rng() % 10 == 0) e.status = EntryStatus::kClosed;
    out.push_back(e);
  }
  return out;
}

std::vector<std::string> Ids(const DipSampleDraw& d) {
  std::vector<std::string> ids;
  for (const auto& i : d.items) ids.push_back(i.subject_id);
  return ids;
}

TEST(RiskDipSampleTest, SameDateAndQueueStateGiveTheSameSample) {
  auto q = Population(200, 1);
  const DipSampleDraw a = DrawDipSample(q, "2026-11-01", {});
  std::shuffle(q.begin(), q.end(), std::mt19937(99));
  const DipSampleDraw b = DrawDipSample(q, "2026-11-01", {});
  EXPECT_EQ(Ids(a), Ids(b));
  EXPECT_EQ(a.state_sha256, b.state_sha256);
  EXPECT_EQ(a.items.size(), 5u);
  // Other dates give other samples.
  int differing = 0;
  for (const char* date : {"2026-11-02", "2026-11-03", "2026-11-04"}) differing += Ids(DrawDipSample(q, date, {})) != Ids(a);
  EXPECT_EQ(differing, 3);
  // A changed queue (one Low/Medium candidate fewer) changes the recorded state digest.
  q.erase(std::find_if(q.begin(), q.end(), [](const QueueEntry& e) { return e.open() && e.band <= Band::kMedium; }));
  EXPECT_NE(DrawDipSample(q, "2026-11-01", {}).state_sha256, a.state_sha256);
}

TEST(RiskDipSampleTest, DrawsOnlyOpenMediumAndLowEntries) {
  const auto q = Population(300, 2);
  std::set<std::string> allowed;
  for (const auto& e : q) {
    if (e.open() && (e.band == Band::kMedium || e.band == Band::kLow)) allowed.insert(e.subject_id);
  }
  for (int day = 0; day < 50; ++day) {
    const DipSampleDraw d = DrawDipSample(q, FormatDate(kT0 + day * kDay), {.size = 20});
    EXPECT_EQ(d.candidates, allowed.size());
    EXPECT_EQ(d.items.size(), 20u);
    std::set<std::string> unique;
    for (const auto& i : d.items) {
      EXPECT_TRUE(allowed.count(i.subject_id)) << i.subject_id << " " << BandName(i.band);
      unique.insert(i.subject_id);
    }
    EXPECT_EQ(unique.size(), d.items.size()) << "drawn without replacement";
  }
  // Asking for more than there are gives all of them.
  EXPECT_EQ(DrawDipSample(q, "2026-11-01", {.size = 10000}).items.size(), allowed.size());
}

TEST(RiskDipSampleTest, WeightedTowardsTheOldest) {
  // Half the candidates entered 50 days ago, half today: with weight 1 + days, old ones should be
  // about 51 times as likely per draw; require a clear majority over many dates.
  std::vector<QueueEntry> q;
  for (int i = 0; i < 100; ++i) {
    QueueEntry e;
    e.subject_id = "S" + std::to_string(i);
    e.band = Band::kLow;
    e.entered_at = i % 2 ? kT0 - 50 * kDay : kT0;
    q.push_back(e);
  }
  auto age_at = [&q](std::int64_t at) {
    for (auto& e : q) e.entered_at = (std::stoi(e.subject_id.substr(1)) % 2) ? at - 50 * kDay : at;
  };
  int old_drawn = 0, total = 0;
  for (int day = 0; day < 100; ++day) {
    const std::int64_t at = kT0 + day * kDay;
    age_at(at);
    for (const auto& item : DrawDipSample(q, FormatDate(at), {}).items) {
      old_drawn += item.days_in_queue == 50;
      ++total;
    }
  }
  EXPECT_EQ(total, 500);
  EXPECT_GT(old_drawn, total * 9 / 10) << old_drawn << " of " << total;
  // With no age weighting the split is even-ish.
  int unweighted_old = 0;
  for (int day = 0; day < 100; ++day) {
    age_at(kT0 + day * kDay);
    for (const auto& item : DrawDipSample(q, FormatDate(kT0 + day * kDay), {.age_weight_per_day = 0}).items) {
      unweighted_old += item.days_in_queue == 50;
    }
  }
  EXPECT_GT(unweighted_old, 150);
  EXPECT_LT(unweighted_old, 350);
}

TEST(RiskDipSampleTest, SummaryCountsRegradesFromDecisions) {
  DipSampleDraw draw;
  draw.date = "2026-11-05";
  draw.items = {{"A", Band::kLow, Band::kLow, kT0, 4},
                {"B", Band::kMedium, Band::kMedium, kT0, 4},
                {"C", Band::kMedium, Band::kMedium, kT0, 4},
                {"D", Band::kLow, Band::kLow, kT0, 4},
                {"E", Band::kLow, Band::kLow, kT0, 4}};
  auto decision = [&](std::uint64_t id, std::string subject, Outcome o, std::optional<Band> band) {
    Decision d;
    d.id = id;
    d.subject_id = std::move(subject);
    d.outcome = o;
    d.band = band;
    d.dip_sample = draw.key();
    return d;
  };
  std::vector<Decision> decisions = {decision(1, "A", Outcome::kKeep, Band::kHigh),
                                     decision(2, "B", Outcome::kKeep, Band::kLow),
                                     decision(3, "C", Outcome::kKeep, std::nullopt),
                                     decision(4, "D", Outcome::kKeep, Band::kLow),
                                     decision(5, "D", Outcome::kInvestigate, std::nullopt),
                                     decision(6, "E", Outcome::kKeep, Band::kVeryHigh)};
  decisions.back().dip_sample = "2026-11-04#1";  // answers another draw
  const DipSampleSummary s = SummariseDipSample(draw, decisions);
  EXPECT_EQ(s.sampled, 5u);
  EXPECT_EQ(s.reviewed, 4u);
  EXPECT_EQ(s.regraded_up, 1u);
  EXPECT_EQ(s.regraded_down, 1u);
  EXPECT_EQ(s.unchanged, 1u);
  EXPECT_EQ(s.investigated, 1u);
  auto back = DipSampleFromJson(DipSampleToJson(draw));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Ids(*back), Ids(draw));
}

}  // namespace
}  // namespace hashtriage::engine::risk

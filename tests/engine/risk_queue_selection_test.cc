// One screen of the queue (SelectQueueRows): every filter, sort and page checked against a brute-force
// reading of the same rows — each row tested against the filters' plain definitions, the chosen rows
// ordered by a full comparison with the queue position as the tie-break — over random queues and
// random selections; and the filter names a person can type.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "engine/risk/queue_selection.h"

namespace hashtriage::engine::risk {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

std::vector<QueueRow> RandomQueue(std::mt19937& rng, std::size_t n) {
  std::vector<QueueRow> rows;
  auto pick = [&](int k) { return static_cast<int>(rng() % k); };
  for (std::size_t i = 0; i < n; ++i) {
    QueueRow row;
    row.rank = i + 1;
    QueueEntry& e = row.entry;
    e.subject_id = "s" + std::to_string(i);
    e.band = kBandsHighestFirst[pick(4)];
    e.deadline = kNow + (pick(20) - 8) * 86400;  // some overdue
    e.score = pick(60);
    e.entered_at = kNow - pick(40) * 86400;
    e.owner = std::vector<std::string>{"", "", "alice", "bob"}[pick(4)];
    e.area = std::vector<std::string>{"", "N", "S"}[pick(3)];
    e.episode = pick(4) == 0 ? 2 : 1;
    if (pick(5) == 0) e.review_flag = ReviewFlag{kNow, Band::kHigh, "model disagrees"};
    row.ordering_band = pick(6) == 0 ? Band::kVeryHigh : e.band;
    rows.push_back(row);
  }
  return rows;
}

bool Passes(const QueueRow& r, const QueueSelection& s, bool with_band) {
  const QueueEntry& e = r.entry;
  const bool overdue = kNow > e.deadline;
  if (s.overdue_only && !overdue) return false;
  if (s.status == QueueStatusFilter::kFlagged && !e.review_flag) return false;
  if (s.status == QueueStatusFilter::kEscalated && r.ordering_band == e.band) return false;
  if (s.status == QueueStatusFilter::kReopened && e.episode < 2) return false;
  if (!s.owner.empty() && e.owner != s.owner) return false;
  if (s.unowned_only && !e.owner.empty()) return false;
  if (!s.area.empty() && e.area != s.area) return false;
  if (with_band && s.band && e.band != *s.band) return false;
  return true;
}

TEST(QueueSelectionTest, EveryFilterSortAndPageAgreesWithABruteForceReading) {
  std::mt19937 rng(20261205);
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const auto rows = RandomQueue(rng, 1 + rng() % 120);
    QueueSelection s;
    if (rng() % 2) s.band = kBandsHighestFirst[rng() % 4];
    s.status = static_cast<QueueStatusFilter>(rng() % 4);
    s.overdue_only = rng() % 3 == 0;
    s.owner = std::vector<std::string>{"", "", "alice"}[rng() % 3];
    s.unowned_only = s.owner.empty() && rng() % 4 == 0;
    s.area = std::vector<std::string>{"", "", "N"}[rng() % 3];
    s.sort = static_cast<QueueSort>(rng() % 4);
    s.offset = rng() % 30;
    s.limit = 1 + rng() % 40;
    const QueueSelected got = SelectQueueRows(rows, s, kNow);

    std::vector<std::size_t> chosen;
    std::map<std::string, std::size_t> per_band;
    for (Band b : kBandsHighestFirst) per_band[std::string(BandKey(b))] = 0;
    std::size_t overdue = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!Passes(rows[i], s, false)) continue;
      ++per_band[std::string(BandKey(rows[i].entry.band))];
      if (!Passes(rows[i], s, true)) continue;
      chosen.push_back(i);
      overdue += kNow > rows[i].entry.deadline;
    }
    auto key = [&](std::size_t i) {
      const QueueEntry& e = rows[i].entry;
      switch (s.sort) {
        case QueueSort::kDeadline: return std::make_tuple(e.deadline, i);
        case QueueSort::kScore: return std::make_tuple(static_cast<std::int64_t>(-e.score), i);
        case QueueSort::kAge: return std::make_tuple(e.entered_at, i);
        case QueueSort::kQueue: break;
      }
      return std::make_tuple(std::int64_t{0}, i);
    };
    std::sort(chosen.begin(), chosen.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<std::string> want;
    for (std::size_t k = s.offset; k < chosen.size() && want.size() < s.limit; ++k) want.push_back(rows[chosen[k]].entry.subject_id);
    std::vector<std::string> page;
    for (const auto& r : got.page) page.push_back(r.entry.subject_id);
    ASSERT_EQ(page, want) << "trial " << trial;
    ASSERT_EQ(got.total, chosen.size()) << "trial " << trial;
    ASSERT_EQ(got.per_band, per_band) << "trial " << trial;
    ASSERT_EQ(got.overdue, overdue) << "trial " << trial;
    ++checked;
  }
  EXPECT_EQ(checked, 400);
}

TEST(QueueSelectionTest, FilterAndSortNamesAreCheckedAndErrorsNameTheChoices) {
  EXPECT_EQ(*ParseQueueStatusFilter(""), QueueStatusFilter::kAll);
  EXPECT_EQ(*ParseQueueStatusFilter("flagged"), QueueStatusFilter::kFlagged);
  EXPECT_EQ(*ParseQueueStatusFilter("escalated"), QueueStatusFilter::kEscalated);
  EXPECT_EQ(*ParseQueueStatusFilter("reopened"), QueueStatusFilter::kReopened);
  const auto bad = ParseQueueStatusFilter("urgent");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "status must be all, flagged, escalated or reopened");
  EXPECT_EQ(*ParseQueueSort("deadline"), QueueSort::kDeadline);
  EXPECT_FALSE(ParseQueueSort("name").ok());
}

}  // namespace
}  // namespace hashtriage::engine::risk

#include "engine/risk/queue_selection.h"

#include <algorithm>

namespace hashtriage::engine::risk {

Result<QueueSort> ParseQueueSort(const std::string& text) {
  if (text.empty() || text == "queue") return QueueSort::kQueue;
  if (text == "deadline") return QueueSort::kDeadline;
  if (text == "score") return QueueSort::kScore;
  if (text == "age") return QueueSort::kAge;
  return Status::InvalidArgument("sort must be queue, deadline, score or age");
}

Result<QueueStatusFilter> ParseQueueStatusFilter(const std::string& text) {
  if (text.empty() || text == "all") return QueueStatusFilter::kAll;
  if (text == "flagged") return QueueStatusFilter::kFlagged;
  if (text == "escalated") return QueueStatusFilter::kEscalated;
  if (text == "reopened") return QueueStatusFilter::kReopened;
  return Status::InvalidArgument("status must be all, flagged, escalated or reopened");
}

namespace {

bool PassesStatus(const QueueRow& row, QueueStatusFilter status) {
  switch (status) {
    case QueueStatusFilter::kAll: return true;
    case QueueStatusFilter::kFlagged: return row.entry.review_flag.has_value();
    case QueueStatusFilter::kEscalated: return row.ordering_band != row.entry.band;
    case QueueStatusFilter::kReopened: return row.entry.episode > 1;
  }
  return true;
}

}  // namespace

QueueSelected SelectQueueRows(const std::vector<QueueRow>& rows, const QueueSelection& s, std::int64_t now) {
  QueueSelected out;
  for (Band b : kBandsHighestFirst) out.per_band[std::string(BandKey(b))] = 0;
  std::vector<const QueueRow*> chosen;
  for (const QueueRow& row : rows) {
    const QueueEntry& e = row.entry;
    if (s.overdue_only && !e.overdue(now)) continue;
    if (!PassesStatus(row, s.status)) continue;
    if (!s.owner.empty() && e.owner != s.owner) continue;
    if (s.unowned_only && !e.owner.empty()) continue;
    if (!s.area.empty() && e.area != s.area) continue;
    ++out.per_band[std::string(BandKey(e.band))];
    if (s.band && e.band != *s.band) continue;
    if (e.overdue(now)) ++out.overdue;
    chosen.push_back(&row);
  }
  out.total = chosen.size();
  // Ties keep queue order (stable): the queue's own order is the fair one among equals.
  switch (s.sort) {
    case QueueSort::kQueue: break;
    case QueueSort::kDeadline:
      std::stable_sort(chosen.begin(), chosen.end(),
                       [](const QueueRow* a, const QueueRow* b) { return a->entry.deadline < b->entry.deadline; });
      break;
    case QueueSort::kScore:
      std::stable_sort(chosen.begin(), chosen.end(),
                       [](const QueueRow* a, const QueueRow* b) { return a->entry.score > b->entry.score; });
      break;
    case QueueSort::kAge:
      std::stable_sort(chosen.begin(), chosen.end(),
                       [](const QueueRow* a, const QueueRow* b) { return a->entry.entered_at < b->entry.entered_at; });
      break;
  }
  for (std::size_t i = s.offset; i < chosen.size() && out.page.size() < s.limit; ++i) out.page.push_back(*chosen[i]);
  return out;
}

}  // namespace hashtriage::engine::risk

// One screen of the queue: the rows of the queue view that pass a person's filters (band, status,
// overdue, owner, area), in the order they chose (queue order by default, or deadline, score, time in queue),
// one page of them, and the count per band of the rows that pass every filter but the band one (so
// the band tabs say how many each would show). Pure: the rows come from the queue view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/risk/queue_view.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

enum class QueueSort { kQueue, kDeadline, kScore, kAge };
// Which open entries, by their state: all; flagged for review (a re-score disagrees with a person's
// override); escalated (long overdue, ordered in a higher band); re-opened (new intelligence after a
// closing decision).
enum class QueueStatusFilter { kAll, kFlagged, kEscalated, kReopened };

struct QueueSelection {
  std::optional<Band> band;   // the band shown (the band after any override)
  QueueStatusFilter status = QueueStatusFilter::kAll;
  bool overdue_only = false;
  std::string owner;          // only subjects held by this person ("" = anyone's or no one's)
  bool unowned_only = false;  // only subjects no one holds
  std::string area;           // area code ("" = all)
  QueueSort sort = QueueSort::kQueue;
  std::size_t offset = 0;
  std::size_t limit = 50;
};

struct QueueSelected {
  std::vector<QueueRow> page;
  std::size_t total = 0;                       // rows passing every filter
  std::map<std::string, std::size_t> per_band;  // BandKey -> rows passing every filter but the band
  std::size_t overdue = 0;                      // of `total`, overdue now
};

// "queue", "deadline", "score", "age" -> QueueSort (InvalidArgument naming the choices otherwise).
Result<QueueSort> ParseQueueSort(const std::string& text);
// "", "flagged", "escalated", "reopened" -> QueueStatusFilter (InvalidArgument naming the choices otherwise).
Result<QueueStatusFilter> ParseQueueStatusFilter(const std::string& text);

QueueSelected SelectQueueRows(const std::vector<QueueRow>& rows, const QueueSelection& selection, std::int64_t now);

}  // namespace hashtriage::engine::risk

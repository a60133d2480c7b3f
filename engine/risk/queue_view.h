// The queue as people read it: every queue entry joined with its latest assessment, ordered by the
// queue rules and numbered, and rendered as a terminal table, CSV, JSON or one self-contained HTML
// page (no images, no scripts, no external assets; every text escaped). The columns follow
// ../shared/docs/formats.md: rank, subject, band, deadline, score, urgency flags, top factors, hits by
// category, age in queue, owner, status (plus model band, overdue, research tasks, review flag).
// Rendering functions are pure; LoadQueueView reads the case. Thread-safety: as the case.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/risk/assessment.h"
#include "engine/risk/queue_entry.h"

namespace hashtriage::engine::risk {

struct QueueRow {
  std::size_t rank = 0;            // 1-based over the rows shown (closed rows are not ranked: 0)
  QueueEntry entry;
  Band ordering_band = Band::kLow;  // the band it is ordered in (raised when long overdue)
  // Percentage points its likelihood of High counts more in the order now (InHighDeadlineWindow), or 0.
  int high_deadline_boost = 0;
  std::int64_t high_deadline = 0;  // ...the deadline it would have as a High case, when boosted
  std::optional<Assessment> assessment;
};

struct QueueViewOptions {
  // Also list entries closed by a decision (after the open ones, unranked). Default: false.
  bool include_closed = false;
  // Only subjects with this area code ("" = all). Default: "".
  std::string area;
  // Read each row's latest assessment (one read per row). A server showing one page of a large
  // queue leaves them out and fills in only the page's rows (FillAssessments). Default: true.
  bool with_assessments = true;
};

Result<std::vector<QueueRow>> LoadQueueView(const Case& case_store, std::int64_t now, const RiskModel& model,
                                            const QueueViewOptions& options);

// Reads the latest assessment of each of `rows` (those without one).
Status FillAssessments(const Case& case_store, std::vector<QueueRow>& rows);

// What the export header says about where the queue came from.
struct QueueViewContext {
  std::int64_t now = 0;
  std::string case_path;
  std::string model_name;
  std::string model_sha256;
};

std::string QueueText(const std::vector<QueueRow>& rows, const QueueViewContext& context);
std::string QueueCsv(const std::vector<QueueRow>& rows, const QueueViewContext& context);
nlohmann::ordered_json QueueJson(const std::vector<QueueRow>& rows, const QueueViewContext& context);
std::string QueueHtml(const std::vector<QueueRow>& rows, const QueueViewContext& context);

// "open", "overdue", "overdue, escalated to Medium", "closed: investigate"...
std::string RowStatus(const QueueRow& row, std::int64_t now);
// What is still unknown about the row, in words ("38% likely High once known: Lives with children +25
// (30% had it); ..." and, when it applies, the High-deadline note); "" when nothing is unknown or an
// urgency rule fires. The text queue, `--json` (outlook_text) and the browser all show this line.
std::string OutlookLine(const QueueRow& row);

}  // namespace hashtriage::engine::risk

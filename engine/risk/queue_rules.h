// The queue's rules as pure functions, kept apart from storage so tests and the bench drive them
// directly: entering the queue, deadlines (set at entry; a higher band shortens, a lower band never
// extends), re-opening on new intelligence, overrides that re-scoring never reverts (a disagreeing
// re-score raises a flag instead), closing only by a recorded decision, and the queue order
// (band, overdue first, deadline, score). No state; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/risk/assessment.h"
#include "engine/risk/queue_entry.h"
#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"

namespace hashtriage::engine::risk {

// The intelligence that puts a subject in the queue and re-opens it.
struct Activity {
  std::string display_name;  // carried onto the entry for readers (never scored)
  std::string area;          // carried onto the entry for routing (never scored)
  std::uint64_t referrals = 0;
  std::uint64_t hits = 0;
  std::optional<std::int64_t> first_activity;
  std::optional<std::int64_t> last_activity;
  bool eligible() const { return referrals > 0 || hits > 0; }
};
Activity ActivityOf(const SubjectProfile& profile);

// The outcome of applying a fresh assessment to a subject's queue entry.
struct EntryUpdate {
  QueueEntry entry;
  bool entered = false;    // first time in the queue
  bool reopened = false;   // a closed entry re-opened by a later referral or hit
  std::optional<Band> model_band_before;      // set when the model's band changed
  std::optional<Band> effective_band_before;  // set when the effective band changed
  bool newly_flagged = false;  // the model now disagrees with a human override
};

// nullopt when the subject has neither referral nor hit and was never queued.
// A new entry is dated at the activity that first gave the subject a referral or hit.
std::optional<EntryUpdate> ApplyAssessment(const std::optional<QueueEntry>& prior, const Assessment& assessment,
                                           const Activity& activity, std::int64_t now, const RiskModel& model);

// entered_at + the band's deadline, but never later than `current` (when given).
std::int64_t DeadlineFor(std::int64_t entered_at, Band band, const RiskModel& model,
                         std::optional<std::int64_t> current = std::nullopt);

// Applies a recorded decision (its id, time, reason and name already set). Closing outcomes end
// the episode (and any override); keep may set or clear an override and an owner, and clears the
// review flag. InvalidArgument for a decision on a closed entry.
Result<QueueEntry> ApplyDecision(const QueueEntry& entry, const Decision& decision, const RiskModel& model);

// The open entry of a subject that was merged into `survivor`: closed ("merged into S-1"), because the
// same person must not sit in the queue twice. Its deadline passes to the survivor (see
// InheritDeadline).
QueueEntry CloseAsMerged(QueueEntry entry, const std::string& survivor, std::int64_t now);
// The survivor's entry after inheriting a merged subject's open entry: the earlier deadline and entry
// date of the two, so merging never postpones anyone's work.
void InheritDeadline(QueueEntry& survivor, const QueueEntry& merged);

// The band an open case is ordered in at `now`: its effective band, raised one band (up to Very
// High) for every model.escalate_overdue_every_days it is past its deadline.
Band OrderingBand(const QueueEntry& entry, std::int64_t now, const RiskModel& model);

// Strict weak order of the queue: open before closed; higher ordering band first; within it, overdue
// first, then earlier deadline, then higher score, then subject id.
bool QueueBefore(const QueueEntry& a, const QueueEntry& b, std::int64_t now, const RiskModel& model);
// The likelihood (per mille) a case is ordered by within its band at `now`: its likely_high, plus
// model.high_deadline_boost points when InHighDeadlineWindow.
int OrderingLikelihood(const QueueEntry& entry, std::int64_t now, const RiskModel& model);
// Open, ordered below High, could be High (likely_high > 0), and within the last
// model.high_deadline_window_days days before entered + High's deadline days.
bool InHighDeadlineWindow(const QueueEntry& entry, std::int64_t now, const RiskModel& model);
// The queue in working order: QueueBefore, with every model.long_overdue_every-th open place given to
// the case longest past its deadline among those escalate_overdue_every_days or more past it.
void SortQueue(std::vector<QueueEntry>& entries, std::int64_t now, const RiskModel& model);
// Open and at least escalate_overdue_every_days past its deadline.
bool LongOverdue(const QueueEntry& entry, std::int64_t now, const RiskModel& model);

// Whole days in the queue at `now` (closed entries: until closing).
std::int64_t DaysInQueue(const QueueEntry& entry, std::int64_t now);

}  // namespace hashtriage::engine::risk

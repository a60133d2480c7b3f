#include "engine/risk/queue_rules.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <tuple>

namespace hashtriage::engine::risk {

Activity ActivityOf(const SubjectProfile& profile) {
  return {profile.display_name, profile.area,          profile.referral_ids.size(),
          profile.hits.size(),  profile.first_activity, profile.last_activity};
}

std::int64_t DeadlineFor(std::int64_t entered_at, Band band, const RiskModel& model,
                         std::optional<std::int64_t> current) {
  const std::int64_t by_band = entered_at + model.DeadlineSeconds(band);
  return current ? std::min(*current, by_band) : by_band;
}

namespace {

void RecordActivity(QueueEntry& e, const Activity& activity) {
  e.referrals = activity.referrals;
  e.hits = activity.hits;
  e.last_activity = activity.last_activity.value_or(e.last_activity);
  e.display_name = activity.display_name;
  e.area = activity.area;
}

bool NewIntelligenceSinceClose(const QueueEntry& e, const Activity& activity) {
  return activity.referrals > e.referrals_at_close || activity.hits > e.hits_at_close ||
         (activity.last_activity && *activity.last_activity > e.last_activity_at_close);
}

int LikelyHigh(const Assessment& a) { return static_cast<int>(std::lround(1000 * a.outlook.p_high)); }

}  // namespace

std::optional<EntryUpdate> ApplyAssessment(const std::optional<QueueEntry>& prior, const Assessment& assessment,
                                           const Activity& activity, std::int64_t now, const RiskModel& model) {
  EntryUpdate update;
  QueueEntry& e = update.entry;
  if (!prior) {
    if (!activity.eligible()) return std::nullopt;
    e.subject_id = assessment.subject_id;
    e.entered_at = activity.first_activity.value_or(now);
    e.model_band = e.band = assessment.model_band;
    e.deadline = DeadlineFor(e.entered_at, e.band, model);
    e.score = assessment.score;
    e.likely_high = LikelyHigh(assessment);
    RecordActivity(e, activity);
    update.entered = true;
    return update;
  }
  e = *prior;
  const Band old_effective = e.band;
  if (e.model_band != assessment.model_band) update.model_band_before = e.model_band;
  e.model_band = assessment.model_band;
  e.score = assessment.score;
  e.likely_high = LikelyHigh(assessment);

  if (!e.open()) {
    if (activity.eligible() && NewIntelligenceSinceClose(e, activity)) {
      // A later referral or hit re-opens the subject: a new episode, dated at that intelligence.
      const bool dated = activity.last_activity && *activity.last_activity > e.closed_at;
      e.status = EntryStatus::kOpen;
      ++e.episode;
      e.entered_at = dated ? *activity.last_activity : now;
      e.band = e.model_band;
      e.deadline = DeadlineFor(e.entered_at, e.band, model);
      e.owner.clear();
      update.reopened = true;
    }
    RecordActivity(e, activity);
    if (update.reopened && e.band != old_effective) update.effective_band_before = old_effective;
    return update;
  }

  if (e.override_band) {
    // Never silently reverted: the human's band holds; a model that has moved since is flagged.
    const BandOverride& o = *e.override_band;
    if (e.model_band != o.model_band_at_override) {
      if (!e.review_flag || e.review_flag->model_band != e.model_band) {
        e.review_flag = ReviewFlag{now, e.model_band,
                                   "model now says " + std::string(BandName(e.model_band)) + " (it said " +
                                       std::string(BandName(o.model_band_at_override)) + " when " + o.by +
                                       " set " + std::string(BandName(o.band)) + ")"};
        update.newly_flagged = true;
      }
    } else {
      e.review_flag.reset();
    }
  } else {
    e.band = e.model_band;
    e.deadline = DeadlineFor(e.entered_at, e.band, model, e.deadline);
  }
  RecordActivity(e, activity);
  if (e.band != old_effective) update.effective_band_before = old_effective;
  return update;
}

Result<QueueEntry> ApplyDecision(const QueueEntry& entry, const Decision& decision, const RiskModel& model) {
  if (!entry.open()) {
    return Status::InvalidArgument("subject " + entry.subject_id + ": queue entry already closed (" +
                                   entry.closed_outcome + ", decision " + std::to_string(entry.closed_decision) +
                                   "); a later referral or hit re-opens it");
  }
  QueueEntry e = entry;
  e.review_flag.reset();
  if (!decision.assign.empty()) e.owner = decision.assign;
  if (decision.outcome != Outcome::kKeep) {
    e.status = EntryStatus::kClosed;
    e.closed_at = decision.at;
    e.closed_outcome = std::string(OutcomeName(decision.outcome));
    e.closed_decision = decision.id;
    e.referrals_at_close = e.referrals;
    e.hits_at_close = e.hits;
    e.last_activity_at_close = std::max(e.last_activity, decision.at);
    e.override_band.reset();
    return e;
  }
  if (decision.clear_override) {
    e.override_band.reset();
    e.band = e.model_band;
  } else if (decision.band) {
    e.override_band = BandOverride{*decision.band, decision.reason,   decision.by,
                                   decision.at,    e.model_band,      decision.id};
    e.band = *decision.band;
  }
  // Deadlines never move later within an episode, whoever changes the band.
  e.deadline = DeadlineFor(e.entered_at, e.band, model, e.deadline);
  return e;
}

QueueEntry CloseAsMerged(QueueEntry e, const std::string& survivor, std::int64_t now) {
  e.status = EntryStatus::kClosed;
  e.closed_at = now;
  e.closed_outcome = "merged into " + survivor;
  e.closed_decision = 0;
  e.referrals_at_close = e.referrals;
  e.hits_at_close = e.hits;
  e.last_activity_at_close = e.last_activity;
  e.review_flag.reset();
  return e;
}

void InheritDeadline(QueueEntry& survivor, const QueueEntry& merged) {
  if (!survivor.open() || !merged.open()) return;
  survivor.deadline = std::min(survivor.deadline, merged.deadline);
  survivor.entered_at = std::min(survivor.entered_at, merged.entered_at);
}

Band OrderingBand(const QueueEntry& entry, std::int64_t now, const RiskModel& model) {
  const Band band = entry.band;
  if (!entry.overdue(now) || model.escalate_overdue_every_days <= 0) return band;
  const std::int64_t steps = (now - entry.deadline) / (static_cast<std::int64_t>(model.escalate_overdue_every_days) * 86400);
  if (BandIndex(band) >= BandIndex(model.escalate_overdue_up_to)) return band;
  return static_cast<Band>(std::min<std::int64_t>(BandIndex(model.escalate_overdue_up_to), BandIndex(band) + steps));
}

namespace {

// InHighDeadlineWindow given the band the entry is ordered in (computed once per comparison key).
bool InHighDeadlineWindow(const QueueEntry& entry, Band ordering_band, std::int64_t now, const RiskModel& model) {
  if (!entry.open() || model.high_deadline_boost <= 0 || entry.likely_high <= 0 || ordering_band >= Band::kHigh) {
    return false;
  }
  const std::int64_t high_deadline = entry.entered_at + model.DeadlineSeconds(Band::kHigh);
  return now <= high_deadline && high_deadline - now <= model.high_deadline_window_days * std::int64_t{86400};
}

int OrderingLikelihood(const QueueEntry& entry, Band ordering_band, std::int64_t now, const RiskModel& model) {
  return entry.likely_high +
         (InHighDeadlineWindow(entry, ordering_band, now, model) ? 10 * model.high_deadline_boost : 0);
}

}  // namespace

bool QueueBefore(const QueueEntry& a, const QueueEntry& b, std::int64_t now, const RiskModel& model) {
  auto key = [now, &model](const QueueEntry& e) {
    const Band band = OrderingBand(e, now, model);
    return std::make_tuple(e.open() ? 0 : 1, -BandIndex(band),
                           model.order_by_outlook ? -OrderingLikelihood(e, band, now, model) : 0,
                           e.overdue(now) ? 0 : 1, e.deadline, -e.score);
  };
  const auto ka = key(a);
  const auto kb = key(b);
  if (ka != kb) return ka < kb;
  return a.subject_id < b.subject_id;
}

bool InHighDeadlineWindow(const QueueEntry& entry, std::int64_t now, const RiskModel& model) {
  return InHighDeadlineWindow(entry, OrderingBand(entry, now, model), now, model);
}

int OrderingLikelihood(const QueueEntry& entry, std::int64_t now, const RiskModel& model) {
  return OrderingLikelihood(entry, OrderingBand(entry, now, model), now, model);
}

bool LongOverdue(const QueueEntry& entry, std::int64_t now, const RiskModel& model) {
  return entry.open() && model.escalate_overdue_every_days > 0 &&
         now - entry.deadline >= static_cast<std::int64_t>(model.escalate_overdue_every_days) * 86400;
}

void SortQueue(std::vector<QueueEntry>& entries, std::int64_t now, const RiskModel& model) {
  auto before = [now, &model](const QueueEntry& a, const QueueEntry& b) { return QueueBefore(a, b, now, model); };
  std::sort(entries.begin(), entries.end(), before);
  if (model.long_overdue_every <= 0) return;
  // Every long_overdue_every-th place goes to the longest-overdue case not yet placed, when that case
  // is not already there by the order above.
  std::vector<QueueEntry> overdue;
  for (const auto& e : entries) {
    if (LongOverdue(e, now, model)) overdue.push_back(e);
  }
  if (overdue.empty()) return;
  std::stable_sort(overdue.begin(), overdue.end(),
                   [](const QueueEntry& a, const QueueEntry& b) { return a.deadline < b.deadline; });
  std::vector<QueueEntry> merged;
  merged.reserve(entries.size());
  std::set<std::string> placed;
  std::size_t next_overdue = 0;
  auto take = [&](const QueueEntry& e) {
    if (placed.insert(e.subject_id).second) merged.push_back(e);
  };
  // Places among cases ordered below High (High and Very High are never pushed back).
  std::size_t lower_places = 0;
  for (const auto& e : entries) {
    if (e.open() && OrderingBand(e, now, model) < Band::kHigh) {
      if (lower_places % static_cast<std::size_t>(model.long_overdue_every) ==
          static_cast<std::size_t>(model.long_overdue_every) - 1) {
        while (next_overdue < overdue.size() && placed.contains(overdue[next_overdue].subject_id)) ++next_overdue;
        if (next_overdue < overdue.size()) {
          take(overdue[next_overdue++]);
          ++lower_places;
        }
      }
      if (!placed.contains(e.subject_id)) ++lower_places;
    }
    take(e);
  }
  entries = std::move(merged);
}

std::int64_t DaysInQueue(const QueueEntry& entry, std::int64_t now) {
  const std::int64_t end = entry.open() ? now : entry.closed_at;
  return end > entry.entered_at ? (end - entry.entered_at) / 86400 : 0;
}

}  // namespace hashtriage::engine::risk

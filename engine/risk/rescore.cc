#include "engine/risk/rescore.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <optional>
#include <sstream>

#include "engine/case/case_settings.h"
#include "engine/case/conflict_retry.h"
#include "engine/case/queue_store.h"
#include "engine/risk/assessment.h"
#include "engine/risk/queue_rules.h"
#include "engine/subjects/subject_profiles.h"

namespace hashtriage::engine::risk {

namespace {

std::string DescribeChange(const std::optional<AssessmentRecord>& prior, const Assessment& now,
                           const EntryUpdate& update) {
  const std::string why = prior ? ExplainChange(prior->assessment, now) : "";
  const QueueEntry& e = update.entry;
  if (update.effective_band_before) {
    std::string text = std::string(BandName(*update.effective_band_before)) + " -> " + std::string(BandName(e.band));
    return why.empty() ? text : text + ": " + why;
  }
  if (update.model_band_before) {
    std::string text = "model " + std::string(BandName(*update.model_band_before)) + " -> " +
                       std::string(BandName(e.model_band));
    if (e.override_band) {
      text += "; override " + std::string(BandName(e.override_band->band)) + " by " + e.override_band->by + " holds";
      if (e.review_flag) text += "; flagged for review";
    } else if (!e.open()) {
      text += " (queue entry closed)";
    }
    return why.empty() ? text : text + ": " + why;
  }
  return "";
}

std::string DescribeEvent(const std::optional<AssessmentRecord>& prior, const std::optional<EntryUpdate>& update) {
  if (!update) return prior ? "re-scored (not in the queue: no referral or hit)" : "scored (not in the queue: no referral or hit)";
  if (update->entered) return "entered the queue as " + std::string(BandName(update->entry.band));
  if (update->reopened) {
    return "re-opened by new intelligence (episode " + std::to_string(update->entry.episode) + ") as " +
           std::string(BandName(update->entry.band));
  }
  if (update->newly_flagged) return "re-scored; disagrees with the override: flagged for review";
  return "re-scored";
}

}  // namespace

Result<RiskModel> LoadRiskModel(const std::string& path) {
  // `rank --model default`: the literal word is the shipped model, not a file (./default is one).
  if (path.empty() || path == "default") return ParseRiskModel(DefaultRiskModelText(), "built-in default");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read risk model " + path);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read risk model " + path);
  return ParseRiskModel(text.str(), path);
}

Result<RiskModel> LoadCaseRiskModel(const Case& c) {
  HT_ASSIGN_OR_RETURN(auto stored, c.settings().RiskModel());
  if (!stored) return LoadRiskModel("");
  return ParseRiskModel(stored->text, stored->source);
}

Result<RescoreOutcome> RescoreProfile(Case& c, const SubjectProfile& profile, std::int64_t now,
                                      const RiskModel& model) {
  auto txn = c.Begin();
  HT_ASSIGN_OR_RETURN(auto out, StageRescore(c, *txn, profile, now, model));
  if (txn->size() > 0) HT_RETURN_IF_ERROR(txn->Commit());
  return out;
}

Result<RescoreOutcome> StageRescore(Case& c, CaseTransaction& txn, const SubjectProfile& profile, std::int64_t now,
                                    const RiskModel& model) {
  RescoreOutcome out;
  out.subject_id = profile.subject_id;
  if (profile.subject_id.empty()) return Status::InvalidArgument("subject profile without an id");
  HT_ASSIGN_OR_RETURN(auto prior_entry, c.queue().Entry(profile.subject_id));
  HT_ASSIGN_OR_RETURN(auto prior_record, c.queue().LatestAssessment(profile.subject_id));
  const Assessment assessment = Assess(profile, model, now);
  auto update = ApplyAssessment(prior_entry, assessment, ActivityOf(profile), now, model);

  // Subjects merged into this one leave the queue: one person, one entry, the earliest deadline.
  bool inherited = false;
  for (const std::string& merged_id : profile.merged_ids) {
    HT_ASSIGN_OR_RETURN(auto merged_entry, c.queue().Entry(merged_id));
    if (!merged_entry || !merged_entry->open()) continue;
    if (update) {
      const std::int64_t before = update->entry.deadline;
      InheritDeadline(update->entry, *merged_entry);
      inherited = inherited || update->entry.deadline != before;
    }
    c.queue().PutEntry(txn, CloseAsMerged(*merged_entry, profile.subject_id, now));
    out.closed_merged.push_back(merged_id);
  }

  out.in_queue = update.has_value();
  out.assessment_changed = !prior_record || !SameOutcome(prior_record->assessment, assessment);
  std::string band_change;
  if (update) {
    out.entered = update->entered;
    out.reopened = update->reopened;
    out.flagged_for_review = update->newly_flagged;
    band_change = DescribeChange(prior_record ? std::optional<AssessmentRecord>(*prior_record) : std::nullopt,
                                 assessment, *update);
    if (!band_change.empty()) out.band_change = band_change;
  }
  const bool event = update && (update->entered || update->reopened || update->newly_flagged || !band_change.empty() ||
                                !out.closed_merged.empty());
  if (out.assessment_changed || event) {
    AssessmentRecord record;
    HT_ASSIGN_OR_RETURN(record.seq, txn.NextId("assessment"));
    record.assessment = assessment;
    record.band_change = band_change;
    record.event = DescribeEvent(prior_record ? std::optional<AssessmentRecord>(*prior_record) : std::nullopt, update);
    if (!out.closed_merged.empty()) {
      std::string ids;
      for (const auto& id : out.closed_merged) ids += (ids.empty() ? "" : ", ") + id;
      record.event += "; merged subject(s) " + ids + " left the queue" + (inherited ? " (earlier deadline kept)" : "");
    }
    c.queue().PutAssessment(txn, record);
  }
  if (update && (!prior_entry || QueueEntryToJson(*prior_entry) != QueueEntryToJson(update->entry))) {
    c.queue().PutEntry(txn, update->entry);
  }
  return out;
}

Status RescoreReport::ToStatus() const {
  if (failures.empty()) return Status::Ok();
  const Status& first = failures.front();
  if (failures.size() == 1) return first;
  return Status(first.code(), first.message() + " (and " + std::to_string(failures.size() - 1) + " more)");
}

namespace {

// Re-scores one subject in a transaction of its own (retried on a conflict).
void RescoreAlone(Case& c, const std::string& id, std::int64_t now, const RiskModel& model, const ProfileLoader& load,
                  RescoreReport& report) {
  // On a shared case another process may re-score or change the subject meanwhile: read it afresh
  // and score again (RetryOnConflict).
  std::optional<RescoreOutcome> done;
  const Status status = RetryOnConflict(c, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(auto profile, load(c, id));
    HT_ASSIGN_OR_RETURN(auto outcome, RescoreProfile(c, profile, now, model));
    done = std::move(outcome);
    return Status::Ok();
  });
  if (status.ok()) {
    report.outcomes.push_back(std::move(*done));
  } else {
    report.failures.push_back(status.WithContext("subject " + id));
  }
}

// A failure of the group's transaction, not of one subject's data: a conflict (the group is staged
// again on a fresh read view) or the case store failing (a lost connection).
bool RetryableForGroup(const Status& s) {
  return s.code() == StatusCode::kConflict || s.code() == StatusCode::kIOError;
}

}  // namespace

RescoreReport RescoreSubjectsWith(Case& c, const std::vector<std::string>& subject_ids, std::int64_t now,
                                  const RiskModel& model, const ProfileLoader& load) {
  RescoreReport report;
  // Subjects are staged in groups, one transaction each: on a database server a commit per subject
  // costs more round trips than scoring it. A group is all-or-nothing; if it cannot be committed
  // (even after retries on conflicts), its subjects are done one at a time, so one subject that
  // cannot be scored never stops the others.
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto& id : subject_ids) {
    if (seen.insert(id).second) ids.push_back(id);
  }
  for (std::size_t begin = 0; begin < ids.size(); begin += kRescoreGroup) {
    const std::size_t end = std::min(ids.size(), begin + kRescoreGroup);
    if (end - begin == 1) {
      RescoreAlone(c, ids[begin], now, model, load, report);
      continue;
    }
    std::vector<RescoreOutcome> outcomes;
    std::vector<std::size_t> alone;  // subjects whose profile or score failed: done one at a time
    const Status group = RetryOnConflict(c, [&]() -> Status {
      outcomes.clear();
      alone.clear();
      auto txn = c.Begin();
      const std::vector<std::string> group_ids(ids.begin() + begin, ids.begin() + end);
      if (Status read = c.ReadAheadProfiles(group_ids); !read.ok()) return read;
      for (std::size_t i = begin; i < end; ++i) {
        auto profile = load(c, ids[i]);
        if (!profile.ok() && RetryableForGroup(profile.status())) return profile.status();
        Result<RescoreOutcome> outcome =
            profile.ok() ? StageRescore(c, *txn, *profile, now, model) : Result<RescoreOutcome>(profile.status());
        if (!outcome.ok() && RetryableForGroup(outcome.status())) return outcome.status();
        if (!outcome.ok()) {
          alone.push_back(i);
          continue;
        }
        outcomes.push_back(std::move(*outcome));
      }
      return txn->size() > 0 ? txn->Commit() : Status::Ok();
    });
    if (group.ok()) {
      for (auto& o : outcomes) report.outcomes.push_back(std::move(o));
      for (const std::size_t i : alone) RescoreAlone(c, ids[i], now, model, load, report);
    } else {
      for (std::size_t i = begin; i < end; ++i) RescoreAlone(c, ids[i], now, model, load, report);
    }
  }
  return report;
}

}  // namespace hashtriage::engine::risk

namespace hashtriage::engine::risk {

Status RescoreSubjects(Case& c, const std::vector<std::string>& subject_ids, std::int64_t now, const RiskModel& model) {
  return RescoreSubjectsWith(c, subject_ids, now, model,
                             [](const Case& cs, const std::string& id) { return LoadSubjectProfile(cs, id); })
      .ToStatus();
}

}  // namespace hashtriage::engine::risk

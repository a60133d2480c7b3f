// Re-scoring: the entry point other commands call after they write something that can change a
// subject's risk (intake of a referral, a scan with --subject, a new attribute, a link/unlink).
// Each named subject is re-assessed at once with the model, its queue entry is created, re-opened or
// updated (deadlines, band changes, override disagreements) and the assessment is stored with the
// model's hash; every band change is recorded (old -> new, why). One atomic batch per subject.
// Thread-safety: as CaseStore (one writer process); the functions keep no state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/case_store.h"
#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

// Loads a model file, or the shipped default (embedded in the binary, source "built-in default")
// when `path` is "" or the literal word "default"; LoadCaseRiskModel(store, "default") thus makes
// the case keep the shipped model again after a custom one.
Result<RiskModel> LoadRiskModel(const std::string& path);

// The case's model: `path` when given (and then remembered in the case, unless it is read-only),
// else the model last remembered by the case, else the shipped default. Prefer this in commands so
// a case keeps being scored with the model its supervisor chose (`rank --model FILE`).
Result<RiskModel> LoadCaseRiskModel(CaseStore& store, const std::string& path);

// Re-scores the subjects (unknown ids are an error naming the id; the others are still done) at
// time `now` (Unix seconds, the command's --now). Uses LoadSubjectProfile (engine/subject_store.h).
Status RescoreSubjects(CaseStore& store, const std::vector<std::string>& subject_ids, std::int64_t now,
                       const RiskModel& model);

// What happened to one subject's queue standing.
struct RescoreOutcome {
  std::string subject_id;
  bool in_queue = false;        // has a referral or hit (or was queued before)
  bool entered = false;         // entered the queue now (first referral/hit)
  bool reopened = false;        // a closed entry re-opened by new intelligence
  bool assessment_changed = false;
  std::optional<std::string> band_change;  // "Medium -> High: + lives_with_children yes (25 pts)"
  bool flagged_for_review = false;         // model disagrees with a human override
};

using ProfileLoader = std::function<Result<SubjectProfile>(const CaseStore&, const std::string&)>;

struct RescoreReport {
  std::vector<RescoreOutcome> outcomes;  // the subjects re-scored, in the order asked
  std::vector<Status> failures;          // one per subject that could not be (its id in the message)
  // OK, or the first failure with "(and N more)".
  Status ToStatus() const;
};

// The same with the profile source given (tests, the bench, `rank`), reporting each subject.
RescoreReport RescoreSubjectsWith(CaseStore& store, const std::vector<std::string>& subject_ids, std::int64_t now,
                                  const RiskModel& model, const ProfileLoader& load);

// Re-scores one already loaded profile (the core of the two above).
Result<RescoreOutcome> RescoreProfile(CaseStore& store, const SubjectProfile& profile, std::int64_t now,
                                      const RiskModel& model);

}  // namespace hashtriage::engine::risk

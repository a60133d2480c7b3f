// Re-scoring: the entry point other operations call after they write something that can change a
// subject's risk (intake of a referral, a scan with --subject, a new attribute, a link/unlink, a
// re-match). Each named subject is re-assessed at once with the model, its queue entry is created,
// re-opened or updated (deadlines, band changes, override disagreements) and the assessment is stored
// with the model's hash; every band change is recorded (old -> new, why). Subjects merged into it
// leave the queue and pass their deadlines on. Subjects are committed in groups of kRescoreGroup, each
// group one atomic transaction (a subject that fails is then re-scored alone and reported).
// Thread-safety: as the case (one writer); the functions keep no state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

// Loads a model file, or the shipped default (embedded in the binary, source "built-in default")
// when `path` is "" or the literal word "default" (`rank --model default` thus gives the case the
// shipped model back after a custom one).
Result<RiskModel> LoadRiskModel(const std::string& path);

// The case's model: the model last chosen for the case (`rank --model`), else the shipped default.
Result<RiskModel> LoadCaseRiskModel(const Case& case_store);

// Re-scores the subjects (unknown ids are an error naming the id; the others are still done) at
// time `now` (Unix seconds, the command's clock) with LoadSubjectProfile.
Status RescoreSubjects(Case& case_store, const std::vector<std::string>& subject_ids, std::int64_t now,
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
  std::vector<std::string> closed_merged;  // merged-away subjects whose entries closed now
};

using ProfileLoader = std::function<Result<SubjectProfile>(const Case&, const std::string&)>;

struct RescoreReport {
  std::vector<RescoreOutcome> outcomes;  // the subjects re-scored, in the order asked
  std::vector<Status> failures;          // one per subject that could not be (its id in the message)
  // OK, or the first failure with "(and N more)".
  Status ToStatus() const;
};

// The same with the profile source given (tests, the bench, `rank`), reporting each subject.
RescoreReport RescoreSubjectsWith(Case& case_store, const std::vector<std::string>& subject_ids, std::int64_t now,
                                  const RiskModel& model, const ProfileLoader& load);

// Re-scores one already loaded profile (the core of the two above), in its own transaction.
Result<RescoreOutcome> RescoreProfile(Case& case_store, const SubjectProfile& profile, std::int64_t now,
                                      const RiskModel& model);
// The same, staged into `txn` (the caller commits; the profile must be read in txn's read view).
Result<RescoreOutcome> StageRescore(Case& case_store, CaseTransaction& txn, const SubjectProfile& profile,
                                    std::int64_t now, const RiskModel& model);

// Subjects per re-scoring transaction.
inline constexpr std::size_t kRescoreGroup = 256;

}  // namespace hashtriage::engine::risk

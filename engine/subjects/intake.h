// IntakeSession: stores parsed referrals in the case: each referral once (keyed by its id, so
// re-ingesting a file adds nothing), its file hashes matched now by the one matcher
// (engine/matching/known_matcher.h), its account linked into a subject (engine/subjects/linker.h) and
// its IP addresses checked for possible links. Writes are staged and committed in atomic batches of
// whole referrals, each batch together with the audit entry that lists what it stored and the
// "re-score owed" marks of the subjects it touched: a killed intake leaves exactly the referrals the
// audit log names, and never a subject unassessed. One thread at a time; the case open read-write.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/case/audit_log.h"
#include "engine/case/case.h"
#include "engine/case/referral_store.h"
#include "engine/matching/index_stamp.h"
#include "engine/matching/known_matcher.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/subject_workspace.h"
#include "hashing/status.h"
#include "ingest/referral/referral.h"

namespace hashtriage::engine::subjects {

struct IntakeOptions {
  // Who runs the intake (recorded with every referral). Default: "".
  std::string by;
  // The command's clock: when the referrals entered the case (Unix seconds UTC). Default: 0.
  std::int64_t now = 0;
  // The command's --now when one was given (for the audit entries). Default: none.
  std::optional<std::int64_t> command_time;
  // The command line, recorded in each batch's audit entry.
  std::string command;
  // Who the batches' audit entries name: the signed-in user or station in team mode ("" = the
  // process's own user, as for a command run at a terminal).
  std::string user;
  LinkOptions link;
  // Referrals staged before one atomic write to the case. Default: 1000.
  std::size_t batch_referrals = 1000;
};

struct ReferralOutcome {
  std::string referral_id;
  bool duplicate = false;  // already in the case: nothing was changed
  std::string account_id;
  std::string subject_id;  // root subject after linking
  bool new_subject = false;
  std::uint64_t hits = 0;  // files known to the index
  bool escalate = false;
  // What the case knew about the subject before this referral (an already known subject).
  std::uint64_t previous_referrals = 0;
  std::uint64_t previous_scans = 0;
  std::optional<std::int64_t> known_since;
  std::vector<MergeReport> merges;
  std::vector<std::string> blocked;
  std::vector<std::string> possible_links;
  std::string held_back;  // the fan-out safeguard held merges back: why
};

class IntakeSession {
 public:
  // `matcher` may be null: hashes are then stored unmatched. `index` describes what it matches against.
  IntakeSession(Case& case_store, const KnownMatcher* matcher, IndexStamp index, IntakeOptions options);

  // Loads what the case already holds that intake needs (scans attached to subjects, owed re-scores).
  Status Start();
  // The referrals the current batch can still take before it is committed (at least 1).
  std::size_t RoomInBatch() const;
  // Reads in bulk what Add will read for these referrals (on a shared case: a few round trips for a
  // whole batch instead of several per referral). Only a speed-up; on an embedded case it does nothing.
  Status Prefetch(const std::vector<const ingest::Referral*>& referrals);
  // Stores one referral (or recognises it as already stored). `source_file` and `record` locate it.
  // On an error nothing of the unflushed batch is kept: the caller should stop (re-running the intake
  // is safe: stored referrals are skipped).
  Result<ReferralOutcome> Add(const ingest::Referral& referral, const std::string& source_file, std::uint64_t record);
  // Commits everything staged, with its audit entry, in one atomic write.
  Status Flush();
  // Root subjects changed by this session so far (resolved now), sorted; with those an earlier intake
  // stored referrals for but was stopped (killed) before re-scoring.
  Result<std::vector<std::string>> AffectedSubjects();
  // Subject ids merged away by this session (their queue entries must close).
  const std::set<std::string>& merged_subjects() const { return merged_; }
  // Call once the affected subjects are re-scored: clears the durable "re-score owed" marks.
  Status ClearPendingRescores();
  std::uint64_t unflushed() const { return pending_.size(); }

 private:
  Result<ReferralRecord> Record(const ingest::Referral& referral, const std::string& source_file,
                                std::uint64_t record) const;
  Status Describe(ReferralOutcome& outcome, const std::string& referral_id);
  // Commits the staged batch with its audit entry; on failure drops it (Reset).
  Status CommitBatch();
  void Reset();

  // A staged referral as given to Add (kept on a shared case, to stage the batch again after a conflict).
  struct BatchInput {
    ingest::Referral referral;
    std::string source_file;
    std::uint64_t record = 0;
  };

  Case& case_;
  const KnownMatcher* matcher_;
  IndexStamp index_;
  IntakeOptions options_;
  std::unique_ptr<CaseTransaction> txn_;
  std::unique_ptr<SubjectWorkspace> work_;
  std::unique_ptr<Linker> linker_;
  std::map<std::string, std::uint64_t> scans_by_subject_;  // evidence subject field -> evidence items
  std::set<std::string> touched_;
  std::set<std::string> marked_;   // touched subjects whose "re-score owed" mark is stored
  std::set<std::string> merged_;
  std::vector<std::string> pending_;          // referral ids staged, not yet committed
  std::set<std::string> pending_sources_;     // their source files
  std::uint64_t batch_new_subjects_ = 0, batch_merges_ = 0;
  std::vector<BatchInput> batch_inputs_;
  // Prefetch's answer, valid until the batch is committed or dropped: referral ids asked, and which
  // of them were stored.
  std::set<std::string> prefetched_ids_, prefetched_stored_;
  bool replaying_ = false;
};

// The name shown for a new subject: display name, screen name, email, then any other identifier.
std::string DisplayNameFor(const std::vector<ingest::Identifier>& identifiers);

}  // namespace hashtriage::engine::subjects

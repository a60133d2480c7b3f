// IntakeSession: stores parsed referrals in the case: each referral once (keyed by its id, so
// re-ingesting a file adds nothing), its file hashes matched against the known-image index now, its
// account linked into a subject (engine/subjects/linker.h) and its IP addresses checked for possible
// links. Writes are staged and applied in atomic batches of whole referrals: a referral is stored
// completely or not at all. One thread at a time; the case must be open read-write.
//
// Persistent format of a referral record (Table::kReferrals, key = referral id):
// {id, format, report_id, source_file, record, ingested_at, ingested_by, incident_type, incident_time,
//  escalate, industry_classification, service, location, account, subject (at intake), identifiers[],
//  events[]{type, time, ip, port, proxy}, files[]{name, md5, sha1, sha256, pdq, size, viewed_by_esp,
//  publicly_available, possible_self_production, hits[]{set, category, kind, distance, series,
//  media_id}}, hits (count), distribution (upload/offer events), matched (index consulted)}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/case_store.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/record_cache.h"
#include "hashing/status.h"
#include "index/known_index.h"
#include "ingest/referral/referral.h"

namespace hashtriage::engine::subjects {

struct IntakeOptions {
  // Who runs the intake (recorded with every referral). Default: "".
  std::string by;
  // The command's --now: when the referrals entered the case (Unix seconds UTC). Default: 0.
  std::int64_t now = 0;
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
  std::uint64_t hits = 0;  // file hashes known to the index
  bool escalate = false;
  // What the case knew about the subject before this referral (an already known subject).
  std::uint64_t previous_referrals = 0;
  std::uint64_t previous_scans = 0;
  std::optional<std::int64_t> known_since;
  std::vector<MergeEvent> merges;
  std::vector<std::string> blocked;
  std::vector<std::string> possible_links;
};

class IntakeSession {
 public:
  // `index` may be null: hashes are then stored unmatched.
  IntakeSession(CaseStore& store, const index::KnownIndex* index, IntakeOptions options);

  // Loads what the case already holds that intake needs (scans attached to subjects).
  Status Start();
  // Stores one referral (or recognises it as already stored). `source_file` and `record` locate it.
  // On an error nothing of the unflushed batch is kept: the caller should stop (re-running the intake
  // is safe: stored referrals are skipped).
  Result<ReferralOutcome> Add(const ingest::Referral& referral, const std::string& source_file, std::uint64_t record);
  // Writes everything staged in one atomic batch.
  Status Flush();
  // Root subjects changed by this session so far (resolved now), sorted; with those an earlier intake
  // stored referrals for but was stopped (killed) before re-scoring.
  Result<std::vector<std::string>> AffectedSubjects();
  // Call once the affected subjects are re-scored: clears the durable "re-score owed" marks. Every
  // flushed batch marks the subjects it touched in the same atomic write as their referrals, so a
  // crash between storing referrals and re-scoring never leaves a subject unassessed.
  Status ClearPendingRescores();
  std::uint64_t unflushed() const { return pending_; }

 private:
  struct MatchedFiles {
    nlohmann::json files;  // the referral's files with their index memberships
    std::uint64_t hits = 0;
  };
  Result<MatchedFiles> MatchFiles(const ingest::Referral& referral) const;
  Status Describe(ReferralOutcome& outcome, const std::string& referral_id);

  CaseStore& store_;
  const index::KnownIndex* index_;
  IntakeOptions options_;
  RecordCache cache_;
  Linker linker_;
  std::map<std::string, std::vector<std::uint32_t>> scans_by_subject_;  // evidence subject field -> numbers
  std::set<std::string> touched_;
  std::set<std::string> marked_;  // touched subjects whose "re-score owed" mark is stored or staged
  std::uint64_t pending_ = 0;
};

// The name shown for a new subject: display name, screen name, email, then any other identifier.
std::string DisplayNameFor(const std::vector<ingest::Identifier>& identifiers);

}  // namespace hashtriage::engine::subjects

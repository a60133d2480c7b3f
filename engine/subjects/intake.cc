#include "engine/subjects/intake.h"

#include <algorithm>

#include "engine/case/case_settings.h"
#include "engine/case/conflict_retry.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/case/subject_store.h"
#include "engine/subjects/subject_records.h"
#include "hashing/pdq_hash.h"

namespace hashtriage::engine::subjects {

namespace {

using ingest::IdentifierKind;

// The query of one referral file: the digests and PDQ the provider gave.
QueryHashes QueryOf(const ingest::ReferralFile& f) {
  QueryHashes q;
  q.md5 = f.md5;
  q.sha1 = f.sha1;
  q.sha256 = f.sha256;
  if (!f.pdq.empty()) {
    auto pdq = hashing::PdqHash::FromHex(f.pdq);
    if (pdq.ok()) q.pdq = *pdq;
  }
  return q;
}

}  // namespace

std::string DisplayNameFor(const std::vector<ingest::Identifier>& identifiers) {
  static constexpr IdentifierKind kOrder[] = {IdentifierKind::kDisplayName, IdentifierKind::kScreenName,
                                              IdentifierKind::kEmail,       IdentifierKind::kServiceAccount,
                                              IdentifierKind::kPhone,       IdentifierKind::kClientGuid,
                                              IdentifierKind::kDeviceId};
  for (IdentifierKind kind : kOrder) {
    for (const auto& id : identifiers) {
      if (id.kind != kind) continue;
      if (kind == IdentifierKind::kScreenName) return id.value.substr(id.value.find('/') + 1);
      return id.value;
    }
  }
  return "";
}

IntakeSession::IntakeSession(Case& c, const KnownMatcher* matcher, IndexStamp index, IntakeOptions options)
    : case_(c), matcher_(matcher), index_(std::move(index)), options_(std::move(options)) {
  Reset();
}

void IntakeSession::Reset() {
  batch_inputs_.clear();
  prefetched_ids_.clear();
  prefetched_stored_.clear();
  txn_ = case_.Begin();
  work_ = std::make_unique<SubjectWorkspace>(case_, *txn_);
  linker_ = std::make_unique<Linker>(*work_, options_.link);
  pending_.clear();
  pending_sources_.clear();
  batch_new_subjects_ = batch_merges_ = 0;
}

Status IntakeSession::Start() {
  scans_by_subject_.clear();
  HT_ASSIGN_OR_RETURN(auto pending, case_.settings().PendingRescores());
  for (const std::string& id : pending) {
    touched_.insert(id);
    marked_.insert(id);
  }
  HT_ASSIGN_OR_RETURN(auto evidence, case_.evidence().List());
  for (const EvidenceRecord& e : evidence) {
    if (!e.subject.empty()) ++scans_by_subject_[e.subject];
  }
  return Status::Ok();
}

Result<ReferralRecord> IntakeSession::Record(const ingest::Referral& referral, const std::string& source_file,
                                             std::uint64_t record) const {
  ReferralRecord r;
  r.id = referral.id;
  r.format = referral.format;
  r.report_id = referral.report_id;
  r.source_file = source_file;
  r.record = record;
  r.ingested_at = options_.now;
  r.ingested_by = options_.by;
  r.incident_type = referral.incident_type;
  r.incident_time = referral.incident_time;
  r.escalate = referral.escalate_to_high_priority;
  r.industry_classification = referral.industry_classification;
  r.service = referral.service;
  r.location = referral.estimated_location;
  r.warnings = referral.warnings;
  for (const auto& id : referral.identifiers) r.identifiers.push_back(id.Key());
  for (const auto& e : referral.events) {
    r.events.push_back({std::string(ingest::EventTypeName(e.type)), e.time, e.ip, e.port, e.possible_proxy});
    if (ingest::IsDistribution(e.type)) ++r.distribution;
  }
  // A provider report is itself a report of content uploaded to the provider's service.
  if (referral.format == "cybertip" && r.distribution == 0 && !referral.files.empty()) r.distribution = 1;
  for (const ingest::ReferralFile& f : referral.files) {
    ReferralFileRecord file;
    file.name = f.name;
    file.md5 = f.md5 ? f.md5->hex() : "";
    file.sha1 = f.sha1 ? f.sha1->hex() : "";
    file.sha256 = f.sha256 ? f.sha256->hex() : "";
    file.pdq = f.pdq;
    file.size = f.size;
    file.viewed_by_esp = f.viewed_by_esp;
    file.publicly_available = f.publicly_available;
    file.possible_self_production = f.possible_self_production;
    if (matcher_ != nullptr) {
      HT_ASSIGN_OR_RETURN(file.hits, matcher_->Match(QueryOf(f)));
    }
    r.files.push_back(std::move(file));
  }
  r.matched = matcher_ != nullptr;
  r.matched_index = matcher_ != nullptr ? index_.digest : "";
  return r;
}

Status IntakeSession::Describe(ReferralOutcome& outcome, const std::string& referral_id) {
  (void)referral_id;
  HT_ASSIGN_OR_RETURN(const SubjectRecord* subject, work_->subjects.Require(outcome.subject_id));
  outcome.known_since = subject->created;
  // The subject's referral count includes this one.
  outcome.previous_referrals = subject->referrals > 0 ? subject->referrals - 1 : 0;
  auto count = [&](const std::string& id) {
    auto it = scans_by_subject_.find(id);
    if (it != scans_by_subject_.end()) outcome.previous_scans += it->second;
  };
  count(outcome.subject_id);
  for (const std::string& alias : subject->aliases) count(alias);
  return Status::Ok();
}

std::size_t IntakeSession::RoomInBatch() const {
  return pending_.size() < options_.batch_referrals ? options_.batch_referrals - pending_.size() : 1;
}

Status IntakeSession::Prefetch(const std::vector<const ingest::Referral*>& referrals) {
  if (!case_.shared() || referrals.empty()) return Status::Ok();
  std::vector<std::string> ids, keys, ips;
  for (const ingest::Referral* r : referrals) {
    ids.push_back(r->id);
    for (const auto& id : r->identifiers) {
      if (id.kind != IdentifierKind::kIp) keys.push_back(id.Key());
    }
    for (const auto& e : r->events) {  // as Add records IP sightings
      if (!e.ip.empty()) ips.push_back(ingest::Identifier{IdentifierKind::kIp, e.ip}.Key());
    }
  }
  HT_ASSIGN_OR_RETURN(auto stored, case_.referrals().StoredAmong(ids));
  prefetched_ids_.insert(ids.begin(), ids.end());
  prefetched_stored_.insert(stored.begin(), stored.end());
  HT_RETURN_IF_ERROR(work_->PreloadIpAddresses(ips));
  return work_->Preload(keys);
}

Result<ReferralOutcome> IntakeSession::Add(const ingest::Referral& referral, const std::string& source_file,
                                           std::uint64_t record) {
  ReferralOutcome outcome;
  outcome.referral_id = referral.id;
  outcome.escalate = referral.escalate_to_high_priority;
  auto stage = [&]() -> Status {
    bool stored = prefetched_stored_.count(referral.id) > 0;
    if (prefetched_ids_.count(referral.id) == 0) {
      HT_ASSIGN_OR_RETURN(stored, case_.referrals().Contains(referral.id));
    }
    if (stored || std::find(pending_.begin(), pending_.end(), referral.id) != pending_.end()) {
      outcome.duplicate = true;
      if (stored) {
        HT_ASSIGN_OR_RETURN(auto existing, case_.referrals().Get(referral.id));
        if (existing) outcome.subject_id = existing->subject;
      }
      return Status::Ok();
    }
    HT_ASSIGN_OR_RETURN(ReferralRecord r, Record(referral, source_file, record));
    outcome.hits = r.FilesWithHits();

    AccountInput input;
    input.service = referral.service;
    input.referral_id = referral.id;
    for (const auto& id : referral.identifiers) {
      if (id.kind != IdentifierKind::kIp) input.identifiers.push_back(id);
    }
    input.display_name = DisplayNameFor(referral.identifiers);
    const Actor actor{options_.now, options_.by};
    HT_ASSIGN_OR_RETURN(Attachment attached, linker_->Attach(input, actor));
    outcome.account_id = attached.account_id;
    outcome.subject_id = attached.subject_id;
    outcome.new_subject = attached.new_subject;
    outcome.merges = attached.merges;
    outcome.blocked = attached.blocked;
    outcome.held_back = attached.held_back;
    outcome.possible_links = attached.possible_links;

    for (const auto& e : referral.events) {
      if (e.ip.empty()) continue;
      const std::int64_t when = e.time.value_or(referral.incident_time.value_or(options_.now));
      HT_ASSIGN_OR_RETURN(auto links, linker_->RecordIpSighting(e.ip, attached.account_id, when, e.port,
                                                                e.possible_proxy, referral.id));
      for (auto& l : links) outcome.possible_links.push_back(std::move(l));
    }
    r.account = attached.account_id;
    r.subject = attached.subject_id;
    case_.referrals().Put(*txn_, r);
    pending_.push_back(referral.id);
    if (case_.shared()) batch_inputs_.push_back({referral, source_file, record});
    pending_sources_.insert(source_file);
    batch_new_subjects_ += attached.new_subject ? 1 : 0;
    batch_merges_ += attached.merges.size();
    touched_.insert(attached.subject_id);
    for (const auto& m : attached.merges) {
      touched_.insert(m.merged);
      merged_.insert(m.merged);
    }
    if (!attached.new_subject) HT_RETURN_IF_ERROR(Describe(outcome, referral.id));
    return Status::Ok();
  };
  Status status = stage();
  if (!status.ok()) {
    Reset();
    return status;
  }
  if (!replaying_ && !outcome.duplicate && pending_.size() >= options_.batch_referrals) HT_RETURN_IF_ERROR(Flush());
  return outcome;
}

Status IntakeSession::Flush() {
  // On a shared case another intake may have changed the same subjects (or stored the same
  // referrals) first: the batch is then refused whole, and is staged again from its referrals on
  // what the case holds now.
  std::vector<BatchInput> inputs;
  Status status = RetryOnConflict(case_, [&]() -> Status {
    if (!inputs.empty()) {
      replaying_ = true;
      for (const BatchInput& in : inputs) {
        auto added = Add(in.referral, in.source_file, in.record);
        if (!added.ok()) {
          replaying_ = false;
          return added.status();
        }
      }
      replaying_ = false;
    }
    std::vector<BatchInput> staged = std::move(batch_inputs_);
    batch_inputs_.clear();
    Status committed = CommitBatch();
    inputs = committed.code() == StatusCode::kConflict ? std::move(staged) : std::vector<BatchInput>();
    return committed;
  });
  batch_inputs_.clear();
  return status;
}

Status IntakeSession::CommitBatch() {
  if (pending_.empty() && work_->staged() == 0) return Status::Ok();
  std::vector<std::string> newly_marked;
  for (const std::string& id : touched_) {
    if (marked_.count(id)) continue;
    newly_marked.push_back(id);
    case_.settings().MarkRescorePending(*txn_, id);
  }
  Status status = work_->Flush();
  if (status.ok()) {
    nlohmann::json details{{"action", "intake batch"},
                           {"files", std::vector<std::string>(pending_sources_.begin(), pending_sources_.end())},
                           {"referrals_stored", pending_.size()},
                           {"referrals", pending_},
                           {"new_subjects", batch_new_subjects_},
                           {"merges", batch_merges_},
                           {"by", options_.by},
                           {"index", index_.digest}};
    AuditEntry batch_entry = MakeAuditEntry(options_.command, std::move(details), options_.command_time);
    batch_entry.user = options_.user;
    auto entry = case_.audit().Append(*txn_, std::move(batch_entry));
    status = entry.status();
  }
  if (status.ok()) status = txn_->Commit();
  if (!status.ok()) {
    Reset();
    return status;
  }
  for (const std::string& id : newly_marked) marked_.insert(id);
  prefetched_ids_.clear();
  prefetched_stored_.clear();
  pending_.clear();
  pending_sources_.clear();
  batch_new_subjects_ = batch_merges_ = 0;
  return Status::Ok();
}

Status IntakeSession::ClearPendingRescores() {
  if (marked_.empty()) return Status::Ok();
  HT_RETURN_IF_ERROR(RetryOnConflict(case_, [&]() -> Status {
    auto txn = case_.Begin();
    for (const std::string& id : marked_) case_.settings().ClearRescorePending(*txn, id);
    return txn->Commit();
  }));
  marked_.clear();
  return Status::Ok();
}

Result<std::vector<std::string>> IntakeSession::AffectedSubjects() {
  std::set<std::string> roots;
  for (const std::string& id : touched_) {
    HT_ASSIGN_OR_RETURN(std::string root, linker_->Resolve(id));
    roots.insert(root);
  }
  return std::vector<std::string>(roots.begin(), roots.end());
}

}  // namespace hashtriage::engine::subjects

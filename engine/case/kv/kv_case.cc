#include "engine/case/kv/kv_case.h"

#include <cstdlib>

#include "engine/case/kv/record_codec.h"
#include "engine/time_util.h"

namespace hashtriage::engine {

std::string DefaultCaseLocation() {
  const char* env = std::getenv("HASHTRIAGE_CASE");
  return env != nullptr && *env != '\0' ? env : "hashtriage-case";
}

Result<std::unique_ptr<Case>> OpenCase(const CaseOptions& options) {
  kv::KvOptions kv;
  kv.path = options.location.empty() ? DefaultCaseLocation() : options.location;
  kv.create_if_missing = options.create_if_missing;
  kv.read_only = options.read_only;
  HT_ASSIGN_OR_RETURN(auto store, kv::KvStore::Open(kv));
  return std::unique_ptr<Case>(new kv::KvCase(std::move(store)));
}

namespace kv {

Result<std::uint64_t> KvTransaction::NextId(std::string_view counter) {
  auto it = counters_.find(counter);
  if (it == counters_.end()) {
    HT_ASSIGN_OR_RETURN(auto stored, store_.Get(Table::kCounters, counter));
    it = counters_.emplace(std::string(counter), stored ? DecodeU64(*stored) : 0).first;
  }
  return ++it->second;
}

// A conflict names whoever changed the case last (as the audit log shows it now): with a shared case
// that is, in practice, the change this one collided with.
Status KvTransaction::NameTheLastChange(const Status& conflict) {
  store_.EndReadView();
  auto latest = KvAuditLog(store_).Latest();
  store_.EndReadView();  // the caller's next attempt must not read from this snapshot
  if (!latest.ok() || !latest->has_value()) return conflict;
  const AuditEntry& e = **latest;
  const std::string action = e.details.is_object() && e.details.contains("action") && e.details["action"].is_string()
                                 ? e.details["action"].get<std::string>()
                                 : e.command;
  return Status::Conflict(conflict.message() + "; the last change stored was '" + action + "' by " + e.user + " on " +
                          e.host + " at " + FormatIso8601(e.utc) + " (audit entry " + std::to_string(e.seq) +
                          "): look again, then repeat the command if it is still wanted");
}

Status KvTransaction::Commit() {
  for (const auto& [name, value] : counters_) batch_.Put(Table::kCounters, name, EncodeU64(value));
  Status status = store_.Write(batch_);
  batch_ = KvStore::Batch();
  if (status.code() == StatusCode::kConflict) status = NameTheLastChange(status);
  // Counters and the audit head are read again by the next use: with a shared (PostgreSQL) case
  // another process may have advanced them since.
  counters_.clear();
  audit_head_.reset();
  return status;
}

KvTransaction& KvTxn(CaseTransaction& txn) { return static_cast<KvTransaction&>(txn); }

KvCase::KvCase(std::unique_ptr<KvStore> kv)
    : kv_(std::move(kv)),
      evidence_(*kv_),
      referrals_(*kv_),
      subjects_(*kv_),
      queue_(*kv_),
      audit_(*kv_),
      settings_(*kv_),
      users_(*kv_) {}

std::unique_ptr<CaseTransaction> KvCase::Begin() { return std::make_unique<KvTransaction>(*kv_); }

std::string KvCase::ScratchDirectory() { return kv_->ScratchDirectory(); }

Status KvCase::ReadAheadProfiles(const std::vector<std::string>& subject_ids) const {
  if (!shared() || subject_ids.empty()) return Status::Ok();
  HT_ASSIGN_OR_RETURN(const std::vector<std::string> referral_ids, subjects_.ReadAheadSubjects(subject_ids));
  HT_RETURN_IF_ERROR(referrals_.ReadAhead(referral_ids));
  HT_RETURN_IF_ERROR(evidence_.ReadAheadSubjects(subject_ids));
  return queue_.ReadAhead(subject_ids);
}

}  // namespace kv
}  // namespace hashtriage::engine

// The case over the key-value layer (either backend): KvCase owns the KvStore and the typed stores over it; a
// KvTransaction stages encoded records in one KvStore batch (with the id counters and the audit
// chain head it advanced) and writes them atomically on Commit. Internal to engine/case/.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/case/audit_log.h"
#include "engine/case/case.h"
#include "engine/case/case_settings.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/case/queue_store.h"
#include "engine/case/referral_store.h"
#include "engine/case/kv/kv_store.h"
#include "engine/case/subject_store.h"
#include "engine/case/user_store.h"

namespace hashtriage::engine::kv {

class KvTransaction : public CaseTransaction {
 public:
  explicit KvTransaction(KvStore& store) : store_(store) {}
  Result<std::uint64_t> NextId(std::string_view counter) override;
  Status Commit() override;
  std::size_t size() const override { return batch_.size() + counters_.size(); }

  void Put(Table table, std::string_view key, std::string_view value) { batch_.Put(table, key, value); }
  void Delete(Table table, std::string_view key) { batch_.Delete(table, key); }
  // The audit chain head as advanced by entries staged here (nullopt: none staged).
  std::optional<AuditHead>& audit_head() { return audit_head_; }

 private:
  Status NameTheLastChange(const Status& conflict);
  KvStore& store_;
  KvStore::Batch batch_;
  std::map<std::string, std::uint64_t, std::less<>> counters_;
  std::optional<AuditHead> audit_head_;
};

// The KvTransaction behind a CaseTransaction of this backend (InvalidArgument is impossible in
// practice: a case hands out only its own transactions).
KvTransaction& KvTxn(CaseTransaction& txn);

// Visits the records of `table` whose keys start with `prefix`, each decoded by decode(value, key)
// (a Result), until visit(record) returns false. A record that does not decode stops the scan and is
// the outcome.
template <typename Decode, typename Visit>
Status ScanRecords(const KvStore& kv, Table table, std::string_view prefix, Decode&& decode, Visit&& visit) {
  Status bad;
  HT_RETURN_IF_ERROR(kv.Scan(table, prefix, [&](std::string_view key, std::string_view value) {
    auto record = decode(value, key);
    if (!record.ok()) {
      bad = record.status();
      return false;
    }
    return visit(*record);
  }));
  return bad;
}

class KvEvidenceCatalogue : public EvidenceCatalogue {
 public:
  explicit KvEvidenceCatalogue(KvStore& kv) : kv_(kv) {}
  // Read-ahead (KvStore::ReadAhead) of the scans attached to these subjects.
  Status ReadAheadSubjects(const std::vector<std::string>& subject_ids) const;
  Result<std::optional<EvidenceRecord>> Get(std::uint32_t number) const override;
  Result<std::vector<EvidenceRecord>> List() const override;
  Result<std::optional<std::uint32_t>> Find(const std::string& source_absolute, const ScanSettings& settings,
                                            const EvidenceFingerprint& fingerprint) const override;
  Result<std::vector<EvidenceRecord>> ForSubjects(const std::vector<std::string>& subject_ids) const override;
  Status Put(CaseTransaction& txn, const EvidenceRecord& record) override;
  Result<std::uint64_t> ResumePoint(std::uint32_t number) const override;
  void SetResumePoint(CaseTransaction& txn, std::uint32_t number, std::uint64_t next_seq) override;
  void PutFile(CaseTransaction& txn, const FileRecord& record) override;
  void ReplaceFile(CaseTransaction& txn, const FileRecord& record) override;
  Status ForEachFile(std::uint32_t number, bool with_hits_only,
                     const std::function<bool(const FileRecord&)>& visit) const override;

 private:
  KvStore& kv_;
};

class KvReferralStore : public ReferralStore {
 public:
  explicit KvReferralStore(KvStore& kv) : kv_(kv) {}
  Status ReadAhead(const std::vector<std::string>& ids) const;
  Result<std::optional<ReferralRecord>> Get(const std::string& id) const override;
  Result<bool> Contains(const std::string& id) const override;
  Result<std::set<std::string>> StoredAmong(const std::vector<std::string>& ids) const override;
  void Put(CaseTransaction& txn, const ReferralRecord& record) override;
  Status ForEach(const std::function<bool(const ReferralRecord&)>& visit) const override;

 private:
  KvStore& kv_;
};

class KvSubjectStore : public SubjectStore {
 public:
  explicit KvSubjectStore(KvStore& kv) : kv_(kv) {}
  // Read-ahead of these subjects, their accounts and attributes; returns the accounts' referral ids.
  Result<std::vector<std::string>> ReadAheadSubjects(const std::vector<std::string>& subject_ids) const;
  Result<std::optional<SubjectRecord>> GetSubject(const std::string& id) const override;
  void PutSubject(CaseTransaction& txn, const SubjectRecord& record) override;
  Status ForEachSubject(const std::function<bool(const SubjectRecord&)>& visit) const override;
  Result<std::optional<AccountRecord>> GetAccount(const std::string& id) const override;
  void PutAccount(CaseTransaction& txn, const AccountRecord& record) override;
  Result<std::optional<IdentifierRecord>> GetIdentifier(const std::string& key) const override;
  Result<std::vector<std::optional<SubjectRecord>>> GetSubjects(const std::vector<std::string>& ids) const override;
  Result<std::vector<std::optional<AccountRecord>>> GetAccounts(const std::vector<std::string>& ids) const override;
  Result<std::vector<std::optional<IdentifierRecord>>> GetIdentifiers(
      const std::vector<std::string>& keys) const override;
  Result<std::vector<std::optional<IpAddressRecord>>> GetIpAddresses(
      const std::vector<std::string>& keys) const override;
  void PutIdentifier(CaseTransaction& txn, const IdentifierRecord& record) override;
  Result<std::optional<IpAddressRecord>> GetIpAddress(const std::string& key) const override;
  void PutIpAddress(CaseTransaction& txn, const IpAddressRecord& record) override;
  Result<std::optional<LinkRecord>> GetLink(const std::string& id) const override;
  void PutLink(CaseTransaction& txn, const LinkRecord& record) override;
  Result<std::optional<PossibleLinkRecord>> GetPossibleLink(const std::string& key) const override;
  void PutPossibleLink(CaseTransaction& txn, const PossibleLinkRecord& record) override;
  Result<std::vector<AttributeRecord>> Attributes(const std::vector<std::string>& subject_ids) const override;
  void PutAttribute(CaseTransaction& txn, const AttributeRecord& record) override;

 private:
  KvStore& kv_;
};

class KvQueueStore : public QueueStore {
 public:
  explicit KvQueueStore(KvStore& kv) : kv_(kv) {}
  // Read-ahead of these subjects' queue entries and assessments.
  Status ReadAhead(const std::vector<std::string>& subject_ids) const;
  Result<std::optional<risk::QueueEntry>> Entry(const std::string& subject_id) const override;
  Result<std::vector<risk::QueueEntry>> Entries() const override;
  void PutEntry(CaseTransaction& txn, const risk::QueueEntry& entry) override;
  Result<std::optional<AssessmentRecord>> LatestAssessment(const std::string& subject_id) const override;
  Result<std::vector<std::optional<AssessmentRecord>>> LatestAssessments(
      const std::vector<std::string>& subject_ids) const override;
  Result<std::vector<AssessmentRecord>> AssessmentHistory(const std::string& subject_id) const override;
  void PutAssessment(CaseTransaction& txn, const AssessmentRecord& record) override;
  Result<std::vector<risk::Decision>> Decisions(const std::string& subject_id) const override;
  void PutDecision(CaseTransaction& txn, const risk::Decision& decision) override;
  Result<std::vector<risk::DipSampleDraw>> DipSamples(const std::string& date) const override;
  void PutDipSample(CaseTransaction& txn, const risk::DipSampleDraw& draw) override;

 private:
  KvStore& kv_;
};

class KvAuditLog : public AuditLog {
 public:
  explicit KvAuditLog(KvStore& kv) : kv_(kv) {}
  Result<AuditEntry> Append(CaseTransaction& txn, AuditEntry entry) override;
  Result<std::vector<AuditEntry>> Entries() const override;
  Result<std::vector<AuditEntry>> EntriesAfter(std::uint64_t seq) const override;
  Result<std::optional<AuditHead>> Head() const override;
  // The last entry stored (who changed the case last: named in a conflict).
  Result<std::optional<AuditEntry>> Latest() const override;

 private:
  KvStore& kv_;
};

class KvCaseSettings : public CaseSettings {
 public:
  explicit KvCaseSettings(KvStore& kv) : kv_(kv) {}
  Result<std::optional<std::int64_t>> Created() const override;
  void SetCreated(CaseTransaction& txn, std::int64_t created) override;
  Result<std::optional<std::string>> Name() const override;
  void SetName(CaseTransaction& txn, const std::string& name) override;
  Result<std::optional<StoredRiskModel>> RiskModel() const override;
  void SetRiskModel(CaseTransaction& txn, const StoredRiskModel& model) override;
  Result<std::set<std::string>> PendingRescores() const override;
  void MarkRescorePending(CaseTransaction& txn, const std::string& subject_id) override;
  void ClearRescorePending(CaseTransaction& txn, const std::string& subject_id) override;

 private:
  KvStore& kv_;
};

class KvUserStore : public UserStore {
 public:
  explicit KvUserStore(KvStore& kv) : kv_(kv) {}
  Result<std::optional<UserRecord>> Get(const std::string& name) const override;
  void Put(CaseTransaction& txn, const UserRecord& record) override;
  Status ForEach(const std::function<bool(const UserRecord&)>& visit) const override;

 private:
  KvStore& kv_;
};

class KvCase : public Case {
 public:
  explicit KvCase(std::unique_ptr<KvStore> kv);
  EvidenceCatalogue& evidence() override { return evidence_; }
  ReferralStore& referrals() override { return referrals_; }
  SubjectStore& subjects() override { return subjects_; }
  QueueStore& queue() override { return queue_; }
  AuditLog& audit() override { return audit_; }
  CaseSettings& settings() override { return settings_; }
  UserStore& users() override { return users_; }
  std::unique_ptr<CaseTransaction> Begin() override;
  const std::string& location() const override { return kv_->path(); }
  bool read_only() const override { return kv_->read_only(); }
  bool shared() const override { return IsPostgresLocation(kv_->path()); }
  std::string ScratchDirectory() override;
  void Refresh() override { kv_->EndReadView(); }
  Status LockWriters() override { return kv_->LockWriters(); }
  void UnlockWriters() override { kv_->UnlockWriters(); }
  Status ReadAheadProfiles(const std::vector<std::string>& subject_ids) const override;
  // The key-value store underneath (for this backend's own tests: tampering, raw table counts).
  KvStore& kv() { return *kv_; }

 private:
  std::unique_ptr<KvStore> kv_;
  KvEvidenceCatalogue evidence_;
  KvReferralStore referrals_;
  KvSubjectStore subjects_;
  KvQueueStore queue_;
  KvAuditLog audit_;
  KvCaseSettings settings_;
  KvUserStore users_;
};

}  // namespace hashtriage::engine::kv

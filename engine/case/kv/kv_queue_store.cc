// The queue store on the key-value store: assessments (kAssessments, key subject + '\0' + seq), queue entries
// (kQueue, key subject), decisions (kDecisions, key decision id) and dip-sample draws (kDipSamples,
// key date + '\0' + draw). The field layout of each is the JSON form the risk module defines
// (engine/risk/*ToJson), stored with a format version.
#include "engine/case/kv/record_codec.h"
#include "engine/case/kv/kv_case.h"

namespace hashtriage::engine::kv {

namespace {

constexpr int kAssessmentVersion = 1;
constexpr int kQueueEntryVersion = 1;
constexpr int kDecisionVersion = 1;
constexpr int kDipSampleVersion = 1;

std::string SubjectPrefix(const std::string& subject_id) { return subject_id + std::string(1, '\0'); }

Result<AssessmentRecord> AssessmentFrom(const Json& j) {
  AssessmentRecord r;
  HT_ASSIGN_OR_RETURN(r.assessment, risk::AssessmentFromJson(j));
  r.seq = UInt(j, "seq");
  r.band_change = Str(j, "band_change");
  r.event = Str(j, "event");
  return r;
}

// Decodes every record of `table` under `prefix`; stops at the first bad record, naming its key.
template <typename T, typename Convert>
Result<std::vector<T>> ReadAll(const KvStore& kv, Table table, std::string_view prefix, int version, Convert convert) {
  std::vector<T> out;
  Status failure;
  HT_RETURN_IF_ERROR(kv.Scan(table, prefix, [&](std::string_view key, std::string_view value) {
    auto j = DecodeRecord(value, version, std::string(TableName(table)) + " record '" + PrintableKey(key) + "'");
    if (!j.ok()) {
      failure = j.status();
      return false;
    }
    auto item = convert(*j);
    if (!item.ok()) {
      failure = item.status();
      return false;
    }
    out.push_back(std::move(item).value());
    return true;
  }));
  HT_RETURN_IF_ERROR(failure);
  return out;
}

}  // namespace

Status KvQueueStore::ReadAhead(const std::vector<std::string>& subject_ids) const {
  HT_RETURN_IF_ERROR(kv_.ReadAhead(Table::kQueue, subject_ids));
  std::vector<std::string> prefixes;
  for (const std::string& id : subject_ids) prefixes.push_back(SubjectPrefix(id));
  return kv_.ReadAheadPrefixes(Table::kAssessments, prefixes);
}

Result<std::optional<risk::QueueEntry>> KvQueueStore::Entry(const std::string& subject_id) const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kQueue, subject_id));
  if (!bytes) return std::optional<risk::QueueEntry>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(*bytes, kQueueEntryVersion, "queue entry " + PrintableKey(subject_id)));
  HT_ASSIGN_OR_RETURN(risk::QueueEntry e, risk::QueueEntryFromJson(j));
  return std::optional<risk::QueueEntry>(std::move(e));
}

Result<std::vector<risk::QueueEntry>> KvQueueStore::Entries() const {
  return ReadAll<risk::QueueEntry>(kv_, Table::kQueue, "", kQueueEntryVersion, risk::QueueEntryFromJson);
}

void KvQueueStore::PutEntry(CaseTransaction& txn, const risk::QueueEntry& entry) {
  KvTxn(txn).Put(Table::kQueue, entry.subject_id, EncodeRecord(risk::QueueEntryToJson(entry), kQueueEntryVersion));
}

Result<std::vector<std::optional<AssessmentRecord>>> KvQueueStore::LatestAssessments(
    const std::vector<std::string>& subject_ids) const {
  std::vector<std::string> prefixes;
  for (const std::string& id : subject_ids) prefixes.push_back(SubjectPrefix(id));
  HT_RETURN_IF_ERROR(kv_.ReadAheadPrefixes(Table::kAssessments, prefixes));
  return QueueStore::LatestAssessments(subject_ids);
}

Result<std::optional<AssessmentRecord>> KvQueueStore::LatestAssessment(const std::string& subject_id) const {
  HT_ASSIGN_OR_RETURN(auto last, kv_.Last(Table::kAssessments, SubjectPrefix(subject_id)));
  if (!last) return std::optional<AssessmentRecord>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(last->second, kAssessmentVersion, "assessment of " + PrintableKey(subject_id)));
  HT_ASSIGN_OR_RETURN(AssessmentRecord r, AssessmentFrom(j));
  return std::optional<AssessmentRecord>(std::move(r));
}

Result<std::vector<AssessmentRecord>> KvQueueStore::AssessmentHistory(const std::string& subject_id) const {
  return ReadAll<AssessmentRecord>(kv_, Table::kAssessments, SubjectPrefix(subject_id), kAssessmentVersion, AssessmentFrom);
}

void KvQueueStore::PutAssessment(CaseTransaction& txn, const AssessmentRecord& record) {
  Json j = risk::AssessmentToJson(record.assessment);
  j["seq"] = record.seq;
  j["band_change"] = record.band_change;
  j["event"] = record.event;
  KvTxn(txn).Put(Table::kAssessments, SubjectPrefix(record.assessment.subject_id) + EncodeU64(record.seq),
                 EncodeRecord(std::move(j), kAssessmentVersion));
}

Result<std::vector<risk::Decision>> KvQueueStore::Decisions(const std::string& subject_id) const {
  HT_ASSIGN_OR_RETURN(auto all, ReadAll<risk::Decision>(kv_, Table::kDecisions, "", kDecisionVersion, risk::DecisionFromJson));
  if (subject_id.empty()) return all;
  std::vector<risk::Decision> mine;
  for (auto& d : all) {
    if (d.subject_id == subject_id) mine.push_back(std::move(d));
  }
  return mine;
}

void KvQueueStore::PutDecision(CaseTransaction& txn, const risk::Decision& decision) {
  KvTxn(txn).Put(Table::kDecisions, EncodeU64(decision.id), EncodeRecord(risk::DecisionToJson(decision), kDecisionVersion));
}

Result<std::vector<risk::DipSampleDraw>> KvQueueStore::DipSamples(const std::string& date) const {
  const std::string prefix = date.empty() ? "" : date + std::string(1, '\0');
  return ReadAll<risk::DipSampleDraw>(kv_, Table::kDipSamples, prefix, kDipSampleVersion, risk::DipSampleFromJson);
}

void KvQueueStore::PutDipSample(CaseTransaction& txn, const risk::DipSampleDraw& draw) {
  KvTxn(txn).Put(Table::kDipSamples, draw.date + std::string(1, '\0') + EncodeU64(draw.draw),
                 EncodeRecord(risk::DipSampleToJson(draw), kDipSampleVersion));
}

}  // namespace hashtriage::engine::kv

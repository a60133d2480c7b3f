#include "engine/risk/queue_store.h"

#include "engine/record_codec.h"

namespace hashtriage::engine::risk {

namespace {

std::string SubjectPrefix(const std::string& subject_id) { return subject_id + std::string(1, '\0'); }

Result<nlohmann::json> Decode(std::string_view bytes, Table table, std::string_view key) {
  auto j = DecodeRecord(bytes);
  if (!j.ok()) {
    std::string printable;
    for (char c : key) printable += (c >= 0x20 && c < 0x7f) ? c : '.';
    return Status::Corruption(std::string(TableName(table)) + " record '" + printable + "': " + j.status().message());
  }
  return std::move(j).value();
}

Result<AssessmentRecord> RecordFromJson(const nlohmann::json& j) {
  AssessmentRecord r;
  HT_ASSIGN_OR_RETURN(r.assessment, AssessmentFromJson(j));
  r.seq = j.value("seq", std::uint64_t{0});
  r.band_change = j.value("band_change", "");
  r.event = j.value("event", "");
  return r;
}

// Visits every record of `table` under `prefix`, decoding each; stops at the first bad record.
template <typename T, typename Convert>
Result<std::vector<T>> ReadAll(const CaseStore& store, Table table, std::string_view prefix, Convert convert) {
  std::vector<T> out;
  Status failure;
  HT_RETURN_IF_ERROR(store.Scan(table, prefix, [&](std::string_view key, std::string_view value) {
    auto j = Decode(value, table, key);
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

std::string AssessmentKey(const std::string& subject_id, std::uint64_t seq) {
  return SubjectPrefix(subject_id) + EncodeU64(seq);
}

Result<std::optional<QueueEntry>> ReadQueueEntry(const CaseStore& store, const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(auto bytes, store.Get(Table::kQueue, subject_id));
  if (!bytes) return std::optional<QueueEntry>();
  HT_ASSIGN_OR_RETURN(auto j, Decode(*bytes, Table::kQueue, subject_id));
  HT_ASSIGN_OR_RETURN(QueueEntry e, QueueEntryFromJson(j));
  return std::optional<QueueEntry>(std::move(e));
}

Result<std::vector<QueueEntry>> ReadQueueEntries(const CaseStore& store) {
  return ReadAll<QueueEntry>(store, Table::kQueue, "", QueueEntryFromJson);
}

void PutQueueEntry(CaseStore::Batch& batch, const QueueEntry& entry) {
  batch.Put(Table::kQueue, entry.subject_id, EncodeRecord(QueueEntryToJson(entry)));
}

Result<std::optional<AssessmentRecord>> LatestAssessment(const CaseStore& store, const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(auto last, store.Last(Table::kAssessments, SubjectPrefix(subject_id)));
  if (!last) return std::optional<AssessmentRecord>();
  HT_ASSIGN_OR_RETURN(auto j, Decode(last->second, Table::kAssessments, last->first));
  HT_ASSIGN_OR_RETURN(AssessmentRecord r, RecordFromJson(j));
  return std::optional<AssessmentRecord>(std::move(r));
}

Result<std::vector<AssessmentRecord>> AssessmentHistory(const CaseStore& store, const std::string& subject_id) {
  return ReadAll<AssessmentRecord>(store, Table::kAssessments, SubjectPrefix(subject_id), RecordFromJson);
}

void PutAssessment(CaseStore::Batch& batch, const AssessmentRecord& record) {
  nlohmann::json j = AssessmentToJson(record.assessment);
  j["seq"] = record.seq;
  j["band_change"] = record.band_change;
  j["event"] = record.event;
  batch.Put(Table::kAssessments, AssessmentKey(record.assessment.subject_id, record.seq), EncodeRecord(j));
}

Result<std::vector<Decision>> ReadDecisions(const CaseStore& store, const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(auto all, ReadAll<Decision>(store, Table::kDecisions, "", DecisionFromJson));
  if (subject_id.empty()) return all;
  std::vector<Decision> mine;
  for (auto& d : all) {
    if (d.subject_id == subject_id) mine.push_back(std::move(d));
  }
  return mine;
}

void PutDecision(CaseStore::Batch& batch, const Decision& decision) {
  batch.Put(Table::kDecisions, EncodeU64(decision.id), EncodeRecord(DecisionToJson(decision)));
}

Result<std::vector<DipSampleDraw>> ReadDipSamples(const CaseStore& store, const std::string& date) {
  const std::string prefix = date.empty() ? "" : date + std::string(1, '\0');
  return ReadAll<DipSampleDraw>(store, Table::kDipSamples, prefix, DipSampleFromJson);
}

void PutDipSample(CaseStore::Batch& batch, const DipSampleDraw& draw) {
  batch.Put(Table::kDipSamples, draw.date + std::string(1, '\0') + EncodeU64(draw.draw),
            EncodeRecord(DipSampleToJson(draw)));
}

}  // namespace hashtriage::engine::risk

// The evidence catalogue on the key-value store: evidence records (kEvidence), the resume identity index
// (kEvidenceIdentity), the subject index (kEvidenceBySubject), file records (kFiles) with the index of
// those that have hits (kFilesWithHits), and resume points (kProgress).
#include <algorithm>

#include "engine/case/kv/evidence_json.h"
#include "engine/case/kv/record_codec.h"
#include "engine/case/kv/kv_case.h"
#include "hashing/digests.h"

namespace hashtriage::engine::kv {

namespace {

constexpr int kEvidenceVersion = 1;
constexpr int kFileVersion = 1;

std::string EncodeEvidence(const EvidenceRecord& e) { return EncodeRecord(EvidenceRecordToJson(e), kEvidenceVersion); }

Result<EvidenceRecord> DecodeEvidence(std::string_view bytes, std::uint32_t number) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kEvidenceVersion, "evidence " + std::to_string(number)));
  return EvidenceRecordFromJson(j);
}

std::string IdentityKey(const std::string& source_absolute, const ScanSettings& settings,
                        const EvidenceFingerprint& fingerprint) {
  const std::string canonical = source_absolute + '\0' + settings.Key() + '\0' + fingerprint.Id();
  return hashing::DigestBytes(std::as_bytes(std::span(canonical.data(), canonical.size())),
                              hashing::DigestSet().Add(hashing::DigestKind::kSha256))
      .sha256->hex();
}

std::string FileKey(std::uint32_t evidence, std::uint64_t seq) { return EncodeU32(evidence) + EncodeU64(seq); }

std::string EncodeFile(const FileRecord& r) { return EncodeRecord(FileRecordToJson(r), kFileVersion); }

Result<FileRecord> DecodeFile(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kFileVersion, "file record " + std::to_string(DecodeU32(key)) + "/" +
                                                                    std::to_string(DecodeU64(key.substr(4)))));
  return FileRecordFromJson(j);
}

}  // namespace

Result<std::optional<EvidenceRecord>> KvEvidenceCatalogue::Get(std::uint32_t number) const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kEvidence, EncodeU32(number)));
  if (!bytes) return std::optional<EvidenceRecord>();
  HT_ASSIGN_OR_RETURN(EvidenceRecord e, DecodeEvidence(*bytes, number));
  return std::optional<EvidenceRecord>(std::move(e));
}

Result<std::vector<EvidenceRecord>> KvEvidenceCatalogue::List() const {
  std::vector<EvidenceRecord> out;
  HT_RETURN_IF_ERROR(ScanRecords(
      kv_, Table::kEvidence, "",
      [](std::string_view value, std::string_view key) { return DecodeEvidence(value, DecodeU32(key)); },
      [&](EvidenceRecord& e) {
        out.push_back(std::move(e));
        return true;
      }));
  return out;
}

Result<std::optional<std::uint32_t>> KvEvidenceCatalogue::Find(const std::string& source_absolute,
                                                                  const ScanSettings& settings,
                                                                  const EvidenceFingerprint& fingerprint) const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kEvidenceIdentity, IdentityKey(source_absolute, settings, fingerprint)));
  if (!bytes) return std::optional<std::uint32_t>();
  return std::optional<std::uint32_t>(DecodeU32(*bytes));
}

Status KvEvidenceCatalogue::ReadAheadSubjects(const std::vector<std::string>& subject_ids) const {
  std::vector<std::string> prefixes;
  for (const std::string& id : subject_ids) prefixes.push_back(id + '\0');
  return kv_.ReadAheadPrefixes(Table::kEvidenceBySubject, prefixes);
}

Result<std::vector<EvidenceRecord>> KvEvidenceCatalogue::ForSubjects(const std::vector<std::string>& subject_ids) const {
  std::vector<std::uint32_t> numbers;
  for (const std::string& id : subject_ids) {
    HT_RETURN_IF_ERROR(kv_.Scan(Table::kEvidenceBySubject, id + '\0', [&](std::string_view key, std::string_view) {
      numbers.push_back(DecodeU32(key.substr(id.size() + 1)));
      return true;
    }));
  }
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  std::vector<EvidenceRecord> out;
  for (std::uint32_t n : numbers) {
    HT_ASSIGN_OR_RETURN(auto e, Get(n));
    if (e) out.push_back(std::move(*e));
  }
  return out;
}

Status KvEvidenceCatalogue::Put(CaseTransaction& txn, const EvidenceRecord& record) {
  KvTransaction& t = KvTxn(txn);
  HT_ASSIGN_OR_RETURN(auto before, Get(record.number));
  if (before && before->subject != record.subject && !before->subject.empty()) {
    t.Delete(Table::kEvidenceBySubject, before->subject + '\0' + EncodeU32(record.number));
  }
  if (!record.subject.empty()) t.Put(Table::kEvidenceBySubject, record.subject + '\0' + EncodeU32(record.number), "");
  t.Put(Table::kEvidenceIdentity, IdentityKey(record.source_absolute, record.settings, record.fingerprint),
        EncodeU32(record.number));
  t.Put(Table::kEvidence, EncodeU32(record.number), EncodeEvidence(record));
  return Status::Ok();
}

Result<std::uint64_t> KvEvidenceCatalogue::ResumePoint(std::uint32_t number) const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kProgress, EncodeU32(number)));
  return bytes ? DecodeU64(*bytes) : 0;
}

void KvEvidenceCatalogue::SetResumePoint(CaseTransaction& txn, std::uint32_t number, std::uint64_t next_seq) {
  KvTxn(txn).Put(Table::kProgress, EncodeU32(number), EncodeU64(next_seq));
}

void KvEvidenceCatalogue::PutFile(CaseTransaction& txn, const FileRecord& record) {
  KvTransaction& t = KvTxn(txn);
  const std::string key = FileKey(record.evidence, record.seq);
  t.Put(Table::kFiles, key, EncodeFile(record));
  if (!record.hits.empty()) t.Put(Table::kFilesWithHits, key, "");
}

void KvEvidenceCatalogue::ReplaceFile(CaseTransaction& txn, const FileRecord& record) {
  KvTransaction& t = KvTxn(txn);
  const std::string key = FileKey(record.evidence, record.seq);
  t.Put(Table::kFiles, key, EncodeFile(record));
  if (record.hits.empty()) {
    t.Delete(Table::kFilesWithHits, key);
  } else {
    t.Put(Table::kFilesWithHits, key, "");
  }
}

Status KvEvidenceCatalogue::ForEachFile(std::uint32_t number, bool with_hits_only,
                                           const std::function<bool(const FileRecord&)>& visit) const {
  const std::string prefix = number == 0 ? "" : EncodeU32(number);
  if (!with_hits_only) return ScanRecords(kv_, Table::kFiles, prefix, DecodeFile, visit);
  std::vector<std::string> keys;
  HT_RETURN_IF_ERROR(kv_.Scan(Table::kFilesWithHits, prefix, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  }));
  for (const std::string& key : keys) {
    HT_ASSIGN_OR_RETURN(auto value, kv_.Get(Table::kFiles, key));
    if (!value) return Status::Corruption("file record " + PrintableKey(key) + " is listed with hits but missing");
    HT_ASSIGN_OR_RETURN(FileRecord r, DecodeFile(*value, key));
    if (r.hits.empty()) continue;
    if (!visit(r)) break;
  }
  return Status::Ok();
}

}  // namespace hashtriage::engine::kv

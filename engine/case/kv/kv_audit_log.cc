// The audit log on the key-value store: entries in kAudit by sequence, the chain head in kMeta "audit_head".
#include <algorithm>

#include "engine/case/kv/record_codec.h"
#include "engine/case/kv/kv_case.h"

namespace hashtriage::engine::kv {

namespace {

constexpr int kAuditVersion = 1;
constexpr int kHeadVersion = 1;
constexpr std::string_view kHeadKey = "audit_head";

AuditEntry FromJson(const Json& j) {
  AuditEntry e;
  e.seq = UInt(j, "seq");
  e.utc = Int(j, "utc");
  e.command_time = OptInt(j, "command_time");
  e.user = Str(j, "user");
  e.host = Str(j, "host");
  e.tool_version = Str(j, "tool_version");
  e.command = Str(j, "command");
  e.details = j.contains("details") ? j["details"] : Json();
  e.prev_hash = Str(j, "prev_hash");
  e.hash = Str(j, "hash");
  return e;
}

}  // namespace

Result<std::optional<AuditHead>> KvAuditLog::Head() const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kMeta, kHeadKey));
  if (!bytes) return std::optional<AuditHead>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(*bytes, kHeadVersion, "audit head"));
  return std::optional<AuditHead>(AuditHead{UInt(j, "seq"), Str(j, "hash")});
}

Result<std::optional<AuditEntry>> KvAuditLog::Latest() const {
  HT_ASSIGN_OR_RETURN(auto last, kv_.Last(Table::kAudit, ""));
  if (!last) return std::optional<AuditEntry>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(last->second, kAuditVersion, "audit entry"));
  return std::optional<AuditEntry>(FromJson(j));
}

Result<AuditEntry> KvAuditLog::Append(CaseTransaction& txn, AuditEntry e) {
  KvTransaction& t = KvTxn(txn);
  if (!t.audit_head()) {
    // The last entry actually stored (not the head record, which an attacker might have removed).
    HT_ASSIGN_OR_RETURN(auto last, kv_.Last(Table::kAudit, ""));
    AuditHead head;
    if (last) {
      auto j = DecodeRecord(last->second, kAuditVersion, "audit entry");
      head.seq = DecodeU64(last->first);
      head.hash = j.ok() ? Str(*j, "hash") : "";
    }
    t.audit_head() = head;
  }
  e.seq = t.audit_head()->seq + 1;
  e.prev_hash = t.audit_head()->hash;
  if (e.utc == 0) e.utc = WallClockNow();
  if (e.user.empty()) e.user = ProcessUser();
  e.host = HostName();
  if (e.tool_version.empty()) e.tool_version = HASHTRIAGE_VERSION;
  e.hash = AuditEntryHash(e);
  e.position = e.seq;
  Json stored = AuditEntryToJson(e);
  t.Put(Table::kAudit, EncodeU64(e.seq), EncodeRecord(std::move(stored), kAuditVersion));
  t.Put(Table::kMeta, kHeadKey, EncodeRecord(Json{{"seq", e.seq}, {"hash", e.hash}}, kHeadVersion));
  t.audit_head() = AuditHead{e.seq, e.hash};
  return e;
}

Result<std::vector<AuditEntry>> KvAuditLog::Entries() const {
  std::vector<AuditEntry> entries;
  HT_RETURN_IF_ERROR(kv_.Scan(Table::kAudit, "", [&](std::string_view key, std::string_view value) {
    auto j = DecodeRecord(value, kAuditVersion, "audit entry");
    AuditEntry e = j.ok() ? FromJson(*j) : AuditEntry{};
    e.position = DecodeU64(key);
    if (!j.ok()) e.seq = e.position;
    entries.push_back(std::move(e));
    return true;
  }));
  return entries;
}

Result<std::vector<AuditEntry>> KvAuditLog::EntriesAfter(std::uint64_t seq) const {
  if (seq == 0) return Entries();
  HT_ASSIGN_OR_RETURN(auto last, kv_.Last(Table::kAudit, ""));
  std::vector<AuditEntry> entries;
  if (!last) return entries;
  const std::uint64_t newest = DecodeU64(last->first);
  // The keys are known (sequence numbers), so the new entries are read by key, a chunk per round trip.
  constexpr std::uint64_t kChunk = 1000;
  for (std::uint64_t from = seq + 1; from <= newest; from += kChunk) {
    std::vector<std::string> keys;
    for (std::uint64_t s = from; s <= newest && s < from + kChunk; ++s) keys.push_back(EncodeU64(s));
    HT_RETURN_IF_ERROR(kv_.GetMany(Table::kAudit, keys, true, [&](std::string_view key, std::string_view value) {
      auto j = DecodeRecord(value, kAuditVersion, "audit entry");
      AuditEntry e = j.ok() ? FromJson(*j) : AuditEntry{};
      e.position = DecodeU64(key);
      if (!j.ok()) e.seq = e.position;
      entries.push_back(std::move(e));
    }));
  }
  std::sort(entries.begin(), entries.end(), [](const AuditEntry& a, const AuditEntry& b) { return a.position < b.position; });
  return entries;
}

}  // namespace hashtriage::engine::kv

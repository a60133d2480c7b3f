#include "engine/audit_log.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include "engine/record_codec.h"
#include "hashing/digests.h"

namespace hashtriage::engine {

namespace {

constexpr std::string_view kHeadKey = "audit_head";

std::string HostName() {
  char name[256] = "";
  ::gethostname(name, sizeof name - 1);
  return name;
}

nlohmann::json ContentJson(const AuditEntry& e) {
  return nlohmann::json{{"seq", e.seq},   {"time", e.time},         {"user", e.user},
                        {"host", e.host}, {"tool_version", e.tool_version}, {"command", e.command},
                        {"details", e.details}, {"prev_hash", e.prev_hash}};
}

std::string EntryHash(const AuditEntry& e) {
  const std::string canonical = ContentJson(e).dump();  // keys sorted: canonical
  const auto digest = hashing::DigestBytes(std::as_bytes(std::span(canonical.data(), canonical.size())),
                                           hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  return digest.sha256->hex();
}

AuditEntry FromJson(const nlohmann::json& j) {
  AuditEntry e;
  e.seq = j.value("seq", std::uint64_t{0});
  e.time = j.value("time", std::int64_t{0});
  e.user = j.value("user", "");
  e.host = j.value("host", "");
  e.tool_version = j.value("tool_version", "");
  e.command = j.value("command", "");
  e.details = j.contains("details") ? j["details"] : nlohmann::json();
  e.prev_hash = j.value("prev_hash", "");
  e.hash = j.value("hash", "");
  return e;
}

}  // namespace

nlohmann::json AuditEntryToJson(const AuditEntry& entry) {
  nlohmann::json j = ContentJson(entry);
  j["hash"] = entry.hash;
  return j;
}

std::string ProcessUser() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return std::to_string(::geteuid());
}

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? std::string(user) : ProcessUser();
}

Result<AuditEntry> AppendAudit(CaseStore& store, std::int64_t time, const std::string& command,
                               nlohmann::json details) {
  HT_ASSIGN_OR_RETURN(auto last, store.Last(Table::kAudit, ""));
  AuditEntry e;
  e.seq = 1;
  if (last) {
    HT_ASSIGN_OR_RETURN(nlohmann::json prev, DecodeRecord(last->second));
    e.seq = DecodeU64(last->first) + 1;
    e.prev_hash = prev.value("hash", "");
  }
  e.time = time;
  e.user = ProcessUser();
  e.host = HostName();
  e.tool_version = HASHTRIAGE_VERSION;
  e.command = command;
  e.details = std::move(details);
  e.hash = EntryHash(e);
  CaseStore::Batch batch;
  batch.Put(Table::kAudit, EncodeU64(e.seq), EncodeRecord(AuditEntryToJson(e)));
  batch.Put(Table::kMeta, kHeadKey, EncodeRecord(nlohmann::json{{"seq", e.seq}, {"hash", e.hash}}));
  HT_RETURN_IF_ERROR(store.Write(batch));
  return e;
}

std::vector<AuditEntry> ReadAudit(const CaseStore& store) {
  std::vector<AuditEntry> entries;
  store
      .Scan(Table::kAudit, "",
            [&](std::string_view, std::string_view value) {
              auto j = DecodeRecord(value);
              entries.push_back(j.ok() ? FromJson(*j) : AuditEntry{});
              return true;
            })
      .IgnoreError();
  return entries;
}

AuditVerification VerifyAudit(const CaseStore& store) {
  AuditVerification v;
  std::uint64_t expected_seq = 1;
  std::string prev_hash;
  Status scan = store.Scan(Table::kAudit, "", [&](std::string_view key, std::string_view value) {
    const std::uint64_t key_seq = DecodeU64(key);
    auto j = DecodeRecord(value);
    if (!j.ok()) {
      v.problems.push_back("entry " + std::to_string(key_seq) + ": unreadable record");
      v.intact = false;
      return true;
    }
    const AuditEntry e = FromJson(*j);
    ++v.entries;
    if (key_seq != expected_seq) {
      v.problems.push_back("entry " + std::to_string(expected_seq) + (key_seq > expected_seq ? ": missing (deleted)" : ": out of order"));
      v.intact = false;
    }
    if (e.seq != key_seq) {
      v.problems.push_back("entry " + std::to_string(key_seq) + ": sequence number altered (says " + std::to_string(e.seq) + ")");
      v.intact = false;
    }
    if (e.prev_hash != prev_hash) {
      v.problems.push_back("entry " + std::to_string(key_seq) + ": chain broken (previous entry changed, removed or reordered)");
      v.intact = false;
    }
    if (EntryHash(e) != e.hash) {
      v.problems.push_back("entry " + std::to_string(key_seq) + ": content edited (hash mismatch)");
      v.intact = false;
    }
    prev_hash = e.hash;
    expected_seq = key_seq + 1;
    return true;
  });
  if (!scan.ok()) {
    v.intact = false;
    v.problems.push_back(scan.ToString());
  }
  auto head = store.Get(Table::kMeta, kHeadKey);
  if (head.ok() && head->has_value()) {
    auto j = DecodeRecord(**head);
    if (j.ok() && (j->value("seq", std::uint64_t{0}) != expected_seq - 1 || j->value("hash", "") != prev_hash)) {
      v.intact = false;
      v.problems.push_back("head: the log ends at entry " + std::to_string(expected_seq - 1) + " but entry " +
                           std::to_string(j->value("seq", std::uint64_t{0})) + " was the last written (entries removed from the end, or edited)");
    }
  } else if (v.entries > 0) {
    v.intact = false;
    v.problems.push_back("head: chain head record missing");
  }
  return v;
}

}  // namespace hashtriage::engine

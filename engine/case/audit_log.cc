#include "engine/case/audit_log.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "hashing/digests.h"

namespace hashtriage::engine {

namespace {

nlohmann::json ContentJson(const AuditEntry& e) {
  return nlohmann::json{{"seq", e.seq},
                        {"utc", e.utc},
                        {"command_time", e.command_time ? nlohmann::json(*e.command_time) : nlohmann::json(nullptr)},
                        {"user", e.user},
                        {"host", e.host},
                        {"tool_version", e.tool_version},
                        {"command", e.command},
                        {"details", e.details},
                        {"prev_hash", e.prev_hash}};
}

}  // namespace

std::string AuditEntryHash(const AuditEntry& e) {
  // Keys sorted, invalid UTF-8 replaced: canonical whatever the details hold.
  const std::string canonical = ContentJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return hashing::DigestBytes(std::as_bytes(std::span(canonical.data(), canonical.size())),
                              hashing::DigestSet().Add(hashing::DigestKind::kSha256))
      .sha256->hex();
}

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

std::string HostName() {
  char name[256] = "";
  ::gethostname(name, sizeof name - 1);
  return name;
}

std::int64_t WallClockNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

AuditEntry MakeAuditEntry(const std::string& command, nlohmann::json details, std::optional<std::int64_t> command_time) {
  AuditEntry e;
  e.command = command;
  e.details = std::move(details);
  e.command_time = command_time;
  return e;
}

AuditEntry MakeAuditEntry(const CommandContext& context, nlohmann::json details) {
  AuditEntry e = MakeAuditEntry(context.command, std::move(details), context.command_time);
  e.user = context.user;
  return e;
}

AuditVerification VerifyAudit(const AuditLog& log) {
  AuditVerification v;
  auto entries = log.Entries();
  if (!entries.ok()) {
    v.intact = false;
    v.problems.push_back(entries.status().message());
    return v;
  }
  std::uint64_t expected_seq = 1;
  std::string prev_hash;
  for (const AuditEntry& e : *entries) {
    ++v.entries;
    const std::string n = std::to_string(e.position);
    if (e.hash.empty() && e.command.empty()) {
      v.problems.push_back("entry " + n + ": unreadable record");
      v.intact = false;
      expected_seq = e.position + 1;
      continue;
    }
    if (e.position != expected_seq) {
      v.problems.push_back("entry " + std::to_string(expected_seq) +
                           (e.position > expected_seq ? ": missing (deleted)" : ": out of order"));
      v.intact = false;
    }
    if (e.seq != e.position) {
      v.problems.push_back("entry " + n + ": sequence number altered (says " + std::to_string(e.seq) + ")");
      v.intact = false;
    }
    if (e.prev_hash != prev_hash) {
      v.problems.push_back("entry " + n + ": chain broken (previous entry changed, removed or reordered)");
      v.intact = false;
    }
    if (AuditEntryHash(e) != e.hash) {
      v.problems.push_back("entry " + n + ": content edited (hash mismatch)");
      v.intact = false;
    }
    prev_hash = e.hash;
    expected_seq = e.position + 1;
  }
  auto head = log.Head();
  if (!head.ok()) {
    v.intact = false;
    v.problems.push_back("head: " + head.status().message());
  } else if (*head) {
    if ((*head)->seq != expected_seq - 1 || (*head)->hash != prev_hash) {
      v.intact = false;
      v.problems.push_back("head: the log ends at entry " + std::to_string(expected_seq - 1) + " but entry " +
                           std::to_string((*head)->seq) +
                           " was the last written (entries removed from the end, or edited)");
    }
  } else if (v.entries > 0) {
    v.intact = false;
    v.problems.push_back("head: chain head record missing");
  }
  return v;
}

}  // namespace hashtriage::engine

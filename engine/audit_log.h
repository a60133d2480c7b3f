// AuditLog: the case's append-only record of every command run on it. Each entry carries the
// SHA-256 of the previous entry, and its own hash over its content and that link, so editing,
// deleting or reordering any entry breaks the chain; the chain head is also kept in the meta table
// so a truncated tail is detected. Append is serialised by the case store's single writer process.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case_store.h"
#include "hashing/status.h"

namespace hashtriage::engine {

struct AuditEntry {
  std::uint64_t seq = 0;
  std::int64_t time = 0;      // Unix seconds UTC (the command's --now)
  std::string user;
  std::string host;
  std::string tool_version;
  std::string command;        // the command line
  nlohmann::json details;     // command-specific: index/model versions, counts, reasons
  std::string prev_hash;      // hex SHA-256 of the previous entry ("" for the first)
  std::string hash;           // hex SHA-256 of this entry
};

// Appends an entry (seq, prev_hash and hash are filled in). user/host default to the process's.
Result<AuditEntry> AppendAudit(CaseStore& store, std::int64_t time, const std::string& command,
                               nlohmann::json details);

std::vector<AuditEntry> ReadAudit(const CaseStore& store);

struct AuditVerification {
  bool intact = true;
  std::uint64_t entries = 0;
  std::vector<std::string> problems;  // "entry 7: content edited (hash mismatch)" ...
};
AuditVerification VerifyAudit(const CaseStore& store);

nlohmann::json AuditEntryToJson(const AuditEntry& entry);

// The account running this process (from the effective uid; its number when it has no name): what
// every audit entry records.
std::string ProcessUser();
// Who is credited when a command is given no --by/--examiner: $USER when set, else ProcessUser().
std::string DefaultActor();

}  // namespace hashtriage::engine

// AuditLog: the case's append-only record of every command that changed it. Each entry carries the
// real UTC time it was written (and the command's clock, when one was given with --now), who and
// where, the tool version, the command line and what was done; and the SHA-256 of the previous entry
// plus its own hash over its content and that link, so editing, deleting or reordering any entry
// breaks the chain; the chain head is kept apart so a truncated tail is detected too. An entry is
// staged in the same transaction as the changes it describes: a killed command leaves exactly the
// entries of what it stored. Threads: as the case (one writer).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/command_context.h"

namespace hashtriage::engine {

struct AuditEntry {
  std::uint64_t seq = 0;
  std::int64_t utc = 0;                      // when the entry was written (real clock, Unix seconds)
  std::optional<std::int64_t> command_time;  // the command's --now / $HASHTRIAGE_NOW, when given
  std::string user;
  std::string host;
  std::string tool_version;
  std::string command;     // the command line
  nlohmann::json details;  // command-specific: index/model versions, counts, reasons
  std::string prev_hash;   // hex SHA-256 of the previous entry ("" for the first)
  std::string hash;        // hex SHA-256 of this entry
  // Where the log holds the entry (set when read back; not hashed): differs from seq only if edited.
  std::uint64_t position = 0;
  // The time the command acted at: command_time when given, else utc.
  std::int64_t effective_time() const { return command_time.value_or(utc); }
};

// The chain head as last written.
struct AuditHead {
  std::uint64_t seq = 0;
  std::string hash;
};

struct AuditVerification {
  bool intact = true;
  std::uint64_t entries = 0;
  std::vector<std::string> problems;  // "entry 7: content edited (hash mismatch)" ...
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Stages an entry after the last one (of the log or of `txn`): seq, utc (when 0), user, host,
  // tool_version (when empty), prev_hash and hash are filled in. Returns the entry as it will be stored.
  virtual Result<AuditEntry> Append(CaseTransaction& txn, AuditEntry entry) = 0;
  // Every entry in sequence order (an unreadable entry is returned empty with its seq).
  virtual Result<std::vector<AuditEntry>> Entries() const = 0;
  // The entries after `seq`, in sequence order: what a reader that has seen up to `seq` has not.
  virtual Result<std::vector<AuditEntry>> EntriesAfter(std::uint64_t seq) const = 0;
  virtual Result<std::optional<AuditHead>> Head() const = 0;
  // The newest entry (none in an empty log): who changed the case last.
  virtual Result<std::optional<AuditEntry>> Latest() const = 0;
};

// The hash an entry must carry (over every field but `hash`).
std::string AuditEntryHash(const AuditEntry& entry);
// Checks the chain: sequence, links, hashes and the head.
AuditVerification VerifyAudit(const AuditLog& log);
nlohmann::json AuditEntryToJson(const AuditEntry& entry);

// The account running this process (from the effective uid; its number when it has no name): what
// every audit entry records.
std::string ProcessUser();
// Who is credited when a command is given no --by/--examiner: $USER when set, else ProcessUser().
std::string DefaultActor();
std::string HostName();
// The real clock, Unix seconds UTC.
std::int64_t WallClockNow();

// Convenience: an entry for `command` with `details`, acting at `command_time` (nullopt: no --now).
AuditEntry MakeAuditEntry(const std::string& command, nlohmann::json details,
                          std::optional<std::int64_t> command_time);
// The entry of an operation run under `context`: its command line, its clock when given, and the
// person acting (context.user; "" = the account running the process).
AuditEntry MakeAuditEntry(const CommandContext& context, nlohmann::json details);

}  // namespace hashtriage::engine

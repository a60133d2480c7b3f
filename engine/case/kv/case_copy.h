// CopyCase: moves a whole case between backends — an embedded directory into a PostgreSQL database
// (`case export --to postgresql://...`) or back (`case import --from ...`), or directory to directory.
// Every record of every table is copied as stored (the same versioned bytes), so whatever is read
// from the copy — exports, the queue, the audit chain — is what the original gives. The destination
// must hold no case yet (a PostgreSQL database must be migrated first). After copying, both sides are
// digested table by table (SHA-256 over every key and value in key order) and must agree; then one
// audit entry recording the copy (from where, how many records, the digest) is appended to the copy,
// and the case's name is stored in it (so a name taken from the old location does not change).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/case/audit_log.h"
#include "hashing/status.h"

namespace hashtriage::engine {

struct CaseCopyReport {
  std::string from, to;  // as shown (no passwords)
  std::uint64_t records = 0;
  std::map<std::string, std::uint64_t> per_table;  // table name -> records (tables with any)
  std::string sha256;  // over every table's records in key order (both sides agree)
};

// Copies the case at `from` (opened read-only) into `to`, then appends `entry` (with the report
// added to its details) to the copy's audit log. InvalidArgument when `to` already holds a case.
Result<CaseCopyReport> CopyCase(const std::string& from, const std::string& to, AuditEntry entry);

}  // namespace hashtriage::engine

// Case: one case as every command sees it — the typed stores that hold what hashtriage learns and
// decides (evidence catalogue, referrals, subjects, queue, audit log, case settings, users) and the
// transactions that change several of them at once. Stores hand out typed records only; no other code
// names a table, builds a key or decodes a record. The stores are written once over an ordered
// key-value layer (engine/case/kv/) with two backends: embedded RocksDB (a directory; the default)
// and PostgreSQL (a postgresql:// location; team mode, many processes at once).
// Lifecycle and threads: OpenCase, then reads may come from any thread; a transaction is used by one
// thread at a time and is applied atomically by Commit (nothing of it is visible before).
// Note: the folder is engine/case/ but `case` is a C++ keyword, so these types live in
// hashtriage::engine directly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::engine {

class EvidenceCatalogue;
class ReferralStore;
class SubjectStore;
class QueueStore;
class AuditLog;
class CaseSettings;
class UserStore;

// A set of writes to one case, applied atomically by Commit(). Ids drawn with NextId are part of it.
class CaseTransaction {
 public:
  virtual ~CaseTransaction() = default;
  // The next value (1, 2, 3...) of the named id counter, as of this transaction.
  virtual Result<std::uint64_t> NextId(std::string_view counter) = 0;
  // Applies every write at once. The transaction is empty afterwards and may be used again.
  virtual Status Commit() = 0;
  // Number of writes staged.
  virtual std::size_t size() const = 0;
};

struct CaseOptions {
  // Where the case is: a directory for the embedded store, or a postgresql:// URL (a database
  // prepared by `hashtriage db migrate`). Default: $HASHTRIAGE_CASE, else
  // ./hashtriage-case (DefaultCaseLocation).
  std::string location;
  // Create the case when there is none. Default: true (ignored when read_only).
  bool create_if_missing = true;
  // Open for reading only; may run while another process holds the case read-write. Default: false.
  bool read_only = false;
};

std::string DefaultCaseLocation();

// `text` with any database password removed: the password of a postgresql:// URL (user:PASSWORD@) and
// password=... parameters become "***". Command lines pass through it before they reach the audit log
// or a message. (Supply passwords with ~/.pgpass or $PGPASSFILE rather than in the URL.)
std::string RedactSecrets(const std::string& text);

class Case {
 public:
  virtual ~Case() = default;

  virtual EvidenceCatalogue& evidence() = 0;
  virtual ReferralStore& referrals() = 0;
  virtual SubjectStore& subjects() = 0;
  virtual QueueStore& queue() = 0;
  virtual AuditLog& audit() = 0;
  virtual CaseSettings& settings() = 0;
  virtual UserStore& users() = 0;
  const EvidenceCatalogue& evidence() const { return const_cast<Case*>(this)->evidence(); }
  const ReferralStore& referrals() const { return const_cast<Case*>(this)->referrals(); }
  const SubjectStore& subjects() const { return const_cast<Case*>(this)->subjects(); }
  const QueueStore& queue() const { return const_cast<Case*>(this)->queue(); }
  const AuditLog& audit() const { return const_cast<Case*>(this)->audit(); }
  const CaseSettings& settings() const { return const_cast<Case*>(this)->settings(); }
  const UserStore& users() const { return const_cast<Case*>(this)->users(); }

  virtual std::unique_ptr<CaseTransaction> Begin() = 0;

  // Where the case is (the directory of an embedded case; a PostgreSQL URL without its password).
  virtual const std::string& location() const = 0;
  virtual bool read_only() const = 0;
  // True when other processes may change the case while this one has it open (PostgreSQL): records
  // read before a commit must not be trusted after it (caches are dropped at each commit).
  virtual bool shared() const = 0;
  // Starts a fresh read view: later reads see everything committed by other processes until now. A
  // long-running reader (a server answering many requests) calls it per request; a PostgreSQL case
  // otherwise reads from the view its last commit (or its opening) began. Embedded reads are always current.
  virtual void Refresh() = 0;
  // A private directory for temporary spill files of this case (created 0700), "" when there is none.
  virtual std::string ScratchDirectory() = 0;
  // Shared case: waits for the case's writers' lock (held by one unit of work at a time among those that
  // ask for it) and starts a fresh read view after it was granted; UnlockWriters ends the view and
  // releases it. Embedded: nothing to do. Used through SerializedWrite (conflict_retry.h).
  virtual Status LockWriters() { return Status::Ok(); }
  virtual void UnlockWriters() {}
  // A hint before reading many subjects' profiles (re-scoring a group of subjects, a page of subject
  // views): a case on a database server reads their records in bulk — subject, accounts, referrals,
  // attributes, scans, queue entry, assessments — so the reads that follow cost no round trip, until
  // the read view ends. Embedded: nothing to do.
  virtual Status ReadAheadProfiles(const std::vector<std::string>& subject_ids) const {
    (void)subject_ids;
    return Status::Ok();
  }
};

// Opens (or creates) the case at options.location. Errors: NotFound (no case and create_if_missing
// false), InvalidArgument (a case directory writable by group or others), NotSupported (a case
// written in an older or newer format; a database not migrated), IOError (another process holds an
// embedded case read-write; the database server cannot be reached).
Result<std::unique_ptr<Case>> OpenCase(const CaseOptions& options);

}  // namespace hashtriage::engine

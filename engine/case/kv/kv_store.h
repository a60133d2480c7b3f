// KvStore: the embedded case's key-value storage: one directory (default ./hashtriage-case or
// $HASHTRIAGE_CASE) holding an embedded RocksDB with one column family per Table. Values are opaque
// bytes here; the typed stores of engine/case/kv/ are its only users (they alone build keys and
// encode records). Multi-table writes go through a Batch and are atomic.
// Lifecycle and threads: Open (read-write, one process at a time: RocksDB's lock file enforces it, or
// read-only alongside a writer); then Get/Scan/Write may be called from any thread.
// Security: the directory is created 0700 (files 0600); a case directory writable by group or others
// is refused.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"

namespace hashtriage::engine::kv {

// Persistent format: each value names a column family (by TableName). Append only; never renumber.
enum class Table : std::uint8_t {
  kMeta = 0,              // schema version, creation time, risk model, audit head
  kEvidence = 1,          // evidence number (u32 BE) -> evidence record
  kEvidenceIdentity = 2,  // SHA-256 of (source, settings, fingerprint) -> evidence number (resume)
  kEvidenceBySubject = 3, // subject id + '\0' + evidence number (u32 BE) -> ""
  kFiles = 4,             // evidence number (u32 BE) + item sequence (u64 BE) -> file record
  kProgress = 5,          // evidence number (u32 BE) -> next item sequence not yet committed (u64 BE)
  kAudit = 6,             // sequence (u64 BE) -> hash-chained audit entry
  kSubjects = 7,          // subject id -> subject record
  kAccounts = 8,          // account id -> account record
  kIdentifiers = 9,       // identifier key -> identifier record ("ip:..." -> IP address record)
  kReferrals = 10,        // referral id -> referral record
  kAttributes = 11,       // subject id + '\0' + seq (u64 BE) -> attribute record
  kLinks = 12,            // link decision id -> link record
  kPossibleLinks = 13,    // possible-link key -> possible-link record
  kAssessments = 14,      // subject id + '\0' + seq (u64 BE) -> assessment record
  kQueue = 15,            // subject id -> queue entry
  kDecisions = 16,        // decision id (u64 BE) -> decision
  kDipSamples = 17,       // date + '\0' + draw (u64 BE) -> dip-sample draw
  kCounters = 18,         // counter name -> last id (u64 BE)
  kPending = 19,          // "rescore/<subject id>" -> "" (re-score owed)
  kFilesWithHits = 20,    // evidence number (u32 BE) + item sequence (u64 BE) -> "" for records with hits
  kUsers = 21,            // user name -> user record (team mode accounts)
};
inline constexpr int kTableCount = 22;
std::string_view TableName(Table table);

struct KvOptions {
  std::string path;  // the case directory, or a postgresql:// URL
  bool create_if_missing = true;
  bool read_only = false;
  // Open a store that holds a case copy still in progress (CopyCase alone does).
  bool allow_incomplete_copy = false;
};

// The kMeta key a case copy writes with its first batch and removes with its last: a store holding it
// is an interrupted copy and is not opened as a case.
inline constexpr std::string_view kCopyInProgressKey = "copy_in_progress";

class KvBackend;
class ReadAheadCache;

// True for a location naming a PostgreSQL database (postgresql:// or postgres://).
bool IsPostgresLocation(std::string_view location);

class KvStore {
 public:
  static Result<std::unique_ptr<KvStore>> Open(const KvOptions& options);
  ~KvStore();
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;

  // A set of writes applied atomically by Write().
  class Batch {
   public:
    Batch();
    ~Batch();
    Batch(Batch&&) noexcept;
    Batch& operator=(Batch&&) noexcept;
    void Put(Table table, std::string_view key, std::string_view value);
    void Delete(Table table, std::string_view key);
    std::size_t size() const { return count_; }

   private:
    friend class KvStore;
    struct Ops;  // a vector of KvOp (kv_backend.h)
    std::unique_ptr<Ops> ops_;
    std::size_t count_ = 0;
  };

  Status Write(Batch& batch);
  Status Put(Table table, std::string_view key, std::string_view value);
  Result<std::optional<std::string>> Get(Table table, std::string_view key) const;
  // Reads many keys of one table at once (one round trip on a database server): `visit` is called once
  // for each key present, in no particular order, with its value ("" when `with_values` is false).
  Status GetMany(Table table, const std::vector<std::string>& keys, bool with_values,
                 const std::function<void(std::string_view key, std::string_view value)>& visit) const;
  // Read-ahead (a database server): reads `keys`, or every row under each of `prefixes`, in one round
  // trip and keeps them until the read view ends, so that the Gets, Scans (of exactly such a prefix)
  // and Lasts that follow cost no round trip and return what they would have. GetMany with values
  // keeps what it read the same way. Does nothing on an embedded store (its reads are local).
  Status ReadAhead(Table table, const std::vector<std::string>& keys) const;
  Status ReadAheadPrefixes(Table table, const std::vector<std::string>& prefixes) const;
  // Visits keys starting with `prefix` in key order until `visit` returns false.
  Status Scan(Table table, std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  // The last key (and value) with `prefix`, if any.
  Result<std::optional<std::pair<std::string, std::string>>> Last(Table table, std::string_view prefix) const;

  // The case directory, or the database URL without its password.
  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }
  std::string ScratchDirectory();
  // See KvBackend::EndReadView.
  void EndReadView();
  // See KvBackend::LockWriters.
  Status LockWriters();
  void UnlockWriters();

 private:
  KvStore(std::unique_ptr<KvBackend> backend, std::string path, bool read_only);
  // A read failed or the view ended: nothing read ahead holds any more.
  void ForgetReadAhead() const;
  std::unique_ptr<KvBackend> backend_;
  std::unique_ptr<ReadAheadCache> read_ahead_;  // null on an embedded store
  std::string path_;
  bool read_only_;
};

}  // namespace hashtriage::engine::kv

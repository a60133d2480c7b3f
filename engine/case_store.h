// CaseStore: one case workspace (a directory, default ./hashtriage-case or $HASHTRIAGE_CASE) holding
// everything hashtriage learns and decides for a case, in an embedded RocksDB with one column family
// per Table. Values are opaque bytes to the store (callers encode records, usually CBOR via
// engine/record_codec.h). Multi-table writes go through a Batch and are atomic.
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

namespace hashtriage::engine {

// Persistent format: each value names a column family. Append only; never renumber.
enum class Table : std::uint8_t {
  kMeta = 0,         // schema version, case creation record
  kEvidence = 1,     // evidence number (u32 BE) -> evidence record
  kEvidenceKey = 2,  // scan identity (source + options) -> evidence number, for resume
  kFiles = 3,        // evidence number (u32 BE) + item sequence (u64 BE) -> file record
  kProgress = 4,     // evidence number (u32 BE) -> next item sequence not yet committed (u64 BE)
  kAudit = 5,        // sequence (u64 BE) -> hash-chained audit entry (engine/audit_log.h)
  kSubjects = 6,     // subjects (people): issue "intake, subjects and linking"
  kAccounts = 7,     // accounts / identifiers seen in referrals
  kIdentifiers = 8,  // identifier -> account / subject index
  kReferrals = 9,    // referral records
  kAttributes = 10,  // subject risk attributes with provenance and history
  kLinks = 11,       // manual links/unlinks and possible-link reports
  kAssessments = 12, // risk assessments (score, band, factors, model hash) per subject
  kQueue = 13,       // queue entries (entered date, deadline, status)
  kDecisions = 14,   // reviews, overrides, dip-sample outcomes
  kDipSamples = 15,  // daily dip-samples
  kCounters = 16,    // id allocators
};
inline constexpr int kTableCount = 17;
std::string_view TableName(Table table);

struct CaseOptions {
  // The case directory. Default: $HASHTRIAGE_CASE, else ./hashtriage-case (see DefaultCaseDir).
  std::string path;
  // Create the case when the directory does not hold one. Default: true (ignored when read_only).
  bool create_if_missing = true;
  // Open for reading only; may run while another process holds the case read-write. Default: false.
  bool read_only = false;
};

std::string DefaultCaseDir();

class CaseStore {
 public:
  static Result<std::unique_ptr<CaseStore>> Open(const CaseOptions& options);
  ~CaseStore();
  CaseStore(const CaseStore&) = delete;
  CaseStore& operator=(const CaseStore&) = delete;

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
    friend class CaseStore;
    struct Ops;
    std::unique_ptr<Ops> ops_;
    std::size_t count_ = 0;
  };

  Status Write(Batch& batch);
  Status Put(Table table, std::string_view key, std::string_view value);
  Result<std::optional<std::string>> Get(Table table, std::string_view key) const;
  // Visits keys starting with `prefix` in key order until `visit` returns false.
  Status Scan(Table table, std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  // The last key (and value) with `prefix`, if any.
  Result<std::optional<std::pair<std::string, std::string>>> Last(Table table, std::string_view prefix) const;

  // Allocates the next number of the named counter (1, 2, 3...), durably and atomically.
  Result<std::uint64_t> NextId(std::string_view counter);

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }

 private:
  struct Impl;
  explicit CaseStore(std::unique_ptr<Impl> impl, std::string path, bool read_only);
  std::unique_ptr<Impl> impl_;
  std::string path_;
  bool read_only_;
};

// Big-endian fixed-width key parts, so that key order is numeric order.
std::string EncodeU32(std::uint32_t v);
std::string EncodeU64(std::uint64_t v);
std::uint32_t DecodeU32(std::string_view bytes);
std::uint64_t DecodeU64(std::string_view bytes);

}  // namespace hashtriage::engine

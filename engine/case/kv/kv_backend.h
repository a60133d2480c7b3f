// KvBackend: where the key-value layer's tables live. Two implementations: RocksDB (an embedded
// directory, one column family per table: rocks_backend.cc) and PostgreSQL (one table per Table:
// engine/case/postgres/pg_backend.h). The KvStore front (kv_store.h) is their only user; it checks
// the record-format version and hands batches down whole.
// Contract: keys compare bytewise; Scan and Last see the backend's current read view, which for
// PostgreSQL is the open transaction (so reads and the write that follows them form one unit and a
// concurrent change to what was read makes Write fail with a Conflict instead of being overwritten).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/case/kv/kv_store.h"
#include "hashing/status.h"

namespace hashtriage::engine::kv {

struct KvOp {
  bool is_put = true;
  Table table = Table::kMeta;
  std::string key;
  std::string value;
};

class KvBackend {
 public:
  virtual ~KvBackend() = default;
  // Applies every op atomically (all or none).
  virtual Status Write(const std::vector<KvOp>& ops) = 0;
  virtual Result<std::optional<std::string>> Get(Table table, std::string_view key) = 0;
  // KvStore::GetMany. The default reads the keys one by one (right for an embedded store).
  virtual Status GetMany(Table table, const std::vector<std::string>& keys, bool with_values,
                         const std::function<void(std::string_view key, std::string_view value)>& visit);
  // Every row under each of `prefixes` (visit gets the prefix's index), in any order. The default
  // scans them one by one.
  virtual Status ScanMany(Table table, const std::vector<std::string>& prefixes,
                          const std::function<void(std::size_t prefix, std::string_view key, std::string_view value)>& visit);
  // True for a store across a network (PostgreSQL): KvStore then reads ahead (kv_store.h).
  virtual bool remote() const { return false; }
  virtual Status Scan(Table table, std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;
  virtual Result<std::optional<std::pair<std::string, std::string>>> Last(Table table, std::string_view prefix) = 0;
  // Ends the current read view (PostgreSQL: the open transaction, which has no writes: Write commits);
  // the next read sees everything committed by then. Embedded reads always see the latest.
  virtual void EndReadView() {}
  // The writers' lock of a shared store (PostgreSQL: a session advisory lock): ends the current read
  // view, waits for the lock, and holds it until UnlockWriters; the next read view starts after it was
  // granted. Embedded: nothing to do (one process writes).
  virtual Status LockWriters() { return Status::Ok(); }
  virtual void UnlockWriters() {}
  // A private directory (0700) for temporary spill files; "" when there is none.
  virtual std::string ScratchDirectory() = 0;
};

// The smallest key greater than every key starting with `prefix` ("" when there is none: all 0xFF).
std::string PrefixUpperBound(std::string_view prefix);

// Backends (each in its own file).
Result<std::unique_ptr<KvBackend>> OpenRocksBackend(const KvOptions& options);
Result<std::unique_ptr<KvBackend>> OpenPostgresBackend(const KvOptions& options);

}  // namespace hashtriage::engine::kv

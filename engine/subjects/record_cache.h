// RecordCache: decoded case-store records (JSON) read through a cache, with writes staged in memory
// and applied by Flush() in one atomic batch. Intake, linking and enrichment read and change many
// small records per referral; staging makes a referral (or a group of them) all-or-nothing and keeps
// decoded records hot. Invariant: the cache is the only writer of the tables it touches while it has
// staged writes (the case store admits one read-write process). One thread at a time.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/case_store.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

class RecordCache {
 public:
  // Read-write: Put and Flush are allowed.
  explicit RecordCache(CaseStore& store) : store_(store), writable_(&store) {}
  // Read-only: Put fails at Flush with InvalidArgument.
  explicit RecordCache(const CaseStore& store) : store_(store), writable_(nullptr) {}
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  // The record at (table, key) or nullptr when there is none. The pointer stays valid until Flush
  // or Discard; change the record only through Put (or call Touch after changing it in place).
  Result<const nlohmann::json*> Find(Table table, std::string_view key);
  // Like Find, but a missing record is NotFound("<what> <key> not found").
  Result<const nlohmann::json*> Require(Table table, std::string_view key, std::string_view what);
  // Stages `value` as the record at (table, key); returns the staged record.
  nlohmann::json& Put(Table table, std::string_view key, nlohmann::json value);
  // A mutable reference to an existing (found or staged) record, marked as changed.
  Result<nlohmann::json*> Edit(Table table, std::string_view key);

  // The next value of counter `name` (Table::kCounters, shared with CaseStore::NextId), staged.
  Result<std::uint64_t> NextId(std::string_view name);

  // Applies every staged write in one atomic batch. Keeps clean records cached unless there are more
  // than `keep_records`.
  Status Flush(std::size_t keep_records = 200000);
  // Records of `table` leave the cache once flushed (records written once and rarely read again, such
  // as referrals: keeping them only costs memory).
  void EvictAfterFlush(Table table) { evict_after_flush_.push_back(table); }
  // Drops every staged write (and the cache).
  void Discard();
  std::size_t staged() const { return dirty_count_; }

  const CaseStore& store() const { return store_; }

 private:
  struct Entry {
    bool present = false;
    bool dirty = false;
    nlohmann::json value;
  };
  static std::string CacheKey(Table table, std::string_view key);
  Result<Entry*> Load(Table table, std::string_view key);

  const CaseStore& store_;
  CaseStore* writable_;
  void MarkDirty(const std::string& cache_key, Entry& entry);

  std::unordered_map<std::string, Entry> entries_;
  // The staged entries (node pointers into entries_ stay valid until an erase or clear).
  std::vector<std::pair<const std::string*, Entry*>> dirty_;
  std::size_t dirty_count_ = 0;
  std::vector<Table> evict_after_flush_;
};

}  // namespace hashtriage::engine::subjects

// IndexStore: the RocksDB side of the known-image index (internal to index/). Owns the DB, its
// column families (one per hash type, plus sets), the set records and the generation bookkeeping
// that makes a set import or removal one atomic commit (see key_codec.h).
// Thread-safety: read methods are safe from many threads; write methods (BeginGeneration,
// CommitSet, AbandonGeneration, RemoveSet) need exclusive use and a read-write open.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hashing/status.h"
#include "index/membership.h"

namespace hashtriage::index::internal {

class DeadGenerations;

class IndexStore {
 public:
  struct Options {
    std::string dir;                  // the index directory; RocksDB lives in dir/db
    bool read_only = true;            // read-write creates the index if missing
    std::size_t block_cache_bytes = 64u << 20;
  };

  static Result<std::unique_ptr<IndexStore>> Open(const Options& options);
  ~IndexStore();
  IndexStore(const IndexStore&) = delete;
  IndexStore& operator=(const IndexStore&) = delete;

  const std::string& dir() const { return options_.dir; }
  bool read_only() const { return options_.read_only; }
  const std::map<std::string, SetInfo>& sets() const { return sets_; }
  // The set a live generation belongs to, or nullptr for staging, dead or unknown generations.
  const std::string* LiveSetName(std::uint32_t generation) const {
    auto it = live_.find(generation);
    return it == live_.end() ? nullptr : &it->second;
  }

  // An iterator over one hash type's column family (prefix seeks stay within one hash).
  std::unique_ptr<rocksdb::Iterator> NewIterator(HashType type, bool total_order = false) const;
  // Appends every live membership of `hash_bytes` to `out`, seeking `it` (from NewIterator(type)).
  Status CollectMemberships(rocksdb::Iterator& it, HashType type, std::string_view hash_bytes,
                            std::vector<Membership>& out) const;

  // Every live membership of each of `hashes` (raw bytes of `type`), by point lookups of
  // hash + generation for every live set holding that type; results go to (*outs[i]).
  Status MultiGetMemberships(HashType type, const std::vector<std::string_view>& hashes,
                             const std::vector<std::vector<Membership>*>& outs) const;

  // Write side (read-write opens only).
  Result<std::uint32_t> BeginGeneration();
  std::string StagingDir(std::uint32_t generation) const;
  // Options an SstFileWriter must use for files ingested into `type`'s column family.
  rocksdb::Options SstWriterOptions(HashType type) const;
  // Ingests the files and makes `info` (with info.generation from BeginGeneration) the set named
  // info.name, replacing any set of that name, in one atomic commit. `after_ingest` (tests only) runs
  // between the ingestion and the commit record.
  Status CommitSet(const SetInfo& info, const std::map<HashType, std::vector<std::string>>& files,
                   const std::function<void()>& after_ingest = {});
  Status AbandonGeneration(std::uint32_t generation);
  Status RemoveSet(std::string_view name);
  // Called at the end of every successful CommitSet with the committed set (KnownIndex refreshes its
  // in-memory exact tables). Runs on the committing thread; must not fail the commit.
  void set_commit_listener(std::function<void(const SetInfo&)> listener) { commit_listener_ = std::move(listener); }

  // Library features (index/feature_library.h): one blob per picture under features-family key
  // generation + ordinal (u32 BE each). Staged under an importing generation, visible once CommitSet
  // names it, dropped by compaction once it is dead, like hash entries. PutFeatures needs a read-write
  // open; ForEachFeatures visits one generation's blobs in ordinal order (none in an index without the
  // family, written before features existed).
  Status PutFeatures(std::uint32_t generation, std::uint32_t ordinal, std::string_view blob);
  Status ForEachFeatures(std::uint32_t generation, const std::function<Status(std::string_view)>& visit) const;

  std::uint64_t DiskBytes() const;

 private:
  IndexStore() = default;
  Status LoadSets();
  Status MarkDead(std::uint32_t generation);
  rocksdb::ColumnFamilyOptions HashFamilyOptions(HashType type) const;

  Options options_;
  std::shared_ptr<DeadGenerations> dead_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::vector<std::unique_ptr<const rocksdb::CompactionFilter>> filters_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<HashType, rocksdb::ColumnFamilyHandle*> hash_cf_;
  rocksdb::ColumnFamilyHandle* sets_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* features_cf_ = nullptr;  // null in a read-only open of an older index
  std::map<std::string, SetInfo> sets_;
  std::unordered_map<std::uint32_t, std::string> live_;
  std::function<void(const SetInfo&)> commit_listener_;
};

}  // namespace hashtriage::index::internal

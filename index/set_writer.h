// SetWriter: stages one import of one hash set and commits it atomically. Entries are buffered,
// sorted in runs bounded by IndexOptions::import_memory_bytes (spilled as SST files under the
// index's staging directory), merged, checked for duplicate hashes and ingested in one RocksDB
// commit. Until Commit returns OK nothing is visible; a crash, an error or destroying the writer
// leaves the index exactly as before. One thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hashing/status.h"
#include "index/membership.h"

namespace hashtriage::index {

namespace internal {
class IndexStore;
}

// A hash that occurred more than once in the set; the first occurrence is the one kept.
struct DuplicateHash {
  HashType type = HashType::kMd5;
  std::string hash_hex;
  std::uint32_t first_file = 0;  // index into the import's file list
  std::uint64_t first_line = 0;
  std::uint32_t file = 0;
  std::uint64_t line = 0;
  bool conflicting = false;  // the two records disagree (category, flags, series or media id)
};

struct CommitReport {
  SetInfo set;
  std::uint64_t duplicates = 0;
  std::uint64_t conflicting_duplicates = 0;
  std::vector<DuplicateHash> duplicate_examples;  // the first 100
};

class SetWriter {
 public:
  ~SetWriter();  // abandons the import unless committed
  SetWriter(const SetWriter&) = delete;
  SetWriter& operator=(const SetWriter&) = delete;

  // Stages one entry. `hash` has HashTypeSize(type) bytes (PDQ most significant byte first);
  // `file` (index into the import's file list) and `line` locate the record for duplicate reports.
  Status Add(HashType type, std::span<const std::uint8_t> hash, const EntryInfo& info, std::uint32_t file,
             std::uint64_t line);

  // Sorts, deduplicates and commits. `set` supplies sources, records_read and records_rejected;
  // name, generation, format, entries and by_category are filled in here.
  Result<CommitReport> Commit(SetInfo set);

  std::uint64_t staged() const { return staged_; }

  struct TypeBuffer;  // implementation detail (set_writer.cc)

 private:
  friend class KnownIndex;
  SetWriter(internal::IndexStore* store, std::uint32_t generation, std::string name, std::string format, bool strict,
            std::size_t memory_budget);
  Status SpillRuns();
  Status Abandon();

  internal::IndexStore* store_;
  std::uint32_t generation_;
  std::string name_;
  std::string format_;
  bool strict_;
  std::size_t memory_budget_;
  std::map<HashType, std::unique_ptr<TypeBuffer>> buffers_;
  std::size_t buffered_bytes_ = 0;
  std::uint64_t staged_ = 0;
  std::uint64_t crash_after_ = 0;  // test hook HASHTRIAGE_TEST_CRASH_AT=record:N
  bool finished_ = false;
  int run_counter_ = 0;
};

}  // namespace hashtriage::index

// SetWriter: stages one import of one hash set and commits it atomically. Entries are buffered,
// sorted in runs bounded by IndexOptions::import_memory_bytes (spilled as SST files under the
// index's staging directory), merged, checked for duplicate hashes and ingested in one RocksDB
// commit. Until Commit returns OK nothing is visible; a crash, an error or destroying the writer
// leaves the index exactly as before. A hash staged by two records is stored once: the more serious
// category wins (MoreSerious; the earlier record on a tie). One thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"
#include "index/membership.h"

namespace hashtriage::index {

namespace internal {
class IndexStore;
}

// Where a staged entry came from: `file` indexes the import's file list, `line` is 1-based and
// `offset` is the byte offset of the record in its file when the reader knows it. The entries of
// one record (a VICS Media's MD5 and SHA-1) share a position; two records never do, even on one
// line (a minified VICS file): with offsets, records are told apart by offset, else by line.
struct RecordPosition {
  std::uint32_t file = 0;
  std::uint64_t line = 0;
  std::optional<std::uint64_t> offset;  // < 2^48
};

// A hash staged by a second record, compared with the occurrence kept up to then (the first one,
// or a later one of a more serious category).
struct DuplicateHash {
  HashType type = HashType::kMd5;
  std::string hash_hex;
  std::uint32_t first_file = 0;  // the occurrence compared with; index into the import's file list
  std::uint64_t first_line = 0;
  std::optional<std::uint64_t> first_offset;
  Category first_category = Category::kUnknown;
  std::uint32_t file = 0;  // this occurrence
  std::uint64_t line = 0;
  std::optional<std::uint64_t> offset;
  Category category = Category::kUnknown;
  bool conflicting = false;  // the two records disagree (category, flags, series or media id)
  bool category_conflict() const { return first_category != category; }
  // The category stored for the hash after this comparison.
  Category kept_category() const { return MoreSerious(category, first_category) ? category : first_category; }
};

// "a.json:3 (byte 120)": a record's place for messages; "line 3" when `file` is not in `sources`.
std::string RecordPlace(const std::vector<std::string>& sources, std::uint32_t file, std::uint64_t line,
                        std::optional<std::uint64_t> offset);

struct CommitReport {
  SetInfo set;
  std::uint64_t duplicates = 0;
  std::uint64_t conflicting_duplicates = 0;  // the records disagree in any detail
  std::uint64_t category_conflicts = 0;      // ... in category (a subset of conflicting_duplicates)
  // The first 100 duplicates without a conflict and the first 100 conflicting ones, in hash order.
  std::vector<DuplicateHash> duplicate_examples;
};

class SetWriter {
 public:
  ~SetWriter();  // abandons the import unless committed
  SetWriter(const SetWriter&) = delete;
  SetWriter& operator=(const SetWriter&) = delete;

  // Stages one entry. `hash` has HashTypeSize(type) bytes (PDQ most significant byte first);
  // `where` locates the record for duplicate reports and tells records apart.
  Status Add(HashType type, std::span<const std::uint8_t> hash, const EntryInfo& info, const RecordPosition& where);
  // The same for sources with one record per line (no offsets).
  Status Add(HashType type, std::span<const std::uint8_t> hash, const EntryInfo& info, std::uint32_t file,
             std::uint64_t line) {
    return Add(type, hash, info, RecordPosition{file, line, std::nullopt});
  }

  // Stages one library picture's local features (index/feature_library.h's encoding), written at once
  // under this import's generation and visible only after Commit. The set records how many.
  Status AddFeatures(std::string_view blob);

  // Sorts, deduplicates and commits. `set` supplies sources (named in error messages), records_read
  // and records_rejected; name, generation, format, entries and by_category are filled in here.
  // In a strict writer any conflicting duplicate fails the commit (Corruption; nothing committed).
  Result<CommitReport> Commit(SetInfo set);

  std::uint64_t staged() const { return staged_; }

  // Crash-injection for tests (ImportOptions::test_point): called at ("record", n), ("before-ingest", 0)
  // and ("after-ingest", 0). Empty in the product.
  using TestPoint = std::function<void(std::string_view point, std::uint64_t n)>;
  void set_test_point(TestPoint point) { test_point_ = std::move(point); }

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
  std::uint32_t feature_pictures_ = 0;
  TestPoint test_point_;
  bool finished_ = false;
  int run_counter_ = 0;
};

}  // namespace hashtriage::index

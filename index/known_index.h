// KnownIndex: "is this file known, and as what?" over every imported hash set. Exact lookups of
// MD5/SHA-1/SHA-256 (an in-memory filter answers most misses without touching RocksDB) and exact
// PDQ radius search (every indexed hash within the threshold is returned; index/internal/mih_index.h).
// Optionally (IndexOptions::exact_in_memory) every exact key is also held in memory, so hits are answered
// without RocksDB too (index/internal/exact_table.h).
// Lifecycle: Open, then frozen: every const method may be called from many threads at once and sees
// the index as it was at Open. Write methods (BeginSet, RemoveSet) need a read-write open and no
// concurrent callers; reopen to query what they wrote (with exact_in_memory, exact lookups see this
// object's commits and removals at once). Only one process may hold it read-write.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/digest_types.h"
#include "hashing/pdq_hash.h"
#include "hashing/status.h"
#include "index/membership.h"

namespace hashtriage::index {

namespace internal {
class IndexStore;
class MihIndex;
class ExactFilter;
class ExactTable;
}  // namespace internal
class SetWriter;
class FeatureLibrary;

// How SearchPdq finds neighbours; every method returns the same (exact) answer.
enum class PdqMethod : std::uint8_t { kAuto = 0, kMih = 1, kFlat = 2 };

inline constexpr int kDefaultPdqThreshold = 31;
inline constexpr int kMaxPdqThreshold = 63;

struct IndexOptions {
  // The index directory. Default: $HASHTRIAGE_INDEX, else ./hashtriage-index (see DefaultIndexDir).
  std::string path;
  // Open without writing anything; a missing index is NotFound. Read-write creates it if missing.
  // Default: true.
  bool read_only = true;
  // Build an in-memory Bloom filter (about 10 bits per hash) of every MD5/SHA-1/SHA-256 at open, so a
  // lookup of an unknown digest (the common case in a scan) costs one cache miss instead of a RocksDB
  // seek. Costs one pass over the exact-hash keys at open. Default: true.
  bool exact_filter = true;
  // Also hold every MD5/SHA-1/SHA-256 key in memory (full digest, sorted, with its stored entry) so that
  // hits, too, are answered without RocksDB, with identical results: ~2.3M hits per CPU-second at 20M
  // MD5s instead of ~0.2M (bench/RESULTS.md). With exact_filter too, the filter is built from the table
  // (no second pass) and still answers misses first. Costs one pass over the exact-hash keys at open
  // (~4 CPU-s at 20M MD5s, as the filter alone) and, on a read-write open, one per commit of a set holding
  // that type (so lookups see it); and memory per entry: about HashTypeSize + 6 bytes (22 for MD5, 26
  // SHA-1, 38 SHA-256) plus its payload, 7 bytes + series + media id (md5sum and NSRL lists keep the file
  // name there), shared between entries with equal values: 36 bytes per MD5 measured at 20M entries with
  // 7-character media ids. Default: false: a scan is mostly misses, which the filter answers at ~1/20 of
  // that memory; turn it on for hit-heavy work (the scan CLI's --exact-in-memory).
  bool exact_in_memory = false;
  // Load every PDQ hash into memory at open for SearchPdq (about 95 bytes per hash at 10M hashes).
  // When false SearchPdq returns InvalidArgument. Default: true.
  bool load_pdq = true;
  // Search method for SearchPdq. Default: kAuto (cost model per batch).
  PdqMethod pdq_method = PdqMethod::kAuto;
  // RocksDB block cache; 0 picks by mode: 64 MiB read-write (imports), 16 MiB read-only, where exact
  // lookups pass the mapped filters first and PDQ searches never reach RocksDB (a scan, a kiosk run or
  // `serve` beside others adds less memory of its own). Default: 0.
  std::size_t block_cache_bytes = 0;
  // Memory an import may hold before sorting a run to disk; bounds import memory for any file size.
  // Default: 512 MiB.
  std::size_t import_memory_bytes = 512u << 20;
};

// $HASHTRIAGE_INDEX when set and non-empty, else "hashtriage-index".
std::string DefaultIndexDir();

class KnownIndex {
 public:
  static Result<std::unique_ptr<KnownIndex>> Open(const IndexOptions& options);
  ~KnownIndex();
  KnownIndex(const KnownIndex&) = delete;
  KnownIndex& operator=(const KnownIndex&) = delete;

  // Every membership of each digest, in input order; an unknown digest gets an empty vector.
  Result<std::vector<std::vector<Membership>>> LookupMd5(std::span<const hashing::Md5Digest> digests) const;
  Result<std::vector<std::vector<Membership>>> LookupSha1(std::span<const hashing::Sha1Digest> digests) const;
  Result<std::vector<std::vector<Membership>>> LookupSha256(std::span<const hashing::Sha256Digest> digests) const;

  // Every indexed PDQ hash within `threshold` (0..kMaxPdqThreshold) bits of each query, one PdqMatch per
  // membership, sorted by distance. Queries of one image's 8 dihedral hashes belong in one call.
  Result<std::vector<std::vector<PdqMatch>>> SearchPdq(std::span<const hashing::PdqHash> queries,
                                                       int threshold = kDefaultPdqThreshold) const;

  // The local features of every library picture of the NAME+features sets (index/feature_library.h),
  // read from the store on the first call (by one thread; others wait) and kept: an index without such
  // sets costs nothing. Null when there are none. A failing read is an error, every time it is asked.
  Result<const FeatureLibrary*> LibraryFeatures() const;
  // True when a set holds library features (so the geometric stage is worth running).
  bool HasFeatureSets() const;

  std::vector<SetInfo> ListSets() const;
  // The known video `media_id` of the vPDQ set `set`; null when there is none.
  const KnownVideo* FindVideo(std::string_view set, std::string_view media_id) const;
  bool HasSet(std::string_view name) const;
  IndexStats Stats() const;
  const std::string& path() const;

  // Starts an import of the set `name` (replacing any set of that name when committed); see SetWriter.
  // `strict`: conflicting duplicate hashes inside the set fail the commit instead of being reported.
  Result<std::unique_ptr<SetWriter>> BeginSet(std::string name, std::string format, bool strict);
  // Removes exactly the memberships of set `name`, atomically. NotFound if there is no such set.
  Status RemoveSet(std::string_view name);

  // Writes the search structures (PDQ tables, exact filters) of the index as it is now into
  // <index>/structures/, for later opens to map instead of build (internal/search_structures.h), and
  // searches them from now on. Every commit and removal through this object calls it; it needs a
  // read-write open. Failing leaves later opens building their own: slower, never wrong.
  Status WriteSearchStructures();
  // Whether the structure files are current (see internal::DescribeStructureFiles).
  std::string SearchStructureFiles() const;

 private:
  KnownIndex();
  // Map each structure from its file when `fingerprint` (non-empty) matches, else build it (built = true).
  Status LoadPdq(const std::string& fingerprint, bool& built);
  Status BuildFilters(const std::string& fingerprint, bool& built);
  Status SaveStructures(const std::string& fingerprint) const;
  Status BuildTable(HashType type);
  void OnCommit(const SetInfo& set);
  template <typename Digest>
  Result<std::vector<std::vector<Membership>>> LookupExact(HashType type, std::span<const Digest> digests) const;

  IndexOptions options_;
  std::unique_ptr<internal::IndexStore> store_;
  std::unique_ptr<internal::MihIndex> pdq_;
  std::vector<std::unique_ptr<internal::ExactFilter>> filters_;  // by HashType value; null = no filter
  std::vector<std::unique_ptr<internal::ExactTable>> tables_;    // by HashType value; null = RocksDB
  std::string structures_note_;
  struct LazyFeatures;
  std::unique_ptr<LazyFeatures> features_;  // which structures were built at open instead of mapped, and why
};

}  // namespace hashtriage::index

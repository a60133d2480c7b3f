// ExactTable: an in-memory copy of one exact hash type's keys (MD5, SHA-1 or SHA-256), so that a lookup
// of a known digest is answered from RAM instead of a RocksDB point read per live set (~5 us per hit at
// 20M entries). Optional (IndexOptions::exact_in_memory); internal to index/.
//
// Layout: every live (digest, generation) key of the type as one fixed-size row of full digest bytes plus
// a u32 offset into a payload arena, rows sorted by digest; a directory over the digests' top bits gives
// each lookup a range of about two rows (digests are uniform; a lopsided bucket is binary searched). The
// arena holds, per row, the generation's slot and the stored RocksDB value bytes unchanged (identical
// values of one generation are shared), decoded with DecodeEntry exactly as the RocksDB path decodes them.
// Memory: HashTypeSize + 4 bytes per row, 1-2 bytes of directory per row, and the distinct payloads
// (7 bytes plus series and media id; shared when a set's entries carry the same values).
//
// Results equal IndexStore::MultiGetMemberships: full digest compare, only generations that are live in
// the store at lookup time (so RemoveSet and replaced sets vanish at once), every membership, ordered by
// set name. A commit of a new set is not seen until the table is rebuilt (KnownIndex does that).
// Built once, then read-only: Lookup is safe from many threads while the store's sets do not change.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hashing/status.h"
#include "index/internal/huge_array.h"
#include "index/membership.h"

namespace hashtriage::index::internal {

class IndexStore;

class ExactTable {
 public:
  // Reads every live key of `type` (MD5/SHA-1/SHA-256) from `store`. ResourceLimit when the payloads
  // exceed 4 GiB or the rows 2^32; may throw std::bad_alloc.
  static Result<std::unique_ptr<ExactTable>> Build(const IndexStore& store, HashType type);

  // Appends every membership of `digest` (HashTypeSize(type) bytes) in sets that are live in `store`.
  Status Lookup(std::span<const std::uint8_t> digest, const IndexStore& store, std::vector<Membership>& out) const;
  // Prefetches the directory entry of `digest`; PrefetchRows the rows (after the directory has arrived).
  void PrefetchDirectory(std::span<const std::uint8_t> digest) const { __builtin_prefetch(&dir_[Bucket(digest)]); }
  void PrefetchRows(std::span<const std::uint8_t> digest) const {
    if (rows_ != 0) __builtin_prefetch(&keys_[std::size_t{dir_[Bucket(digest)]} * stride_]);
  }
  // Prefetches the payload of `digest`'s first row, if any (after the rows have arrived).
  void PrefetchPayload(std::span<const std::uint8_t> digest) const;
  // Calls f(std::span<const std::uint8_t>) with every row's digest, in order (a digest in several sets
  // once per set; rows of removed sets included until a rebuild). For building an ExactFilter.
  template <typename F>
  void ForEachDigest(F&& f) const {
    for (std::size_t r = 0; r < rows_; ++r) f(std::span<const std::uint8_t>(keys_.data() + r * stride_, digest_size_));
  }

  HashType type() const { return type_; }
  std::size_t rows() const { return rows_; }
  std::size_t MemoryBytes() const;

 private:
  ExactTable() = default;
  std::size_t Bucket(std::span<const std::uint8_t> digest) const;
  // The first row of `digest`, or the end of its bucket when absent (then *found is false).
  std::size_t FindRow(std::span<const std::uint8_t> digest, std::size_t* end, bool* found) const;

  HashType type_ = HashType::kMd5;
  std::size_t digest_size_ = 16;
  std::size_t stride_ = 20;  // digest bytes + u32 payload offset
  std::size_t rows_ = 0;
  int dir_bits_ = 0;
  HugeArray<std::uint8_t> keys_;       // rows_ * stride_ bytes (capacity may be larger)
  HugeArray<std::uint32_t> dir_;       // 2^dir_bits_ + 1 row indexes: bucket b is [dir_[b], dir_[b + 1])
  std::string payloads_;               // varint slot, varint length, stored value bytes
  std::vector<std::uint32_t> slots_;   // slot -> generation
};

}  // namespace hashtriage::index::internal

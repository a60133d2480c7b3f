// ExactFilter: a cache-line-blocked Bloom filter over exact digests (MD5/SHA-1/SHA-256), so that a
// lookup of an unknown digest usually costs one cache miss instead of a RocksDB seek. Digests are
// already uniform, so their own bytes choose the block and the bits. Built once, then read-only:
// MayContain is safe from many threads. False positives only (about 1% at 10 bits per key).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "index/internal/huge_array.h"
#include "index/internal/structure_file.h"

namespace hashtriage::index::internal {

class ExactFilter {
 public:
  explicit ExactFilter(std::size_t expected_keys, int bits_per_key = 10)
      : blocks_(std::max<std::size_t>(1, (expected_keys * bits_per_key + 511) / 512)), words_(blocks_ * 8) {}

  // `digest` must have at least 16 bytes.
  void Add(std::span<const std::uint8_t> digest) {
    const auto [block, bits] = Locate(digest);
    std::uint64_t* w = words_.data() + block * 8;
    for (int k = 0; k < kProbes; ++k) {
      const unsigned bit = (bits >> (9 * k)) & 511;
      w[bit >> 6] |= std::uint64_t{1} << (bit & 63);
    }
  }
  bool MayContain(std::span<const std::uint8_t> digest) const {
    const auto [block, bits] = Locate(digest);
    const std::uint64_t* w = words_.data() + block * 8;
    for (int k = 0; k < kProbes; ++k) {
      const unsigned bit = (bits >> (9 * k)) & 511;
      if ((w[bit >> 6] & (std::uint64_t{1} << (bit & 63))) == 0) return false;
    }
    return true;
  }
  void Prefetch(std::span<const std::uint8_t> digest) const {
    __builtin_prefetch(words_.data() + Locate(digest).block * 8);
  }
  std::size_t MemoryBytes() const { return words_.MemoryBytes(); }

  // What a structure file keeps (search_structures.h): {blocks} and the bit words; and the filter read
  // back from such a file, testing the mapped words in place (nullopt when the sizes disagree).
  std::vector<std::uint64_t> Params() const { return {blocks_}; }
  std::vector<StructureSection> Sections() const { return {{words_.data(), words_.size() * 8}}; }
  static std::optional<ExactFilter> FromMapped(std::shared_ptr<const MappedStructure> file) {
    if (file == nullptr || file->params().size() != 1 || file->sections() != 1) return std::nullopt;
    const std::uint64_t blocks = file->params()[0];
    if (blocks == 0 || blocks > (std::uint64_t{1} << 40) || file->section_bytes(0) != blocks * 64) return std::nullopt;
    ExactFilter f(static_cast<std::size_t>(blocks),
                  HugeArray<std::uint64_t>::View(static_cast<const std::uint64_t*>(file->section(0)), blocks * 8));
    f.file_ = std::move(file);
    return f;
  }

 private:
  ExactFilter(std::size_t blocks, HugeArray<std::uint64_t> words) : blocks_(blocks), words_(std::move(words)) {}
  static constexpr int kProbes = 7;  // 7 x 9 bits of the second digest word choose bits in the block
  struct Location {
    std::size_t block;
    std::uint64_t bits;
  };
  Location Locate(std::span<const std::uint8_t> digest) const {
    std::uint64_t a, b;
    std::memcpy(&a, digest.data(), 8);
    std::memcpy(&b, digest.data() + 8, 8);
    __extension__ typedef unsigned __int128 U128;
    return {static_cast<std::size_t>((static_cast<U128>(a) * blocks_) >> 64), b};
  }
  std::size_t blocks_;
  HugeArray<std::uint64_t> words_;
  std::shared_ptr<const MappedStructure> file_;  // the mapping the words view, if mapped
};

}  // namespace hashtriage::index::internal

// PdqHash: a 256-bit PDQ perceptual hash plus its quality score (0..100), as defined by Meta's
// PDQ ("pdq/README" and "hashing.pdf" in facebook/ThreatExchange). Plain value type; the only
// digest type with a Hamming distance. The text form is 64 lowercase hex digits, most significant
// 16-bit word first, exactly as Meta's pdq-photo-hasher prints it.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::hashing {

struct PdqHash {
  // Bit k of the hash (k = 16*row + column of the 16x16 DCT) is bit (k % 64) of words[k / 64].
  std::array<std::uint64_t, 4> words{};

  void SetBit(int k) { words[k >> 6] |= std::uint64_t{1} << (k & 63); }
  bool GetBit(int k) const { return (words[k >> 6] >> (k & 63)) & 1; }
  int PopCount() const {
    return std::popcount(words[0]) + std::popcount(words[1]) + std::popcount(words[2]) + std::popcount(words[3]);
  }
  std::string hex() const;
  static Result<PdqHash> FromHex(std::string_view hex);

  friend auto operator<=>(const PdqHash&, const PdqHash&) = default;
  friend bool operator==(const PdqHash&, const PdqHash&) = default;
};

inline int HammingDistance(const PdqHash& a, const PdqHash& b) {
  return std::popcount(a.words[0] ^ b.words[0]) + std::popcount(a.words[1] ^ b.words[1]) +
         std::popcount(a.words[2] ^ b.words[2]) + std::popcount(a.words[3] ^ b.words[3]);
}

// Hashes below this quality are unreliable (Meta's guidance); they are reported, flagged, never hidden.
inline constexpr int kPdqMinGoodQuality = 50;

struct PdqResult {
  PdqHash hash;
  int quality = 0;
};

// The eight dihedral variants, in the order of pdq-photo-hasher's --pdqdih-across output.
// Persistent format: stored with hits as the matched orientation.
enum class Dihedral : std::uint8_t {
  kOriginal = 0,
  kRotate90 = 1,
  kRotate180 = 2,
  kRotate270 = 3,
  kFlipX = 4,
  kFlipY = 5,
  kFlipPlus1 = 6,   // transpose about the main diagonal
  kFlipMinus1 = 7,  // transpose about the anti-diagonal
};
inline constexpr int kDihedralCount = 8;
std::string_view DihedralName(Dihedral d);

struct PdqDihedralResult {
  std::array<PdqHash, kDihedralCount> hashes;  // indexed by Dihedral
  int quality = 0;
};

}  // namespace hashtriage::hashing

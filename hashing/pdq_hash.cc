#include "hashing/pdq_hash.h"

#include "hashing/digest_types.h"

namespace hashtriage::hashing {

std::string PdqHash::hex() const {
  std::array<std::uint8_t, 32> bytes;
  for (int i = 0; i < 32; ++i) {
    const int byte_index_from_low = 31 - i;  // bytes[0] is the most significant byte
    bytes[i] = static_cast<std::uint8_t>(words[byte_index_from_low / 8] >> (8 * (byte_index_from_low % 8)));
  }
  return EncodeHex(bytes.data(), bytes.size());
}

Result<PdqHash> PdqHash::FromHex(std::string_view hex) {
  std::array<std::uint8_t, 32> bytes;
  if (!DecodeHex(hex, bytes.data(), bytes.size())) {
    return Status::InvalidArgument("expected 64 hex digits for PDQ, got '" + std::string(hex.substr(0, 80)) + "'");
  }
  PdqHash h;
  for (int i = 0; i < 32; ++i) {
    const int byte_index_from_low = 31 - i;
    h.words[byte_index_from_low / 8] |= std::uint64_t{bytes[i]} << (8 * (byte_index_from_low % 8));
  }
  return h;
}

std::string_view DihedralName(Dihedral d) {
  switch (d) {
    case Dihedral::kOriginal: return "original";
    case Dihedral::kRotate90: return "rot90";
    case Dihedral::kRotate180: return "rot180";
    case Dihedral::kRotate270: return "rot270";
    case Dihedral::kFlipX: return "flipx";
    case Dihedral::kFlipY: return "flipy";
    case Dihedral::kFlipPlus1: return "flip+1";
    case Dihedral::kFlipMinus1: return "flip-1";
  }
  return "unknown";
}

}  // namespace hashtriage::hashing

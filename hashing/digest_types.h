// Strong digest types: Md5Digest, Sha1Digest, Sha256Digest and Xxh3Digest are distinct types
// over fixed-size byte arrays, so one can never be passed where another is expected.
// Hex is for input and output only (lowercase on output, either case accepted on input).
// Values are plain data: copyable, comparable, hashable, safe to share between threads.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::hashing {

// Decodes exactly out.size()*2 hex digits; false on any other length or a non-hex character.
bool DecodeHex(std::string_view hex, std::uint8_t* out, std::size_t out_size);
std::string EncodeHex(const std::uint8_t* data, std::size_t size);

template <std::size_t N, typename Tag>
struct Digest {
  static constexpr std::size_t kSize = N;
  std::array<std::uint8_t, N> bytes{};

  std::string hex() const { return EncodeHex(bytes.data(), N); }
  static Result<Digest> FromHex(std::string_view hex) {
    Digest d;
    if (!DecodeHex(hex, d.bytes.data(), N)) {
      return Status::InvalidArgument(std::string("expected ") + std::to_string(N * 2) + " hex digits for " +
                                     Tag::kName + ", got '" + std::string(hex.substr(0, 80)) + "'");
    }
    return d;
  }
  friend auto operator<=>(const Digest&, const Digest&) = default;
  friend bool operator==(const Digest&, const Digest&) = default;
};

struct Md5Tag { static constexpr const char* kName = "MD5"; };
struct Sha1Tag { static constexpr const char* kName = "SHA-1"; };
struct Sha256Tag { static constexpr const char* kName = "SHA-256"; };
struct Xxh3Tag { static constexpr const char* kName = "XXH3-128"; };

using Md5Digest = Digest<16, Md5Tag>;
using Sha1Digest = Digest<20, Sha1Tag>;
using Sha256Digest = Digest<32, Sha256Tag>;
// XXH3-128 in canonical (big-endian) byte order, as `xxhsum -H2` prints it.
using Xxh3Digest = Digest<16, Xxh3Tag>;

// For unordered containers keyed by a digest: the leading bytes of a good hash are already uniform.
struct DigestHasher {
  template <std::size_t N, typename Tag>
  std::size_t operator()(const Digest<N, Tag>& d) const {
    std::size_t h;
    std::memcpy(&h, d.bytes.data(), sizeof(h));
    return h;
  }
};

}  // namespace hashtriage::hashing

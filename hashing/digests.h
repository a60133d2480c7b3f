// Exact digests (MD5, SHA-1, SHA-256 via OpenSSL EVP; XXH3-128 via libxxhash) computed in one
// streaming pass: feed chunks with Update(), read the result with Finish(). The subset is chosen
// once (a DigestSet) so algorithms not asked for cost nothing. A MultiDigester is used by one
// thread at a time; distinct instances are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hashing/digest_types.h"
#include "hashing/status.h"

namespace hashtriage::hashing {

enum class DigestKind : std::uint8_t { kMd5 = 0, kSha1 = 1, kSha256 = 2, kXxh3 = 3 };
inline constexpr DigestKind kAllDigestKinds[] = {DigestKind::kMd5, DigestKind::kSha1, DigestKind::kSha256,
                                                 DigestKind::kXxh3};

// "md5", "sha1", "sha256", "xxh3" (also accepts "sha-1", "sha-256", "xxh3-128", "xxh128").
std::string_view DigestKindName(DigestKind kind);
Result<DigestKind> ParseDigestKind(std::string_view name);

// A small set of DigestKinds.
class DigestSet {
 public:
  constexpr DigestSet() = default;
  static constexpr DigestSet All() { return DigestSet(0b1111); }
  static constexpr DigestSet None() { return DigestSet(0); }
  constexpr DigestSet& Add(DigestKind k) {
    bits_ |= Bit(k);
    return *this;
  }
  constexpr bool Has(DigestKind k) const { return bits_ & Bit(k); }
  constexpr bool empty() const { return bits_ == 0; }
  friend constexpr bool operator==(DigestSet, DigestSet) = default;

 private:
  constexpr explicit DigestSet(unsigned bits) : bits_(bits) {}
  static constexpr unsigned Bit(DigestKind k) { return 1u << static_cast<unsigned>(k); }
  unsigned bits_ = 0;
};

struct DigestValues {
  std::optional<Md5Digest> md5;
  std::optional<Sha1Digest> sha1;
  std::optional<Sha256Digest> sha256;
  std::optional<Xxh3Digest> xxh3;
  // Hex of the named digest, or "" when it was not computed.
  std::string Hex(DigestKind kind) const;
};

class MultiDigester {
 public:
  explicit MultiDigester(DigestSet set);
  ~MultiDigester();
  MultiDigester(const MultiDigester&) = delete;
  MultiDigester& operator=(const MultiDigester&) = delete;
  MultiDigester(MultiDigester&&) noexcept;
  MultiDigester& operator=(MultiDigester&&) noexcept;

  void Update(std::span<const std::byte> data);
  // Returns the digests of everything fed since construction (or the last Reset) and resets.
  DigestValues Finish();
  void Reset();
  DigestSet set() const { return set_; }

 private:
  struct State;
  DigestSet set_;
  std::unique_ptr<State> state_;
};

// Reads `path` once with a fixed-size buffer (default 1 MiB) and returns its digests.
// Files larger than memory are fine. Opens read-only and never changes the access time where the
// operating system lets us (O_NOATIME).
Result<DigestValues> DigestFile(const std::string& path, DigestSet set, std::size_t buffer_bytes = 1 << 20);

// One-shot digests of a buffer.
DigestValues DigestBytes(std::span<const std::byte> data, DigestSet set);

}  // namespace hashtriage::hashing

// Stored form of the values several records share: hits and digests. Internal to engine/case/kv.
#pragma once

#include <vector>

#include "engine/case/kv/record_codec.h"
#include "engine/matching/hit.h"
#include "hashing/digests.h"

namespace hashtriage::engine::kv {

Json HitsToJson(const std::vector<Hit>& hits);
std::vector<Hit> HitsFromJson(const Json& array);

// Digest hex, or "" when absent; back from hex ("" or malformed: absent).
std::string HexOf(const std::optional<hashing::Md5Digest>& d);
std::string HexOf(const std::optional<hashing::Sha1Digest>& d);
std::string HexOf(const std::optional<hashing::Sha256Digest>& d);
std::string HexOf(const std::optional<hashing::Xxh3Digest>& d);
template <typename Digest>
std::optional<Digest> DigestFromHex(const std::string& hex) {
  if (hex.empty()) return std::nullopt;
  auto d = Digest::FromHex(hex);
  return d.ok() ? std::optional<Digest>(*d) : std::nullopt;
}

}  // namespace hashtriage::engine::kv

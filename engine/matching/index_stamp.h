// IndexStamp: which known-image index a result was matched against: every hash set in it (name,
// generation, format, import time, entries per hash type, categories) and one SHA-256 over that list,
// so two runs can be shown to have matched against the same hash sets (a re-import gives a set a new
// generation, hence a new digest) and finished work can tell that the index has changed since. The
// index path is recorded but is not part of the digest (a moved index is the same index).
// Pure function of a frozen KnownIndex; plain values, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "index/category.h"
#include "index/known_index.h"

namespace hashtriage::engine {

struct SetStamp {
  std::string name;
  std::uint32_t generation = 0;
  std::string format;
  std::int64_t imported_unix = 0;
  std::map<std::string, std::uint64_t> entries;  // per hash type name
  std::array<std::uint64_t, index::kCategoryCount> by_category{};
  friend bool operator==(const SetStamp&, const SetStamp&) = default;
};

struct IndexStamp {
  std::string path;
  std::string digest;  // SHA-256 hex over the sets; "" for "no index"
  std::vector<SetStamp> sets;  // by name
  bool empty() const { return digest.empty(); }
  // {"path", "sets": [{name, generation, format, imported_unix, entries{type: n}}...], "sha256"}
  nlohmann::json ToJson() const;
  // "index 1a2b3c4d5e6f7a8b (3 sets: caid gen 4, nsrl gen 1, project gen 2)"
  std::string Describe() const;
  friend bool operator==(const IndexStamp&, const IndexStamp&) = default;
};

IndexStamp StampOf(const index::KnownIndex& index);

}  // namespace hashtriage::engine

// FileRecord: what the case store keeps for one item of evidence (a file, a symlink, a special file
// or an enumeration error): its provenance and metadata, digests, PDQ, and known-image hits. The
// JSON field names are the export format (`export files`); records hold hashes and metadata only,
// never content. Plain value type.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "index/category.h"
#include "index/membership.h"
#include "ingest/item.h"

namespace hashtriage::engine {

struct Hit {
  std::string set;
  index::Category category = index::Category::kUnknown;
  std::string kind;         // "md5", "sha1", "sha256", "pdq"
  int distance = 0;         // Hamming distance for perceptual kinds; 0 for exact
  std::string orientation;  // dihedral variant of the query that matched ("original", "rot90"...); "" if exact
  std::string media_id;
  std::string series;
  std::uint8_t flags = 0;   // index::EntryFlag bits
  bool low_quality = false; // the file's PDQ quality is below 50: weaker evidence
};

struct FileRecord {
  std::uint32_t evidence = 0;
  std::uint64_t seq = 0;
  ingest::ItemInfo info;
  std::optional<std::uint64_t> size_read;  // bytes actually hashed
  hashing::DigestValues digests;
  std::optional<hashing::ImageHashes> image;
  std::vector<Hit> hits;
  std::string error;  // "" when the item was fully processed

  nlohmann::ordered_json ToJson(const std::string& evidence_id) const;
};

// True for categories a kiosk officer must refer: A, B, C and indecent-uncategorised.
bool IsIndecent(index::Category category);

// Hits from exact-lookup memberships and PDQ matches (one per set and kind, smallest distance).
std::vector<Hit> HitsFromMemberships(const std::vector<index::Membership>& memberships, const std::string& kind);

}  // namespace hashtriage::engine

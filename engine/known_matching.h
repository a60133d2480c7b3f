// Matching one file's hashes against the known-image index: exact digests (MD5/SHA-1/SHA-256) and
// perceptual hashes (plain PDQ, its dihedral variants, robust query variants such as the trimmed
// content, library-mode variants, and region cells). Every hit names its match_kind ("md5", "pdq",
// "pdq-trimmed", "pdq-crop90", "region", ...) and distance so an examiner can judge it. Used by the
// scan pipeline; thread-safe (read-only index queries).
#pragma once

#include <string_view>
#include <vector>

#include "engine/file_record.h"
#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "index/known_index.h"

namespace hashtriage::engine {

// Exact-digest hits.
std::vector<Hit> MatchExact(const index::KnownIndex& index, const hashing::DigestValues& digests);

struct PerceptualMatchOptions {
  // PDQ radius for whole-image hashes and for each region cell (0..63). Default: 31.
  int threshold = index::kDefaultPdqThreshold;
  // Same-position cells within the threshold a region match needs (hashing::RegionOptions::min_cells).
  // Default: 7 of 16.
  int region_min_cells = hashing::RegionOptions{}.min_cells;
};

// Near-duplicate hits: one per (set, indexed hash) for PDQ kinds, with the closest orientation; one
// per (set, library image) for region matches (when image.region was computed).
std::vector<Hit> MatchPerceptual(const index::KnownIndex& index, const hashing::ImageHashes& image,
                                 const PerceptualMatchOptions& options);

// True for the hit kinds that are perceptual (near) rather than exact: pdq*, region.
bool IsNearMatchKind(std::string_view kind);

}  // namespace hashtriage::engine

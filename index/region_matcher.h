// Region hashes in the index (issue 7, library mode): `index build` stores the PDQ hash of each usable
// grid cell of a known image (hashing::ComputeRegionHashes) in the set NAME+region, one entry per cell
// whose media_id is "region:<grid>:<cell>:<path>". A query image matches a library image by region when
// at least `min_cells` of its usable cells are within the threshold of the library image's cell at the
// same position (a caption bar or a sticker spoils a few cells; the others still match). A single cell
// entry is never a hit on its own: every other PDQ search ignores region cells (IsRegionCell).
// Hashes only, never pixels. Pure functions over a KnownIndex; thread-safe like SearchPdq.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/robust_variants.h"
#include "hashing/status.h"
#include "index/known_index.h"
#include "index/membership.h"

namespace hashtriage::index {

inline constexpr std::string_view kRegionSetSuffix = "+region";

// Where a region cell entry came from, parsed from its media_id.
struct RegionCellId {
  int grid = 0;
  int cell = 0;        // row-major, 0 .. grid*grid-1
  std::string path;    // the library image
};

std::string RegionCellMediaId(int grid, int cell, std::string_view path);

// The cell a membership stands for, or nullopt when it is not a region cell of a +region set.
std::optional<RegionCellId> ParseRegionCell(const Membership& membership);

// True for memberships that are region cells (to be skipped by ordinary PDQ matching).
inline bool IsRegionCell(const Membership& membership) { return ParseRegionCell(membership).has_value(); }

// True when the index holds at least one +region set (so computing query region hashes is worth it).
bool HasRegionSets(const KnownIndex& index);

// One library image matched by region.
struct RegionMatch {
  std::string set;      // the +region set
  std::string path;     // the library image (its media id in the plain set)
  EntryInfo info;       // of one matched cell (category, flags, series as stored)
  int distance = 0;     // the min_cells-th smallest same-position cell distance
  int cells = 0;        // same-position cells within the threshold
  int usable_cells = 0; // usable cells of the query
};

// Library images whose cells match the query's at >= min_cells positions within `threshold`, sorted by
// distance then path. Usable query cells only (quality >= RegionOptions::min_quality when hashed).
Result<std::vector<RegionMatch>> SearchRegions(const KnownIndex& index, const hashing::RegionSignature& query,
                                              int threshold, int min_cells);

}  // namespace hashtriage::index

// Library mode (issue 7): hash a directory of known images into the index as three sets: `NAME` with
// the ordinary MD5/SHA-1/SHA-256/PDQ of every file (exportable, PDQ-compatible), `NAME+robust` with
// the richer signature of every image (hashing::ComputeLibraryVariants: trimmed content, centre
// crops, +/-4 degree rotations) as extra PDQ entries whose media_id is "<match_kind>:<path>", and
// `NAME+region` with the PDQ of every usable grid cell (index/region_matcher.h), and `NAME+features`
// with every picture's local features for the geometric stage (index/feature_library.h). The existing exact
// PDQ search then finds re-shared crops/rotations (LibraryMatchKind names the variant) and
// SearchRegions finds captioned/stickered copies. Only hashes are stored, never pixels. Not
// thread-safe (one import at a time, like SetWriter).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/image_decode.h"
#include "hashing/robust_variants.h"
#include "hashing/status.h"
#include "index/category.h"
#include "index/known_index.h"
#include "index/membership.h"

namespace hashtriage::index {

inline constexpr std::string_view kRobustSetSuffix = "+robust";

struct LibraryBuildOptions {
  // Name of the set of plain hashes; the variants go to set + kRobustSetSuffix. Required.
  std::string set;
  // Category of every image. Required (BuildLibrarySets refuses a build without one: an unknown
  // category is not reported by the kiosk, so kUnknown must be chosen explicitly). Default: nullopt.
  std::optional<Category> category;
  // Decoding limits (the decompression-bomb guard applies). Default: DecodeOptions{}.
  hashing::DecodeOptions decode;
  // Which library variants to store. Default: RobustOptions{} (trim, crops 95/90 %, +/-4 degrees).
  hashing::RobustOptions robust;
  // Also store region cell hashes in NAME+region. Default: true.
  bool region_hashes = true;
  // How images are split into cells; queries must use the same grid. Default: RegionOptions{} (4x4).
  hashing::RegionOptions region;
  // Also store every picture's local features in NAME+features (index/feature_library.h) for the
  // geometric stage: about 60 KB a picture. Default: true.
  bool local_features = true;
  // Files larger than this are hashed (digests) but not decoded. Default: 256 MiB.
  std::uint64_t max_image_bytes = 256ull << 20;
};

struct LibraryBuildReport {
  std::uint64_t files = 0;           // regular files read
  std::uint64_t images = 0;          // decoded and PDQ-hashed
  std::uint64_t variant_hashes = 0;  // PDQ entries staged in the robust set
  std::uint64_t region_cells = 0;    // usable cell hashes staged in the region set
  std::uint64_t feature_pictures = 0;  // pictures whose local features were stored
  std::uint64_t failed = 0;          // unreadable files or undecodable images (listed in errors)
  std::vector<std::string> errors;   // "path: reason", one per failure
  SetInfo plain;
  SetInfo robust;
  SetInfo region;    // empty name when region_hashes is off
  SetInfo features;  // empty name when local_features is off
};

// Hashes every regular file under `roots` (files or directories; symlinks are not followed) and
// commits the sets. One bad file never stops the rest; it is counted and listed. When no file could
// be read at all nothing is committed (an earlier build of the set stays): NotFound (nothing there)
// or IOError (every file failed), naming the set.
Result<LibraryBuildReport> BuildLibrarySets(KnownIndex& index, const LibraryBuildOptions& options,
                                            const std::vector<std::string>& roots);

// The sets `index build --set NAME` derives from NAME: NAME+robust, NAME+region and NAME+features. Removing or
// rebuilding the library set applies to them too (a stale derived set would keep matching).
std::vector<std::string> LibraryDerivedSets(std::string_view set);

// For a membership of a robust set, the variant that produced the hash ("pdq-crop90", ...);
// nullopt for any other membership.
std::optional<std::string> LibraryMatchKind(const Membership& membership);

}  // namespace hashtriage::index

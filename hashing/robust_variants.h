// Robust near-duplicate variants beyond plain PDQ (issue 7). Query side ("hash-set mode"): mirrored
// and turned copies hashed by physically re-oriented sampling; uniform borders/letterbox bars on the
// luma plane detected and trimmed, the content hashed in all 8 orientations (and upscaled if small);
// when the picture's own edge merged with a padding on every side, frame hypotheses (frame_search.h).
// Library side: extra PDQ signatures of a known image (trimmed content, centre crops, small
// rotations) so re-shared crops/rotations of it land near one of them. Region hashes
// (PDQ of grid cells, matched cell by cell) survive captions and stickers; `index build` stores them
// (index/region_matcher.h) and scan / `index lookup --file` search them. Every variant
// carries a match_kind name so a hit says which one matched. Pure functions, thread-safe; no pixels
// are kept after a call returns (only hashes).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "hashing/luma_image.h"
#include "hashing/pdq_hash.h"
#include "hashing/reoriented_pdq.h"

namespace hashtriage::hashing {

struct TrimOptions {
  // A pixel belongs to a border when |luma - border luma| <= this (0..255 luma units); the border
  // luma is the median of the outermost row/column. Absorbs JPEG ringing. Default: 12.
  float tolerance = 12.0f;
  // A row/column is border when at least this fraction of its pixels are within tolerance.
  // Default: 0.98.
  float min_uniform_fraction = 0.98f;
  // Borders thinner than this (pixels, per side) are ignored. Default: 2.
  int min_border_pixels = 2;
  // The trimmed content must keep at least this fraction of the image's area and this many pixels
  // on each side, else nothing is trimmed (a near-blank image is not a border). Area, not each side:
  // a wide picture letterboxed into a square keeps well under a third of the height. Defaults: 0.09
  // (a 30% x 30% box) and 8 px.
  double min_kept_area = 0.09;
  int min_kept_pixels = 8;
};

// The content rectangle after removing uniform borders; [left, right) x [top, bottom).
struct TrimBox {
  int left = 0;
  int top = 0;
  int right = 0;
  int bottom = 0;
  int width() const { return right - left; }
  int height() const { return bottom - top; }
  bool operator==(const TrimBox&) const = default;
};

// Finds uniform border rows/columns on each side (each side with its own colour, so letterbox bars
// and coloured frames both count). Returns the whole image when there is nothing to trim.
TrimBox FindUniformBorders(const LumaImage& image, const TrimOptions& options = {});

// The fraction of the pixels on each side of `box`'s outermost content row/column that differ from
// that side's border colour (as FindUniformBorders sees it) by more than the trim tolerance: near 1
// where the picture's own edge is visible, near 0 where it merged with the border. Order: top, bottom,
// left, right.
std::array<float, 4> ContentEdgeContrast(const LumaImage& image, const TrimBox& box, const TrimOptions& trim = {});

LumaImage CropLuma(const LumaImage& image, const TrimBox& box);

// Letterboxed/padded copies are usually centred: when `box` was trimmed further on one side than on
// the opposite one (content with dark or bar-coloured edges), the box whose margins on that axis are
// equal (the smaller of the pair), which restores the content edge that merged with the bar. An axis
// whose margins differ by at most ~1% (an odd split, ringing) is kept as found.
TrimBox SymmetricBox(const LumaImage& image, const TrimBox& box);

// Rotates by `degrees` (counter-clockwise) about the centre, bilinear, growing the canvas to the
// rotated bounding box (each side rounded to the nearest pixel, content centred, as common editors
// and OpenCV's warpAffine recipe do) and filling the corners with `fill` luma.
LumaImage RotateLuma(const LumaImage& image, double degrees, float fill);

// Area-average downscale so the longer side is at most `max_side` (a copy when already smaller).
LumaImage DownscaleLuma(const LumaImage& image, int max_side);

// One extra hash of an image with the name of the variant that produced it.
struct PdqVariant {
  std::string_view match_kind;  // "pdq-trimmed", "pdq-crop95", "pdq-crop90", "pdq-rot+4", ...
  PdqHash hash;
  Dihedral dihedral = Dihedral::kOriginal;  // query variants: the orientation this hash assumes
};

// Query side: frame search for a picture padded on every side with its own edge colour, whose frame
// cannot be seen (hashing/frame_search.h).
struct FrameSearchOptions {
  // Most frame sizes hashed per such image (evenly spaced when more fit; a size whose leftover is odd
  // is hashed in both centrings, so up to twice this many hashes). 0 turns it off. Default: 48.
  int max_frames = 48;
  // The canvas is first downscaled to this longer side; one pixel there is the finest size step.
  // Default: 256.
  int work_side = 256;
  // A content edge whose contrast (ContentEdgeContrast) reaches this is the picture's own edge; the
  // search runs only when both edges of an axis are below it. Default: 0.5.
  float strong_edge = 0.5f;
};

struct RobustOptions {
  TrimOptions trim;
  // Query side: frame hypotheses for pictures whose frame merged with the padding ("pdq-frame").
  FrameSearchOptions frame;
  // Query side: when the trimmed margins of opposite sides differ by more than max(2 px, 1% of the
  // longer side), also hash the content box with equal margins on that axis (centred letterbox whose
  // content edge merged with the bar). Costs one more trimmed hashing for such images only.
  // Default: true.
  bool symmetric_trim = true;
  // Query side: also hash the six orientations that reverse an axis (mirror, 180 and +/-90 degree
  // turns, anti-transpose) by physically re-oriented sampling (ComputePdqReoriented; match_kind
  // "pdq-reoriented"), which ComputePdqDihedral's DCT sign flips miss on fine textures, and hash
  // trimmed content that way too. Costs about one more PDQ per image. Callers that do not search
  // the dihedral orientations should turn it off. Default: true.
  bool reoriented = true;
  // Query side: trimmed content whose longer side is under this is also hashed (8 orientations,
  // match_kind "pdq-trimmed-upscaled") after a bilinear upscale to it. A letterbox shrinks the
  // picture, and PDQ's sampling of a small copy rounds to its coarse pixel grid (box width, sample
  // rows), which costs fine textures and icons 10-40 bits; an upscaled copy samples nearly where the
  // library's copy was sampled, whatever its size. The native-size hashes stay (content that was
  // not rescaled, e.g. a plain border, matches exactly only at native size). 0 turns it off.
  // Default: 512.
  int trimmed_upscale_side = 512;
  // Query side: the same for an image without borders whose longer side is under this
  // (match_kind "pdq-upscaled"): downscaled re-shares. 0 turns it off. Default: 0 (off: 8 more
  // query hashes and ~0.3 ms for every small image; harness hash-set resize 50% 96.5% -> 100%,
  // resize 25% 94.4% -> 97.2%, no false pair at T = 31).
  int upscale_side = 0;
  // Library variants are hashed from a copy downscaled to this longer side (the 64x64 PDQ summary
  // does not need more, and rotations cost O(pixels)). Default: 512.
  int work_side = 512;
  // Small rotations stored per library image (degrees, both signs are stored). Default: 4.
  double rotation_degrees = 4.0;
  // Centre crops stored per library image, as the kept fraction of each side. Default: 0.95, 0.9.
  std::vector<double> crop_fractions = {0.95, 0.90};
};

// Bilinear upscale (OpenCV INTER_LINEAR pixel-centre convention) so the longer side is `min_side`
// (a copy when already that large).
LumaImage UpscaleLuma(const LumaImage& image, int min_side);

// Query-side variants (defaults): the 6 re-oriented hashes of the image ("pdq-reoriented", see
// RobustOptions::reoriented); when uniform borders are found, the 8 re-oriented hashes of the
// trimmed content ("pdq-trimmed"), 8 more of it upscaled when small ("pdq-trimmed-upscaled"), and
// as many again for the symmetric box; and the frame hypotheses ("pdq-frame", original orientation)
// when the content's edge merged with a padding on all four sides (hashing/frame_search.h). Each
// carries the orientation it assumes (PdqVariant::dihedral).
std::vector<PdqVariant> ComputeQueryVariants(const LumaImage& image, const RobustOptions& options = {});

// Region hashes (match_kind "region"): PDQ of each cell of a grid x grid split of the image (from a
// copy downscaled to grid * cell_side on the longer side). Two images match by region when at least
// `min_cells` cells at the same position, each of PDQ quality >= min_quality in both images, are
// within the Hamming threshold: a caption bar or a sticker covers a few cells, the others still
// match. Flat/low-gradient cells (sky, walls, bars) are ignored so blank areas cannot match.
struct RegionOptions {
  // Cells per side. Default: 4 (measured: 3x3 with 5 cells loses captions over flat skies).
  int grid = 4;
  // Each cell is hashed from about this many pixels per side (PDQ summarises to 64x64). Default: 64.
  int cell_side = 64;
  // Cells below this PDQ quality (0..100) are ignored in both images. Default: 40.
  int min_quality = 40;
  // Cells at the same position that must be within the threshold. Default: 7 (of 16: a 10% caption
  // bar spoils the bottom row, a 30%x30% sticker up to 9 cells; 7 usable cells must remain).
  int min_cells = 7;
};

struct RegionSignature {
  int grid = 0;
  std::vector<PdqHash> cells;      // row-major, grid * grid
  std::vector<std::uint8_t> ok;    // 1 when the cell's quality >= min_quality
};

RegionSignature ComputeRegionHashes(const LumaImage& image, const RegionOptions& options = {});
// Whether a picture of `width` x `height` gets region cells: not when, reduced to the grid's working
// size, a side is under four pixels a cell (a 1x1 spacer, an icon, a thin banner).
bool RegionCellsPossible(int width, int height, const RegionOptions& options = {});

// The region distance of two signatures: the min_cells-th smallest Hamming distance among cells at
// the same position usable in both (257 when fewer than min_cells are usable). Two images match by
// region when this is <= the threshold.
int RegionDistance(const RegionSignature& a, const RegionSignature& b, int min_cells);

// Library-side signature (besides the plain PDQ, which is stored as usual): trimmed content,
// centre crops and +/- small rotations, each in the original orientation.
std::vector<PdqVariant> ComputeLibraryVariants(const LumaImage& image, const RobustOptions& options = {});

}  // namespace hashtriage::hashing

// HashImage: the one call the CLI, the scan pipeline and the index make to turn image bytes into
// PDQ hashes (plain, optionally all eight dihedral variants) plus format and size. Decoding and
// hashing are pure; the function is thread-safe and keeps no pixels after it returns, unless the caller
// asks for the decoded luma back (keep_luma: the scan's geometric stage, which drops it once matched).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "hashing/image_decode.h"
#include "hashing/pdq_hash.h"
#include "hashing/robust_variants.h"
#include "hashing/status.h"

namespace hashtriage::hashing {

struct ImageHashOptions {
  DecodeOptions decode;
  // Reproduce Meta's pdq-photo-hasher exactly: full-resolution decode, then any image with a side
  // over 512 px is resized to 512x512 by nearest neighbour before hashing. Default: false.
  bool photo_hasher_compat = false;
  // Also compute the eight dihedral hashes (one DCT; ~8 median thresholds). Default: false.
  bool dihedral = false;
  // Also compute the robust query variants (hashing/robust_variants.h): with `dihedral`, the six
  // axis-reversing orientations hashed by physically re-oriented sampling ("pdq-reoriented", about one
  // more PDQ); and, when uniform borders or letterbox bars are found, the content's hashes in every
  // searched orientation ("pdq-trimmed", "pdq-trimmed-upscaled"), plus frame hypotheses when the
  // picture's edge merged with a padding on every side ("pdq-frame", hashing/frame_search.h). Default: true.
  bool query_variants = true;
  // Also compute the region hashes (hashing/robust_variants.h: PDQ of each cell of a grid), which
  // library-mode indexes match cell by cell. ~1.5-2.5 ms per image. Default: false (callers turn it
  // on when the index holds region sets, or to print them).
  bool region_hashes = false;
  RegionOptions region;
  // Return the decoded luma in ImageHashes::luma for the caller's geometric stage (local features are
  // computed only where the cheaper stages found nothing). Pixels in memory only, never stored.
  // Default: false.
  bool keep_luma = false;
};

struct ImageHashes {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;   // as declared by the file
  int height = 0;
  int scale_denominator = 1;  // JPEG DCT scaling used for decoding
  PdqResult pdq;
  std::optional<std::array<PdqHash, kDihedralCount>> dihedral;
  // Extra query hashes with the variant that produced them (empty when none apply).
  std::vector<PdqVariant> variants;
  // Region hashes (grid 0 when not computed).
  RegionSignature region;
  // With keep_luma: the decoded picture's luma (as hashed), shared so that copies of these hashes do
  // not copy pixels. Null otherwise.
  std::shared_ptr<const LumaImage> luma;
};

// True when the bytes start like an image format hashtriage decodes.
inline bool LooksLikeImage(std::span<const std::byte> bytes) {
  return SniffImageFormat(bytes) != ImageFormat::kUnknown;
}

Result<ImageHashes> HashImage(std::span<const std::byte> bytes, const ImageHashOptions& options = {});

// Hashes an already decoded image (used by HashImage and by the robustness variants).
ImageHashes HashDecodedImage(const DecodedImage& image, bool dihedral, bool query_variants = false,
                             const RegionOptions* region = nullptr);

}  // namespace hashtriage::hashing

// Image decoding, the entry point every scanned file may reach: magic-byte sniffing, the header-only
// pixel limit, every decoder (libjpeg-turbo, libpng, giflib, libheif, OpenCV for BMP/WebP/TIFF) and PDQ.
// Invariants: no decoder produces a plane larger than the pixel limit allows, declared sizes over the
// limit are refused, and a successful hash has a quality in 0..100 and the dimensions it declared.
#include <cstring>

#include "hashing/image_decode.h"
#include "hashing/image_hasher.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzImageDecode(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  constexpr std::uint64_t kMaxPixels = 1u << 22;  // 4 MP keeps each run fast; the check is the same
  const hashing::ImageFormat format = hashing::SniffImageFormat(bytes);
  if (format == hashing::ImageFormat::kUnknown) HT_FUZZ_CHECK(!hashing::LooksLikeImage(bytes));
  if (format != hashing::ImageFormat::kUnknown && format != hashing::ImageFormat::kHeif) {
    auto dims = hashing::ReadImageDimensions(bytes, format);
    if (dims.ok()) HT_FUZZ_CHECK(dims->width > 0 && dims->height > 0);
  }

  hashing::DecodeOptions decode;
  decode.max_pixels = kMaxPixels;
  decode.min_short_side = size % 2 == 0 ? 512 : 0;  // DCT-scaled and full-resolution JPEG paths
  auto decoded = hashing::DecodeImage(bytes, decode);
  if (decoded.ok()) {
    HT_FUZZ_CHECK(decoded->luma.width > 0 && decoded->luma.height > 0);
    HT_FUZZ_CHECK(decoded->luma.pixels.size() ==
                  static_cast<std::size_t>(decoded->luma.width) * static_cast<std::size_t>(decoded->luma.height));
    HT_FUZZ_CHECK(decoded->original.pixels() <= kMaxPixels);
    HT_FUZZ_CHECK(static_cast<std::uint64_t>(decoded->luma.width) * decoded->luma.height <= kMaxPixels);
  }

  hashing::ImageHashOptions options;
  options.decode = decode;
  options.dihedral = size % 3 == 0;
  auto hashed = hashing::HashImage(bytes, options);
  HT_FUZZ_CHECK(hashed.ok() == decoded.ok());
  if (hashed.ok()) {
    HT_FUZZ_CHECK(hashed->pdq.quality >= 0 && hashed->pdq.quality <= 100);
    HT_FUZZ_CHECK(hashed->width == decoded->original.width && hashed->height == decoded->original.height);
    HT_FUZZ_CHECK(hashed->dihedral.has_value() == options.dihedral);
  } else {
    HT_FUZZ_CHECK(!hashed.status().message().empty());
  }
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzImageDecode)

// Image format sniffing from magic bytes (never from file names) and header-only dimension
// parsing, so a pixel limit can be enforced before any decoder allocates. Pure functions over
// bytes; safe on truncated or hostile input (every read is bounds-checked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::hashing {

// Persistent format: stored in case-store file records. Append only.
enum class ImageFormat : std::uint8_t {
  kUnknown = 0,
  kJpeg = 1,
  kPng = 2,
  kGif = 3,
  kBmp = 4,
  kWebp = 5,
  kTiff = 6,
  kHeif = 7,  // HEIC/HEIF (and AVIF where libheif can decode it)
};

std::string_view ImageFormatName(ImageFormat format);  // "jpeg", "png", ... "" for unknown

// Looks at the first bytes only. kUnknown for anything that is not one of the formats above.
ImageFormat SniffImageFormat(std::span<const std::byte> bytes);

struct ImageDimensions {
  int width = 0;
  int height = 0;
  std::uint64_t pixels() const { return static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height); }
};

// Width and height as declared by the header. Corruption if the header is truncated or
// malformed, InvalidArgument for a zero or negative size. HEIF is handled by the HEIF decoder.
Result<ImageDimensions> ReadImageDimensions(std::span<const std::byte> bytes, ImageFormat format);

}  // namespace hashtriage::hashing

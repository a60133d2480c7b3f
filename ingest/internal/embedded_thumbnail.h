// Embedded thumbnails: the preview pictures a JPEG carries in its header segments, which often survive
// when the full picture was edited or its source deleted — the EXIF thumbnail (APP1 "Exif", TIFF IFD1's
// JPEGInterchangeFormat / JPEGInterchangeFormatLength) and the JFIF extension thumbnail (APP0 "JFXX",
// extension code 0x10, a JPEG stream). Found by walking the JPEG's marker segments up to the first scan
// and reading the TIFF structure as the EXIF 2.32 and JFIF 1.02 specifications describe it; every offset
// and count is checked against the bytes actually present. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hashtriage::ingest::internal {

// How many leading bytes of a JPEG hold every header segment worth looking in: APP segments are at most
// 64 KiB each and come before the first scan; a few of them fit here.
inline constexpr std::size_t kThumbnailSearchBytes = 256 * 1024;

struct EmbeddedThumbnail {
  std::string kind;          // "exif" or "jfxx": also the provenance step "thumbnail:<kind>"
  std::uint64_t offset = 0;  // from the start of the JPEG file
  std::uint64_t size = 0;
};

struct ThumbnailSearch {
  std::vector<EmbeddedThumbnail> found;
  // The header segments run past `prefix`: a longer prefix could find more.
  bool needs_more = false;
};

// Every JPEG thumbnail found in `prefix`, the leading bytes of a file (none unless it is a JPEG). A
// thumbnail is returned only when it lies wholly inside `prefix` and starts with a JPEG SOI marker.
ThumbnailSearch FindEmbeddedThumbnails(std::span<const std::byte> prefix);

// True when `prefix` starts like a JPEG file (SOI then a marker).
bool LooksLikeJpeg(std::span<const std::byte> prefix);

}  // namespace hashtriage::ingest::internal

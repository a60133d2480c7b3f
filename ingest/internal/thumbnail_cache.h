// Thumbnail caches: files in which a system keeps the previews of pictures it has displayed, which
// survive after the pictures themselves were deleted. Recognised: the Windows Explorer thumbnail cache
// (thumbcache_*.db, Vista to 11: a file header and entries each starting with the signature "CMMM", as
// Joachim Metz's "Windows Explorer Thumbnail Cache database format" documents it) by its signature, and
// Android's gallery cache (DCIM/.thumbnails/.thumbdata*: JPEG previews stored one after another in
// fixed slots) by its name. The previews are found inside the file by their JPEG and PNG signatures and
// structure (picture_carver.h), so every version of the entry header reads the same way; only complete
// pictures are returned. Windows Vista's caches (format version 20) may also hold uncompressed bitmaps:
// there a BMP is found by its file header and accepted only when its info header is consistent (planes,
// bit depth, compression, colour table and rows that fit inside the declared file, which fits inside the
// cache). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"
#include "ingest/internal/image_reader.h"

namespace hashtriage::ingest::internal {

enum class ThumbnailCacheKind { kNone, kWindows, kAndroid };

// What `file_name` (the item's last path component) and the first bytes of its content say it is.
ThumbnailCacheKind RecogniseThumbnailCache(std::string_view file_name, std::span<const std::byte> prefix);
// "thumbcache" or "thumbdata": the provenance step of a preview is "<name>:<offset>.<jpg|png>".
std::string_view ThumbnailCacheName(ThumbnailCacheKind kind);

struct CachedPicture {
  std::uint64_t offset = 0;  // in the cache file
  std::uint64_t size = 0;
  std::string format;  // "jpeg", "png" or "bmp"
};

// Every complete JPEG or PNG inside the cache file, and in a Vista cache every consistent BMP, in file
// order (read in windows, never whole).
Result<std::vector<CachedPicture>> FindCachedPictures(std::shared_ptr<ImageReader> cache, ThumbnailCacheKind kind);

}  // namespace hashtriage::ingest::internal

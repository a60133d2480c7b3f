#include "ingest/internal/thumbnail_cache.h"

#include <cctype>
#include <cstring>

#include "ingest/internal/picture_carver.h"

namespace hashtriage::ingest::internal {

ThumbnailCacheKind RecogniseThumbnailCache(std::string_view file_name, std::span<const std::byte> prefix) {
  if (prefix.size() >= 8 && std::memcmp(prefix.data(), "CMMM", 4) == 0) {
    // The header's format version (little-endian): 20 Vista, 21 Windows 7, 30-32 Windows 8 to 11.
    const auto version = static_cast<std::uint32_t>(prefix[4]) | static_cast<std::uint32_t>(prefix[5]) << 8 |
                         static_cast<std::uint32_t>(prefix[6]) << 16 | static_cast<std::uint32_t>(prefix[7]) << 24;
    if (version == 20 || version == 21 || (version >= 30 && version <= 32)) return ThumbnailCacheKind::kWindows;
  }
  std::string lower(file_name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.starts_with(".thumbdata")) return ThumbnailCacheKind::kAndroid;
  return ThumbnailCacheKind::kNone;
}

std::string_view ThumbnailCacheName(ThumbnailCacheKind kind) {
  return kind == ThumbnailCacheKind::kWindows ? "thumbcache" : "thumbdata";
}

Result<std::vector<CachedPicture>> FindCachedPictures(std::shared_ptr<ImageReader> cache) {
  CarveSpace space;
  space.block_bytes = 1;
  space.bytes = cache->size();
  space.runs.push_back(ByteRun{0, cache->size()});
  PictureCarver carver(std::move(cache), std::move(space), CarveLimits{});
  std::vector<CachedPicture> out;
  for (;;) {
    HT_ASSIGN_OR_RETURN(std::optional<CarvedPicture> p, carver.Next());
    if (!p) return out;
    if (p->state == CarveState::kComplete) out.push_back(CachedPicture{p->offset, p->length, p->format});
  }
}

}  // namespace hashtriage::ingest::internal

#include "ingest/internal/thumbnail_cache.h"

#include <algorithm>
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

namespace {

std::uint32_t Le32(const std::byte* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// The length of the BMP whose 54-byte headers are `h` (BITMAPFILEHEADER, then BITMAPINFOHEADER or a later
// version of it), when they are consistent and the file fits in `room` bytes; 0 otherwise.
std::uint64_t BitmapLength(const std::byte* h, std::uint64_t room) {
  constexpr std::uint64_t kMaxBitmap = std::uint64_t{64} << 20;
  if (h[0] != std::byte{'B'} || h[1] != std::byte{'M'}) return 0;
  const std::uint64_t file_size = Le32(h + 2), pixels_at = Le32(h + 10), info_size = Le32(h + 14);
  if (Le32(h + 6) != 0 || file_size > room || file_size > kMaxBitmap) return 0;
  if (info_size != 40 && info_size != 52 && info_size != 56 && info_size != 108 && info_size != 124) return 0;
  const auto width = static_cast<std::int32_t>(Le32(h + 18)), height = static_cast<std::int32_t>(Le32(h + 22));
  const unsigned planes = static_cast<unsigned>(h[26]) | static_cast<unsigned>(h[27]) << 8;
  const unsigned bits = static_cast<unsigned>(h[28]) | static_cast<unsigned>(h[29]) << 8;
  const std::uint32_t compression = Le32(h + 30);
  if (width <= 0 || width > 16384 || height == 0 || height < -16384 || height > 16384 || planes != 1) return 0;
  if (bits != 1 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32) return 0;
  if (compression != 0 && compression != 3) return 0;  // uncompressed rows, or bit fields
  const std::uint64_t row = (static_cast<std::uint64_t>(width) * bits + 31) / 32 * 4;
  const std::uint64_t rows = static_cast<std::uint64_t>(height < 0 ? -static_cast<std::int64_t>(height) : height);
  if (pixels_at < 14 + info_size || pixels_at + row * rows > file_size) return 0;
  return file_size;
}

// Every consistent BMP in the cache, outside the pictures already found.
Result<std::vector<CachedPicture>> FindBitmaps(ImageReader& cache, const std::vector<CachedPicture>& found) {
  constexpr std::size_t kWindow = 1 << 20, kHeader = 54;
  std::vector<CachedPicture> out;
  std::vector<std::byte> window(kWindow + kHeader);
  const std::uint64_t size = cache.size();
  std::uint64_t at = 0;
  while (at + kHeader <= size) {
    HT_ASSIGN_OR_RETURN(const std::size_t got, cache.ReadAt(at, window));
    if (got < kHeader) break;
    std::uint64_t next = at + (got - kHeader + 1);  // every start whose header lies in this window
    for (std::size_t i = 0; i + kHeader <= got; ++i) {
      if (window[i] != std::byte{'B'} || window[i + 1] != std::byte{'M'}) continue;
      const std::uint64_t offset = at + i;
      const bool inside = std::any_of(found.begin(), found.end(), [&](const CachedPicture& p) {
        return offset >= p.offset && offset < p.offset + p.size;
      });
      if (inside) continue;
      const std::uint64_t length = BitmapLength(window.data() + i, size - offset);
      if (length == 0) continue;
      out.push_back(CachedPicture{offset, length, "bmp"});
      next = offset + length;
      break;
    }
    at = next;
  }
  return out;
}

}  // namespace

Result<std::vector<CachedPicture>> FindCachedPictures(std::shared_ptr<ImageReader> cache, ThumbnailCacheKind kind) {
  CarveSpace space;
  space.block_bytes = 1;
  space.bytes = cache->size();
  space.runs.push_back(ByteRun{0, cache->size()});
  PictureCarver carver(cache, std::move(space), CarveLimits{});
  std::vector<CachedPicture> out;
  for (;;) {
    HT_ASSIGN_OR_RETURN(std::optional<CarvedPicture> p, carver.Next());
    if (!p) break;
    if (p->state == CarveState::kComplete) out.push_back(CachedPicture{p->offset, p->length, p->format});
  }
  if (kind != ThumbnailCacheKind::kWindows) return out;
  HT_ASSIGN_OR_RETURN(std::vector<CachedPicture> bitmaps, FindBitmaps(*cache, out));
  out.insert(out.end(), bitmaps.begin(), bitmaps.end());
  std::sort(out.begin(), out.end(), [](const CachedPicture& a, const CachedPicture& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace hashtriage::ingest::internal

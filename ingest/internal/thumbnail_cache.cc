#include "ingest/internal/thumbnail_cache.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "ingest/internal/picture_carver.h"

namespace hashtriage::ingest::internal {
namespace {

std::uint32_t Le32(const std::byte* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

}  // namespace

ThumbnailCacheKind RecogniseThumbnailCache(std::string_view file_name, std::span<const std::byte> prefix) {
  if (prefix.size() >= 8 && std::memcmp(prefix.data(), "CMMM", 4) == 0) {
    // The header's format version (little-endian): 20 Vista, 21 Windows 7, 30-32 Windows 8 to 11.
    const std::uint32_t version = Le32(prefix.data() + 4);
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
  const std::uint32_t compression = Le32(h + 30), colours_used = Le32(h + 46);
  if (width <= 0 || width > 16384 || height == 0 || height < -16384 || height > 16384 || planes != 1) return 0;
  if (bits != 1 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32) return 0;
  // Uncompressed rows, or bit fields (16 and 32 bits only, their three masks after a 40-byte header).
  if (compression != 0 && !(compression == 3 && (bits == 16 || bits == 32))) return 0;
  const std::uint64_t masks = compression == 3 && info_size == 40 ? 12 : 0;
  std::uint64_t palette = 0;
  if (bits <= 8) {
    const std::uint64_t most = std::uint64_t{1} << bits;
    if (colours_used > most) return 0;
    palette = 4 * (colours_used != 0 ? colours_used : most);
  }
  const std::uint64_t row = (static_cast<std::uint64_t>(width) * bits + 31) / 32 * 4;
  const std::uint64_t rows = static_cast<std::uint64_t>(height < 0 ? -static_cast<std::int64_t>(height) : height);
  if (pixels_at < 14 + info_size + masks + palette || pixels_at + row * rows > file_size) return 0;
  return file_size;
}

// Every consistent BMP in the cache, outside the pictures already found (`found`, in file order), one
// pass over the file in windows.
Result<std::vector<CachedPicture>> FindBitmaps(ImageReader& cache, const std::vector<CachedPicture>& found) {
  constexpr std::size_t kWindow = 1 << 20, kHeader = 54;
  std::vector<CachedPicture> out;
  std::vector<std::byte> window(kWindow + kHeader);
  const std::uint64_t size = cache.size();
  std::size_t next_found = 0;  // the first found picture not wholly before the offset looked at
  std::uint64_t at = 0;        // the window's start
  std::uint64_t resume = 0;    // a bitmap starts no earlier than the end of the last one taken
  while (at + kHeader <= size) {
    HT_ASSIGN_OR_RETURN(const std::size_t got, cache.ReadAt(at, window));
    if (got < kHeader) break;
    for (std::uint64_t i = resume > at ? resume - at : 0; i + kHeader <= got; ++i) {
      if (window[i] != std::byte{'B'} || window[i + 1] != std::byte{'M'}) continue;
      const std::uint64_t offset = at + i;
      while (next_found < found.size() && found[next_found].offset + found[next_found].size <= offset) ++next_found;
      if (next_found < found.size() && offset >= found[next_found].offset) continue;  // inside a found picture
      const std::uint64_t length = BitmapLength(window.data() + i, size - offset);
      if (length == 0) continue;
      out.push_back(CachedPicture{offset, length, "bmp"});
      resume = offset + length;
      i = resume - at - 1;
    }
    at = std::max<std::uint64_t>(at + (got - kHeader + 1), resume);
  }
  return out;
}

// The format version of a Windows cache's header (20 is Vista's, whose caches may hold bitmaps).
Result<std::uint32_t> WindowsCacheVersion(ImageReader& cache) {
  std::byte header[8] = {};
  HT_ASSIGN_OR_RETURN(const std::size_t got, cache.ReadAt(0, header));
  return got < 8 ? 0 : Le32(header + 4);
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
  HT_ASSIGN_OR_RETURN(const std::uint32_t version, WindowsCacheVersion(*cache));
  if (version != 20) return out;
  HT_ASSIGN_OR_RETURN(std::vector<CachedPicture> bitmaps, FindBitmaps(*cache, out));
  out.insert(out.end(), bitmaps.begin(), bitmaps.end());
  std::sort(out.begin(), out.end(), [](const CachedPicture& a, const CachedPicture& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace hashtriage::ingest::internal

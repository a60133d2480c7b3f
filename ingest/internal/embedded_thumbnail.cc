#include "ingest/internal/embedded_thumbnail.h"

#include <cstring>
#include <optional>

namespace hashtriage::ingest::internal {
namespace {

std::uint8_t U8(std::span<const std::byte> b, std::size_t at) { return static_cast<std::uint8_t>(b[at]); }
std::uint16_t Be16(std::span<const std::byte> b, std::size_t at) {
  return static_cast<std::uint16_t>(U8(b, at) << 8 | U8(b, at + 1));
}
bool StartsWith(std::span<const std::byte> b, std::size_t at, const char* text, std::size_t n) {
  return at + n <= b.size() && std::memcmp(b.data() + at, text, n) == 0;
}
bool IsJpegStart(std::span<const std::byte> b, std::size_t at) {
  return at + 3 <= b.size() && U8(b, at) == 0xFF && U8(b, at + 1) == 0xD8 && U8(b, at + 2) == 0xFF;
}

// A TIFF structure (the body of an EXIF APP1 segment after "Exif\0\0"), read with its own byte order.
class Tiff {
 public:
  explicit Tiff(std::span<const std::byte> bytes) : b_(bytes) {
    if (StartsWith(b_, 0, "II*\0", 4)) {
      little_ = true;
      valid_ = true;
    } else if (StartsWith(b_, 0, "MM\0*", 4)) {
      valid_ = true;
    }
  }
  bool valid() const { return valid_; }
  std::optional<std::uint32_t> U32(std::size_t at) const {
    if (at + 4 > b_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint32_t byte = U8(b_, at + static_cast<std::size_t>(little_ ? 3 - i : i));
      v = v << 8 | byte;
    }
    return v;
  }
  std::optional<std::uint16_t> U16(std::size_t at) const {
    if (at + 2 > b_.size()) return std::nullopt;
    return static_cast<std::uint16_t>(little_ ? U8(b_, at) | U8(b_, at + 1) << 8 : U8(b_, at) << 8 | U8(b_, at + 1));
  }
  std::size_t size() const { return b_.size(); }

  // The value of a SHORT or LONG tag with count 1 (stored in the entry itself).
  std::optional<std::uint32_t> Value(std::size_t entry) const {
    const auto type = U16(entry + 2);
    if (type == 3) return U16(entry + 8);
    if (type == 4) return U32(entry + 8);
    return std::nullopt;
  }

 private:
  std::span<const std::byte> b_;
  bool little_ = false;
  bool valid_ = false;
};

constexpr std::uint16_t kTagCompression = 0x0103;
constexpr std::uint16_t kTagJpegOffset = 0x0201;
constexpr std::uint16_t kTagJpegLength = 0x0202;

// IFD1's JPEG thumbnail, as [offset, size) within the TIFF body.
std::optional<std::pair<std::uint32_t, std::uint32_t>> ExifThumbnail(const Tiff& tiff) {
  const auto ifd0 = tiff.U32(4);
  if (!ifd0) return std::nullopt;
  const auto ifd0_count = tiff.U16(*ifd0);
  if (!ifd0_count) return std::nullopt;
  const auto ifd1 = tiff.U32(std::size_t{*ifd0} + 2 + std::size_t{*ifd0_count} * 12);
  if (!ifd1 || *ifd1 == 0 || *ifd1 == *ifd0) return std::nullopt;
  const auto count = tiff.U16(*ifd1);
  if (!count) return std::nullopt;
  std::optional<std::uint32_t> offset, length, compression;
  for (std::size_t i = 0; i < *count; ++i) {
    const std::size_t entry = std::size_t{*ifd1} + 2 + i * 12;
    const auto tag = tiff.U16(entry);
    if (!tag) break;  // the directory runs past the segment: keep what was read
    if (*tag == kTagJpegOffset) offset = tiff.Value(entry);
    if (*tag == kTagJpegLength) length = tiff.Value(entry);
    if (*tag == kTagCompression) compression = tiff.Value(entry);
  }
  if (!offset || !length || *length == 0) return std::nullopt;
  if (compression && *compression != 6 && *compression != 7) return std::nullopt;  // an uncompressed (RGB) thumbnail
  if (std::uint64_t{*offset} + *length > tiff.size()) return std::nullopt;
  return std::make_pair(*offset, *length);
}

}  // namespace

bool LooksLikeJpeg(std::span<const std::byte> prefix) { return IsJpegStart(prefix, 0); }

ThumbnailSearch FindEmbeddedThumbnails(std::span<const std::byte> b) {
  ThumbnailSearch search;
  std::vector<EmbeddedThumbnail>& out = search.found;
  if (!IsJpegStart(b, 0)) return search;
  std::size_t pos = 2;
  for (;;) {
    if (pos + 4 > b.size()) {
      search.needs_more = true;
      break;
    }
    if (U8(b, pos) != 0xFF) break;  // not a marker: a damaged header, stop looking
    const std::uint8_t marker = U8(b, pos + 1);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) break;  // the first scan (or the end): no more header segments
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      pos += 2;
      continue;
    }
    const std::size_t length = Be16(b, pos + 2);
    if (length < 2) break;
    const std::size_t body = pos + 4;
    const std::size_t end = pos + 2 + length;
    if (end > b.size()) {
      search.needs_more = true;
      break;
    }
    const std::span<const std::byte> segment = b.subspan(body, end - body);
    if (marker == 0xE1 && StartsWith(segment, 0, "Exif\0\0", 6)) {
      const Tiff tiff(segment.subspan(6));
      if (tiff.valid()) {
        if (auto t = ExifThumbnail(tiff); t && IsJpegStart(segment, 6 + t->first)) {
          out.push_back({"exif", body + 6 + t->first, t->second});
        }
      }
    } else if (marker == 0xE0 && StartsWith(segment, 0, "JFXX\0", 5) && segment.size() > 6 && U8(segment, 5) == 0x10 &&
               IsJpegStart(segment, 6)) {
      out.push_back({"jfxx", body + 6, segment.size() - 6});
    }
    pos = end;
  }
  return search;
}

}  // namespace hashtriage::ingest::internal

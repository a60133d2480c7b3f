#include "hashing/image_format.h"

#include <cstring>
#include <string>

namespace hashtriage::hashing {

namespace {

// Bounds-checked little/big-endian readers over a byte span.
class ByteView {
 public:
  explicit ByteView(std::span<const std::byte> bytes) : bytes_(bytes) {}
  bool Has(std::size_t offset, std::size_t n) const { return offset <= bytes_.size() && n <= bytes_.size() - offset; }
  std::uint8_t U8(std::size_t o) const { return static_cast<std::uint8_t>(bytes_[o]); }
  std::uint16_t Be16(std::size_t o) const { return static_cast<std::uint16_t>(U8(o) << 8 | U8(o + 1)); }
  std::uint16_t Le16(std::size_t o) const { return static_cast<std::uint16_t>(U8(o + 1) << 8 | U8(o)); }
  std::uint32_t Be32(std::size_t o) const { return std::uint32_t{Be16(o)} << 16 | Be16(o + 2); }
  std::uint32_t Le32(std::size_t o) const { return std::uint32_t{Le16(o + 2)} << 16 | Le16(o); }
  std::uint32_t Le24(std::size_t o) const { return std::uint32_t{U8(o + 2)} << 16 | std::uint32_t{U8(o + 1)} << 8 | U8(o); }
  bool Matches(std::size_t o, std::string_view s) const {
    return Has(o, s.size()) && std::memcmp(bytes_.data() + o, s.data(), s.size()) == 0;
  }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::span<const std::byte> bytes_;
};

Status Truncated(std::string_view what) { return Status::Corruption(std::string(what) + " header is truncated"); }

Result<ImageDimensions> Checked(std::int64_t w, std::int64_t h, std::string_view what) {
  if (w <= 0 || h <= 0 || w > (1 << 30) || h > (1 << 30)) {
    return Status::Corruption(std::string(what) + " header declares an invalid size " + std::to_string(w) + "x" +
                              std::to_string(h));
  }
  return ImageDimensions{static_cast<int>(w), static_cast<int>(h)};
}

Result<ImageDimensions> JpegDimensions(const ByteView& v) {
  std::size_t pos = 2;
  while (true) {
    // Skip fill bytes before a marker.
    while (v.Has(pos, 1) && v.U8(pos) == 0xFF && v.Has(pos + 1, 1) && v.U8(pos + 1) == 0xFF) ++pos;
    if (!v.Has(pos, 4)) return Truncated("JPEG");
    if (v.U8(pos) != 0xFF) return Status::Corruption("JPEG marker expected at offset " + std::to_string(pos));
    const std::uint8_t marker = v.U8(pos + 1);
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      pos += 2;  // markers without a length
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return Status::Corruption("JPEG has no frame header before scan data");
    const std::uint16_t length = v.Be16(pos + 2);
    if (length < 2) return Status::Corruption("JPEG segment with invalid length at offset " + std::to_string(pos));
    const bool is_sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_sof) {
      if (!v.Has(pos + 5, 4)) return Truncated("JPEG");
      return Checked(v.Be16(pos + 7), v.Be16(pos + 5), "JPEG");
    }
    pos += 2 + length;
  }
}

Result<ImageDimensions> TiffDimensions(const ByteView& v) {
  const bool little = v.U8(0) == 'I';
  auto u16 = [&](std::size_t o) { return little ? v.Le16(o) : v.Be16(o); };
  auto u32 = [&](std::size_t o) { return little ? v.Le32(o) : v.Be32(o); };
  if (!v.Has(4, 4)) return Truncated("TIFF");
  const std::uint32_t ifd = u32(4);
  if (!v.Has(ifd, 2)) return Truncated("TIFF");
  const std::uint16_t entries = u16(ifd);
  std::int64_t width = -1, height = -1;
  for (std::uint16_t i = 0; i < entries; ++i) {
    const std::size_t e = ifd + 2 + 12 * static_cast<std::size_t>(i);
    if (!v.Has(e, 12)) return Truncated("TIFF");
    const std::uint16_t tag = u16(e);
    const std::uint16_t type = u16(e + 2);
    const std::int64_t value = type == 3 ? u16(e + 8) : u32(e + 8);  // SHORT or LONG
    if (tag == 256) width = value;
    if (tag == 257) height = value;
  }
  if (width < 0 || height < 0) return Status::Corruption("TIFF first directory has no ImageWidth/ImageLength");
  return Checked(width, height, "TIFF");
}

Result<ImageDimensions> WebpDimensions(const ByteView& v) {
  if (v.Matches(12, "VP8 ")) {
    if (!v.Has(26, 4)) return Truncated("WebP");
    return Checked(v.Le16(26) & 0x3FFF, v.Le16(28) & 0x3FFF, "WebP");
  }
  if (v.Matches(12, "VP8L")) {
    if (!v.Has(21, 4)) return Truncated("WebP");
    const std::uint32_t bits = v.Le32(21);
    return Checked((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, "WebP");
  }
  if (v.Matches(12, "VP8X")) {
    if (!v.Has(24, 6)) return Truncated("WebP");
    return Checked(std::int64_t{v.Le24(24)} + 1, std::int64_t{v.Le24(27)} + 1, "WebP");
  }
  return Status::Corruption("WebP has an unknown first chunk");
}

}  // namespace

std::string_view ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kUnknown: return "";
    case ImageFormat::kJpeg: return "jpeg";
    case ImageFormat::kPng: return "png";
    case ImageFormat::kGif: return "gif";
    case ImageFormat::kBmp: return "bmp";
    case ImageFormat::kWebp: return "webp";
    case ImageFormat::kTiff: return "tiff";
    case ImageFormat::kHeif: return "heif";
  }
  return "";
}

ImageFormat SniffImageFormat(std::span<const std::byte> bytes) {
  const ByteView v(bytes);
  if (v.Has(0, 3) && v.U8(0) == 0xFF && v.U8(1) == 0xD8 && v.U8(2) == 0xFF) return ImageFormat::kJpeg;
  if (v.Matches(0, "\x89PNG\r\n\x1a\n")) return ImageFormat::kPng;
  if (v.Matches(0, "GIF87a") || v.Matches(0, "GIF89a")) return ImageFormat::kGif;
  if (v.Matches(0, "BM") && v.Has(14, 4)) {
    const std::uint32_t dib = v.Le32(14);  // BITMAPINFOHEADER family sizes
    if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
      return ImageFormat::kBmp;
    }
  }
  if (v.Matches(0, "RIFF") && v.Matches(8, "WEBP")) return ImageFormat::kWebp;
  if (v.Matches(0, std::string_view("II*\0", 4)) || v.Matches(0, std::string_view("MM\0*", 4))) {
    return ImageFormat::kTiff;
  }
  if (v.Matches(4, "ftyp") && v.Has(8, 4)) {
    static constexpr std::string_view kBrands[] = {"heic", "heix", "heim", "heis", "hevc", "hevx",
                                                   "mif1", "msf1", "avif", "avis"};
    for (std::string_view brand : kBrands) {
      if (v.Matches(8, brand)) return ImageFormat::kHeif;
    }
  }
  return ImageFormat::kUnknown;
}

Result<ImageDimensions> ReadImageDimensions(std::span<const std::byte> bytes, ImageFormat format) {
  const ByteView v(bytes);
  switch (format) {
    case ImageFormat::kJpeg: return JpegDimensions(v);
    case ImageFormat::kPng:
      if (!v.Has(16, 8) || !v.Matches(12, "IHDR")) return Truncated("PNG");
      return Checked(v.Be32(16), v.Be32(20), "PNG");
    case ImageFormat::kGif:
      if (!v.Has(6, 4)) return Truncated("GIF");
      return Checked(v.Le16(6), v.Le16(8), "GIF");
    case ImageFormat::kBmp: {
      if (!v.Has(14, 4)) return Truncated("BMP");
      if (v.Le32(14) == 12) {
        if (!v.Has(18, 4)) return Truncated("BMP");
        return Checked(v.Le16(18), v.Le16(20), "BMP");
      }
      if (!v.Has(18, 8)) return Truncated("BMP");
      const auto height = static_cast<std::int32_t>(v.Le32(22));
      return Checked(static_cast<std::int32_t>(v.Le32(18)), height < 0 ? -std::int64_t{height} : height, "BMP");
    }
    case ImageFormat::kWebp: return WebpDimensions(v);
    case ImageFormat::kTiff: return TiffDimensions(v);
    case ImageFormat::kHeif: return Status::Internal("HEIF dimensions are read by the HEIF decoder");
    case ImageFormat::kUnknown: break;
  }
  return Status::NotSupported("not a recognised image format");
}

}  // namespace hashtriage::hashing

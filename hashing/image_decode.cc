#include "hashing/image_decode.h"

#include "hashing/luma_convert.h"
#include "hashing/opencv_codecs.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace hashtriage::hashing {

namespace decode_internal {

Status CheckPixelLimit(const ImageDimensions& dims, const DecodeOptions& options) {
  if (dims.pixels() > options.max_pixels) {
    return Status::ResourceLimit("image declares " + std::to_string(dims.width) + "x" + std::to_string(dims.height) +
                                 " pixels, over the " + std::to_string(options.max_pixels) + "-pixel limit");
  }
  return Status::Ok();
}

LumaImage LumaFromInterleaved(const std::uint8_t* data, int width, int height, std::size_t row_stride,
                              int channels, bool bgr_order) {
  LumaImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(static_cast<std::size_t>(width) * height);
  const int r_index = bgr_order ? 2 : 0;
  const int b_index = bgr_order ? 0 : 2;
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = data + row_stride * y;
    float* dst = out.pixels.data() + static_cast<std::size_t>(y) * width;
    if (channels == 1) {
      for (int x = 0; x < width; ++x) dst[x] = row[x];
    } else if (channels == 2) {  // grey + alpha
      for (int x = 0; x < width; ++x) {
        const float a = row[2 * x + 1] / 255.0f;
        dst[x] = std::round(row[2 * x] * a + 255.0f * (1.0f - a));
      }
    } else if (channels == 3) {
      RgbRowToLuma(row, dst, width, bgr_order);
    } else {
      for (int x = 0; x < width; ++x) {
        const std::uint8_t* p = row + static_cast<std::size_t>(channels) * x;
        float r = p[r_index], g = p[1], b = p[b_index];
        if (channels == 4) {
          const float a = p[3] / 255.0f;
          r = std::round(r * a + 255.0f * (1.0f - a));
          g = std::round(g * a + 255.0f * (1.0f - a));
          b = std::round(b * a + 255.0f * (1.0f - a));
        }
        // Evaluation order matters for bit-identical PDQ: (0.299 R + 0.587 G) + 0.114 B in float.
        dst[x] = 0.299f * r + 0.587f * g + 0.114f * b;
      }
    }
  }
  return out;
}

}  // namespace decode_internal

namespace {

using decode_internal::CheckPixelLimit;
using decode_internal::LumaFromInterleaved;

int JpegScaleDenominator(const ImageDimensions& dims, int min_short_side) {
  if (min_short_side <= 0) return 1;
  const int short_side = std::min(dims.width, dims.height);
  for (int denom : {8, 4, 2}) {
    if ((short_side + denom - 1) / denom >= min_short_side) return denom;
  }
  return 1;
}

// libjpeg pads a truncated scan with grey and reports success, so a JPEG must end its first scan
// with an EOI marker. Entropy-coded data never contains FF D9 (0xFF is byte-stuffed), and
// embedded thumbnails sit before the first SOS, so "EOI after the first SOS" means complete.
Status CheckJpegComplete(std::span<const std::byte> bytes) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t first_sos = bytes.size();
  std::size_t pos = 2;
  while (pos + 4 <= bytes.size() && data[pos] == 0xFF) {
    const std::uint8_t marker = data[pos + 1];
    if (marker == 0xFF) { ++pos; continue; }
    if (marker == 0xDA) { first_sos = pos; break; }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) { pos += 2; continue; }
    pos += 2 + (std::size_t{data[pos + 2]} << 8 | data[pos + 3]);
  }
  if (first_sos == bytes.size()) return Status::Corruption("JPEG has no scan data (truncated)");
  for (std::size_t i = bytes.size() - 1; i > first_sos + 1; --i) {
    if (data[i] == 0xD9 && data[i - 1] == 0xFF) return Status::Ok();
  }
  return Status::Corruption("JPEG is truncated (no end-of-image marker after the scan data)");
}

Result<DecodedImage> DecodeOtherFormats(std::span<const std::byte> bytes, ImageFormat format,
                                      const DecodeOptions& options) {
  HT_ASSIGN_OR_RETURN(ImageDimensions dims, ReadImageDimensions(bytes, format));
  HT_RETURN_IF_ERROR(CheckPixelLimit(dims, options));
  if (format == ImageFormat::kJpeg) HT_RETURN_IF_ERROR(CheckJpegComplete(bytes));
  DecodedImage out;
  out.format = format;
  out.original = dims;
  out.scale_denominator = format == ImageFormat::kJpeg ? JpegScaleDenominator(dims, options.min_short_side) : 1;
  if (format == ImageFormat::kJpeg) {
    auto luma = decode_internal::DecodeJpegLuma(bytes, out.scale_denominator, options.max_pixels);
    if (luma.ok()) {
      out.luma = std::move(luma).value();
      return out;
    }
    if (luma.status().code() != StatusCode::kNotSupported) return luma.status();
    // CMYK/YCCK: OpenCV converts those to BGR below.
  }
  auto luma = decode_internal::DecodeLumaWithOpenCv(bytes, format == ImageFormat::kJpeg, out.scale_denominator);
  if (!luma.ok()) {
    if (luma.status().code() != StatusCode::kCorruption) return luma.status();
    return Status::Corruption(std::string(ImageFormatName(format)) + " " + luma.status().message());
  }
  out.luma = std::move(luma).value();
  return out;
}

}  // namespace

Result<DecodedImage> DecodeImage(std::span<const std::byte> bytes, const DecodeOptions& options) {
  if (bytes.empty()) return Status::Corruption("empty file");
  const ImageFormat format = SniffImageFormat(bytes);
  switch (format) {
    case ImageFormat::kUnknown: return Status::NotSupported("not a recognised image format");
    case ImageFormat::kPng: return decode_internal::DecodePng(bytes, options);
    case ImageFormat::kGif: return decode_internal::DecodeGif(bytes, options);
    case ImageFormat::kHeif: return decode_internal::DecodeHeif(bytes, options);
    default: return DecodeOtherFormats(bytes, format, options);
  }
}

}  // namespace hashtriage::hashing

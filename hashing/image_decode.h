// Image decoding: bytes -> LumaImage, format sniffed from magic bytes. JPEG via libjpeg-turbo,
// BMP, WebP and TIFF (and CMYK JPEG) via OpenCV (a plugin), PNG via libpng, GIF (first frame) via giflib, HEIC/HEIF via libheif. The declared size is
// checked against a pixel limit *before* any decoder runs (decompression-bomb guard). EXIF and
// HEIF orientation are not applied (PDQ's dihedral hashes cover them); alpha is composited on
// white. Large JPEGs may be decoded with libjpeg DCT scaling (PDQ only needs a 64x64 summary), and a
// scaled colour JPEG gives its own Y channel as luma (no chroma decoding). BMP, WebP, TIFF and CMYK
// JPEG go through the OpenCV codec plugin, loaded on first use (opencv_codecs.h).
// Pure and thread-safe: every call owns its buffers.
#pragma once

#include <cstdint>
#include <span>

#include "hashing/image_format.h"
#include "hashing/luma_image.h"
#include "hashing/status.h"

namespace hashtriage::hashing {

struct DecodeOptions {
  // Images whose header declares more pixels than this are refused before decoding.
  // Default: 100 megapixels.
  std::uint64_t max_pixels = 100'000'000;
  // When > 0, a JPEG is decoded with the largest libjpeg scale (1/2, 1/4, 1/8) that keeps its
  // shorter side >= this many pixels. 0 decodes at full resolution. Default: 384 (camera photos of
  // 0.8-2 MP decode at 1/2: 1.35x fewer CPU-s per scanned image than 512, with the same held-out
  // recall and --compat agreement; 256 lost letterbox recall. bench/RESULTS.md, "## image-cost").
  int min_short_side = 384;
};

struct DecodedImage {
  ImageFormat format = ImageFormat::kUnknown;
  ImageDimensions original;  // as declared by the file
  int scale_denominator = 1;  // 1, 2, 4 or 8 (JPEG DCT scaling)
  LumaImage luma;
};

Result<DecodedImage> DecodeImage(std::span<const std::byte> bytes, const DecodeOptions& options = {});

namespace decode_internal {
// 8-bit interleaved pixels (1 = grey, 3 = RGB, 4 = RGBA) -> luma; alpha composited on white.
LumaImage LumaFromInterleaved(const std::uint8_t* data, int width, int height, std::size_t row_stride,
                              int channels, bool bgr_order);
// JPEG straight to luma with libjpeg-turbo at 1/scale_denominator; NotSupported for CMYK.
Result<LumaImage> DecodeJpegLuma(std::span<const std::byte> bytes, int scale_denominator, std::uint64_t max_pixels);
Result<DecodedImage> DecodePng(std::span<const std::byte> bytes, const DecodeOptions& options);
Result<DecodedImage> DecodeGif(std::span<const std::byte> bytes, const DecodeOptions& options);
Result<DecodedImage> DecodeHeif(std::span<const std::byte> bytes, const DecodeOptions& options);
Status CheckPixelLimit(const ImageDimensions& dims, const DecodeOptions& options);
}  // namespace decode_internal

}  // namespace hashtriage::hashing

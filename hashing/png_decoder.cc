// PNG decoding with libpng directly (not through OpenCV) so that libpng's warnings on valid files
// ("iCCP: known incorrect sRGB profile") and its error text become our Status, never stderr noise.
// No gamma or colour-profile conversion is applied: samples are used as stored, like the reference.
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

#include "hashing/image_decode.h"

namespace hashtriage::hashing::decode_internal {

namespace {

struct PngReadState {
  std::span<const std::byte> bytes;
  std::size_t offset = 0;
  char error[200] = "";
};

void ReadPngBytes(png_structp png, png_bytep out, png_size_t length) {
  auto* state = static_cast<PngReadState*>(png_get_io_ptr(png));
  if (length > state->bytes.size() - state->offset) png_error(png, "PNG data is truncated");
  std::memcpy(out, state->bytes.data() + state->offset, length);
  state->offset += length;
}

void ErrorCallback(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngReadState*>(png_get_error_ptr(png));
  std::snprintf(state->error, sizeof state->error, "%s", message ? message : "libpng error");
  png_longjmp(png, 1);
}

void WarningCallback(png_structp, png_const_charp) {}

// Everything that must survive a longjmp lives here, allocated before setjmp.
struct PngDecodeJob {
  PngReadState state;
  std::vector<std::uint8_t> pixels;
  std::vector<png_bytep> rows;
  png_uint_32 width = 0, height = 0;
  int channels = 0;
};

// Returns false with job.state.error set on failure. No C++ objects with destructors are created
// between setjmp and the end of this function.
bool DecodeInto(PngDecodeJob& job, std::uint64_t max_pixels, bool& over_limit) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job.state, ErrorCallback, WarningCallback);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &job.state, ReadPngBytes);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_read_info(png, info);
  job.width = png_get_image_width(png, info);
  job.height = png_get_image_height(png, info);
  if (std::uint64_t{job.width} * job.height > max_pixels) {
    over_limit = true;
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  const int color_type = png_get_color_type(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  png_set_scale_16(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  job.channels = png_get_channels(png, info);
  const std::size_t row_bytes = png_get_rowbytes(png, info);
  job.pixels.resize(row_bytes * job.height);
  job.rows.resize(job.height);
  for (png_uint_32 y = 0; y < job.height; ++y) job.rows[y] = job.pixels.data() + row_bytes * y;
  png_read_image(png, job.rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

}  // namespace

Result<DecodedImage> DecodePng(std::span<const std::byte> bytes, const DecodeOptions& options) {
  HT_ASSIGN_OR_RETURN(ImageDimensions dims, ReadImageDimensions(bytes, ImageFormat::kPng));
  HT_RETURN_IF_ERROR(CheckPixelLimit(dims, options));
  PngDecodeJob job;
  job.state.bytes = bytes;
  bool over_limit = false;
  if (!DecodeInto(job, options.max_pixels, over_limit)) {
    if (over_limit) return CheckPixelLimit(ImageDimensions{static_cast<int>(job.width), static_cast<int>(job.height)}, options);
    return Status::Corruption(std::string("PNG decode failed: ") + (job.state.error[0] ? job.state.error : "unknown error"));
  }
  if (job.channels < 1 || job.channels > 4) return Status::NotSupported("PNG with an unexpected channel layout");
  DecodedImage out;
  out.format = ImageFormat::kPng;
  out.original = dims;
  out.luma = LumaFromInterleaved(job.pixels.data(), static_cast<int>(job.width), static_cast<int>(job.height),
                                 job.pixels.size() / job.height, job.channels, /*bgr_order=*/false);
  return out;
}

}  // namespace hashtriage::hashing::decode_internal

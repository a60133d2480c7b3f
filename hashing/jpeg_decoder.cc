// JPEG decoding with libjpeg-turbo directly: DCT scaling (scale_denom 1/2/4/8) and luma computed
// per scanline while it is in cache. libjpeg's default IDCT and upsampling are kept, so pixels are
// the ones OpenCV and CImg (Meta's reference) get. libjpeg's errors become a Status and its
// warnings are silent; truncation is caught by the EOI check in image_decode.cc. CMYK/YCCK files
// are left to OpenCV (NotSupported here).
#include <csetjmp>
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <string>
#include <vector>

#include "hashing/image_decode.h"
#include "hashing/luma_convert.h"

namespace hashtriage::hashing::decode_internal {

namespace {

struct JpegErrorTrap {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = "";
};

void TrapError(j_common_ptr cinfo) {
  auto* trap = reinterpret_cast<JpegErrorTrap*>(cinfo->err);
  cinfo->err->format_message(cinfo, trap->message);
  std::longjmp(trap->jump, 1);
}

void IgnoreMessage(j_common_ptr, int) {}

// Everything that must survive a longjmp is owned by the caller.
struct JpegJob {
  std::span<const std::byte> bytes;
  int scale_denominator = 1;
  std::uint64_t max_pixels = 0;
  std::vector<std::uint8_t> scanline;
  std::vector<float> luma_row;
  LumaImage luma;
  bool not_supported = false;
  bool over_limit = false;
  JpegErrorTrap trap;
};

// No C++ object with a destructor is created between setjmp and the return.
bool Run(JpegJob& job, jpeg_decompress_struct& cinfo) {
  cinfo.err = jpeg_std_error(&job.trap.mgr);
  job.trap.mgr.error_exit = TrapError;
  job.trap.mgr.emit_message = IgnoreMessage;
  if (setjmp(job.trap.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(job.bytes.data()), job.bytes.size());
  jpeg_read_header(&cinfo, TRUE);
  if (std::uint64_t{cinfo.image_width} * cinfo.image_height > job.max_pixels) {
    job.over_limit = true;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  const bool grey = cinfo.jpeg_color_space == JCS_GRAYSCALE;
  if (!grey && cinfo.jpeg_color_space != JCS_YCbCr && cinfo.jpeg_color_space != JCS_RGB) {
    job.not_supported = true;  // CMYK / YCCK
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  // Scaled decodes (already an approximation of the full-size pixels) take JPEG's own luma, the Y
  // channel (0.299 R + 0.587 G + 0.114 B by the JFIF definition, before rounding and clamping):
  // libjpeg then skips the chroma IDCT, upsampling and colour conversion. Full-size decodes keep
  // RGB -> luma in float, bit-identical to Meta's reference.
  const bool y_channel = grey || (job.scale_denominator > 1 && cinfo.jpeg_color_space == JCS_YCbCr);
  cinfo.out_color_space = y_channel ? JCS_GRAYSCALE : JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(job.scale_denominator);
  jpeg_start_decompress(&cinfo);
  const int width = static_cast<int>(cinfo.output_width);
  const int height = static_cast<int>(cinfo.output_height);
  const int channels = cinfo.output_components;
  job.scanline.resize(static_cast<std::size_t>(width) * channels);
  job.luma_row.resize(static_cast<std::size_t>(width));
  job.luma.width = width;
  job.luma.height = height;
  // Rows are appended, not written into a resized plane: resize() would first zero the whole plane
  // (a megabyte or more per picture, a visible share of a scan).
  job.luma.pixels.reserve(static_cast<std::size_t>(width) * height);
  while (cinfo.output_scanline < cinfo.output_height) {
    unsigned char* row = job.scanline.data();
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) break;  // not with an in-memory source; never loop on it
    if (channels == 1) {
      job.luma.pixels.insert(job.luma.pixels.end(), row, row + width);
    } else {
      RgbRowToLuma(row, job.luma_row.data(), width, /*bgr_order=*/false);
      job.luma.pixels.insert(job.luma.pixels.end(), job.luma_row.begin(), job.luma_row.end());
    }
  }
  job.luma.pixels.resize(static_cast<std::size_t>(width) * height);  // whole, whatever happened above
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace

Result<LumaImage> DecodeJpegLuma(std::span<const std::byte> bytes, int scale_denominator, std::uint64_t max_pixels) {
  JpegJob job;
  job.bytes = bytes;
  job.scale_denominator = scale_denominator;
  job.max_pixels = max_pixels;
  jpeg_decompress_struct cinfo;
  if (!Run(job, cinfo)) {
    if (job.over_limit) return Status::ResourceLimit("JPEG frame is over the pixel limit");
    if (job.not_supported) return Status::NotSupported("CMYK/YCCK JPEG");
    return Status::Corruption(std::string("JPEG decode failed: ") + job.trap.message);
  }
  return std::move(job.luma);
}

}  // namespace hashtriage::hashing::decode_internal

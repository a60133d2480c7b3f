// libjpeg-turbo alone, the peer the decode benchmarks compare with: a JPEG decoded to RGB (or another
// output colour space, e.g. JCS_GRAYSCALE: the Y channel only) at 1/scale_denom with the library's
// defaults (hashtriage's decoder keeps them too), every scanline read into `pixels`, nothing else.
// Returns false on a libjpeg error.
#pragma once

#include <csetjmp>
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <vector>

namespace hashtriage::bench {

struct SilentJpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};
inline void ExitOnJpegError(j_common_ptr cinfo) { std::longjmp(reinterpret_cast<SilentJpegError*>(cinfo->err)->jump, 1); }

inline bool LibjpegDecodeScaled(const std::vector<std::byte>& file, int scale_denom, std::vector<unsigned char>& pixels,
                                J_COLOR_SPACE out_color_space = JCS_RGB) {
  jpeg_decompress_struct cinfo;
  SilentJpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = ExitOnJpegError;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(file.data()), file.size());
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(scale_denom);
  cinfo.out_color_space = out_color_space;
  jpeg_start_decompress(&cinfo);
  const std::size_t stride = static_cast<std::size_t>(cinfo.output_width) * cinfo.output_components;
  pixels.resize(stride * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    unsigned char* row = pixels.data() + stride * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace hashtriage::bench

// The C interface between hashtriage and its OpenCV codec plugin (hashtriage_opencv_codecs.so, built
// from opencv_codec_plugin.cc). BMP, WebP, TIFF and CMYK JPEG are decoded by OpenCV's imgcodecs,
// which brings some 140 shared libraries with it (GDAL, GDCM, OpenEXR, ...): linked into the binary,
// loading them cost every hashtriage process 0.12 s before main, a kiosk run and each test alike.
// The plugin is loaded on the first image that needs it (hashing/opencv_codecs.h), so a process that
// meets none never loads OpenCV. Plain C types only: the two sides are built together but loaded apart.
#pragma once

#include <cstddef>

extern "C" {

struct HashtriageOpenCvImage {
  int width;
  int height;
  int channels;          // 1 grey, 2 grey+alpha, 3 BGR, 4 BGRA; 8 bits each
  std::size_t stride;    // bytes per row
  unsigned char* pixels; // owned by the plugin: release with hashtriage_opencv_release
  char error[256];       // why decoding failed, when it did
};

// Decodes `size` bytes; `jpeg_scale` (1, 2, 4, 8) applies to JPEG only. Returns 0 on success.
typedef int (*HashtriageOpenCvDecode)(const unsigned char* data, std::size_t size, int is_jpeg, int jpeg_scale,
                                      HashtriageOpenCvImage* out);
typedef void (*HashtriageOpenCvRelease)(HashtriageOpenCvImage* image);

}  // extern "C"

// hashtriage_opencv_codecs.so: OpenCV's imgcodecs behind the C interface of opencv_codec_plugin.h.
// Any depth becomes 8 bits per channel; the pixels stay in OpenCV's order (BGR).
#include "hashing/opencv_codec_plugin.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace {

int ReadFlags(int is_jpeg, int scale) {
  if (!is_jpeg) return cv::IMREAD_UNCHANGED;
  // ANYCOLOR keeps grey JPEGs single-channel (luma = the grey value, as Meta's reference does)
  // and never asks libjpeg for its own YCbCr->grey conversion of colour files.
  int flags = cv::IMREAD_ANYCOLOR | cv::IMREAD_IGNORE_ORIENTATION;
  if (scale == 2) flags |= cv::IMREAD_REDUCED_GRAYSCALE_2;
  if (scale == 4) flags |= cv::IMREAD_REDUCED_GRAYSCALE_4;
  if (scale == 8) flags |= cv::IMREAD_REDUCED_GRAYSCALE_8;
  return flags;
}

cv::Mat To8Bit(const cv::Mat& in) {
  if (in.depth() == CV_8U) return in;
  cv::Mat out;
  switch (in.depth()) {
    case CV_16U: in.convertTo(out, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: in.convertTo(out, CV_8U, 255.0); break;
    default: in.convertTo(out, CV_8U); break;
  }
  return out;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int hashtriage_opencv_decode(const unsigned char* data,
                                                                               std::size_t size, int is_jpeg,
                                                                               int jpeg_scale,
                                                                               HashtriageOpenCvImage* out) {
  std::memset(out, 0, sizeof *out);
  try {
    // imdecode reads the buffer in place (no copy) through this header-only wrapper.
    const cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<unsigned char*>(data));  // NOLINT: read-only
    cv::Mat decoded = cv::imdecode(encoded, ReadFlags(is_jpeg, jpeg_scale));
    if (decoded.empty()) {
      std::snprintf(out->error, sizeof out->error, "data is corrupt or truncated");
      return 1;
    }
    decoded = To8Bit(decoded);
    out->width = decoded.cols;
    out->height = decoded.rows;
    out->channels = decoded.channels();
    out->stride = static_cast<std::size_t>(decoded.cols) * decoded.channels();
    out->pixels = new unsigned char[out->stride * decoded.rows];
    for (int y = 0; y < decoded.rows; ++y) std::memcpy(out->pixels + out->stride * y, decoded.ptr(y), out->stride);
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(out->error, sizeof out->error, "decode failed: %s", e.what());
    return 1;
  }
}

extern "C" __attribute__((visibility("default"))) void hashtriage_opencv_release(HashtriageOpenCvImage* image) {
  delete[] image->pixels;
  image->pixels = nullptr;
}

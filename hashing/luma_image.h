// LumaImage: a decoded picture reduced to one float luma plane (Y = 0.299 R + 0.587 G + 0.114 B,
// 0..255), row-major, which is all PDQ needs. It holds pixels only transiently while hashing:
// hashtriage never stores or displays them. Plain value type.
#pragma once

#include <cstdint>
#include <vector>

namespace hashtriage::hashing {

struct LumaImage {
  int width = 0;
  int height = 0;
  std::vector<float> pixels;  // width * height values, row-major

  float at(int row, int col) const { return pixels[static_cast<std::size_t>(row) * width + col]; }
};

// Nearest-neighbour resize with source index floor(dst * src_size / dst_size) on each axis, which is
// what CImg's resize (used by Meta's pdq-photo-hasher) does.
LumaImage ResizeNearest(const LumaImage& in, int new_width, int new_height);

}  // namespace hashtriage::hashing

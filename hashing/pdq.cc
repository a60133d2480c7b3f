#include "hashing/pdq.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace hashtriage::hashing {

namespace {

constexpr int kDownsampled = 64;
constexpr int kDctSize = 16;
constexpr int kJaroszPasses = 2;

using Block64 = std::array<std::array<float, kDownsampled>, kDownsampled>;
using Block16 = std::array<std::array<float, kDctSize>, kDctSize>;

// DCT-II basis rows 1..16 of a 64-point transform, scaled by sqrt(2/64), stored as float.
const std::array<std::array<float, kDownsampled>, kDctSize>& DctMatrix() {
  static const auto matrix = [] {
    std::array<std::array<float, kDownsampled>, kDctSize> m{};
    const double scale = std::sqrt(2.0 / kDownsampled);
    for (int i = 0; i < kDctSize; ++i) {
      for (int j = 0; j < kDownsampled; ++j) {
        m[i][j] = static_cast<float>(scale * std::cos((M_PI / 2.0 / kDownsampled) * (i + 1) * (2 * j + 1)));
      }
    }
    return m;
  }();
  return matrix;
}

// One centred moving-average pass of `window` samples along a strided vector. Near the ends the
// window is truncated and the average is over the samples actually covered.
void BoxFilter1D(const float* in, float* out, int length, int stride, int window) {
  const int half = (window + 2) / 2;
  const int warmup = half - 1;
  const int ramp_up = window - half + 1;
  const int steady = length - window;
  const int ramp_down = half - 1;
  float sum = 0.0f;
  int count = 0;
  const float* right = in;
  const float* left = in;
  float* dst = out;
  for (int i = 0; i < warmup; ++i, right += stride) {
    sum += *right;
    ++count;
  }
  for (int i = 0; i < ramp_up; ++i, right += stride, dst += stride) {
    sum += *right;
    ++count;
    *dst = sum / count;
  }
  for (int i = 0; i < steady; ++i, right += stride, left += stride, dst += stride) {
    sum += *right;
    sum -= *left;
    *dst = sum / count;
  }
  for (int i = 0; i < ramp_down; ++i, left += stride, dst += stride) {
    sum -= *left;
    --count;
    *dst = sum / count;
  }
}

// Two passes of (rows then columns) box filtering; result ends in `a`, `b` is scratch.
void JaroszFilter(float* a, float* b, int rows, int cols, int window_along_rows, int window_along_cols) {
  for (int pass = 0; pass < kJaroszPasses; ++pass) {
    for (int r = 0; r < rows; ++r) {
      BoxFilter1D(a + static_cast<std::size_t>(r) * cols, b + static_cast<std::size_t>(r) * cols, cols, 1,
                  window_along_rows);
    }
    for (int c = 0; c < cols; ++c) BoxFilter1D(b + c, a + c, rows, cols, window_along_cols);
  }
}

void Decimate(const float* in, int rows, int cols, Block64& out) {
  for (int i = 0; i < kDownsampled; ++i) {
    const int src_row = static_cast<int>((i + 0.5) * rows / kDownsampled);
    for (int j = 0; j < kDownsampled; ++j) {
      const int src_col = static_cast<int>((j + 0.5) * cols / kDownsampled);
      out[i][j] = in[static_cast<std::size_t>(src_row) * cols + src_col];
    }
  }
}

int Quality(const Block64& b) {
  int gradient_sum = 0;
  for (int i = 0; i < kDownsampled - 1; ++i) {
    for (int j = 0; j < kDownsampled; ++j) {
      const float d = ((b[i][j] - b[i + 1][j]) * 100) / 255;
      gradient_sum += static_cast<int>(std::fabs(d));
    }
  }
  for (int i = 0; i < kDownsampled; ++i) {
    for (int j = 0; j < kDownsampled - 1; ++j) {
      const float d = ((b[i][j] - b[i][j + 1]) * 100) / 255;
      gradient_sum += static_cast<int>(std::fabs(d));
    }
  }
  return std::min(gradient_sum / 90, 100);
}

// B = D * A * D^T with D the 16x64 DCT matrix.
void Dct64To16(const Block64& a, Block16& out) {
  const auto& d = DctMatrix();
  std::array<std::array<float, kDownsampled>, kDctSize> t;
  for (int i = 0; i < kDctSize; ++i) {
    for (int j = 0; j < kDownsampled; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < kDownsampled; ++k) sum += d[i][k] * a[k][j];
      t[i][j] = sum;
    }
  }
  for (int i = 0; i < kDctSize; ++i) {
    for (int j = 0; j < kDctSize; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < kDownsampled; ++k) sum += t[i][k] * d[j][k];
      out[i][j] = sum;
    }
  }
}

// Bit 16*i + j is set when coefficient (i, j) is above the median (the 128th smallest of 256).
PdqHash ThresholdAtMedian(const Block16& b) {
  std::array<float, kDctSize * kDctSize> values;
  for (int i = 0; i < kDctSize; ++i) {
    for (int j = 0; j < kDctSize; ++j) values[i * kDctSize + j] = b[i][j];
  }
  auto median_it = values.begin() + (values.size() / 2 - 1);
  std::nth_element(values.begin(), median_it, values.end());
  const float median = *median_it;
  PdqHash hash;
  for (int i = 0; i < kDctSize; ++i) {
    for (int j = 0; j < kDctSize; ++j) {
      if (b[i][j] > median) hash.SetBit(i * kDctSize + j);
    }
  }
  return hash;
}

// Mirroring an axis multiplies DCT coefficient k (frequency k+1) by (-1)^(k+1): odd frequencies flip.
float MirrorSign(int k) { return (k & 1) ? 1.0f : -1.0f; }

Block16 DihedralVariant(const Block16& b, Dihedral d) {
  Block16 out;
  for (int i = 0; i < kDctSize; ++i) {
    for (int j = 0; j < kDctSize; ++j) {
      float v = 0;
      switch (d) {
        case Dihedral::kOriginal: v = b[i][j]; break;
        case Dihedral::kRotate90: v = b[j][i] * MirrorSign(i); break;
        case Dihedral::kRotate180: v = b[i][j] * MirrorSign(i) * MirrorSign(j); break;
        case Dihedral::kRotate270: v = b[j][i] * MirrorSign(j); break;
        // Meta's naming: flipX mirrors about the horizontal (x) axis, i.e. reverses the rows.
        case Dihedral::kFlipX: v = b[i][j] * MirrorSign(i); break;
        case Dihedral::kFlipY: v = b[i][j] * MirrorSign(j); break;
        case Dihedral::kFlipPlus1: v = b[j][i]; break;
        case Dihedral::kFlipMinus1: v = b[j][i] * MirrorSign(i) * MirrorSign(j); break;
      }
      out[i][j] = v;
    }
  }
  return out;
}

// Downsample + DCT shared by the plain and dihedral entry points.
struct DctOutcome {
  Block16 dct;
  int quality;
};

DctOutcome ComputeDct(const LumaImage& image) {
  const int rows = image.height;
  const int cols = image.width;
  Block64 block{};
  if (rows <= 0 || cols <= 0) return {Block16{}, 0};
  std::vector<float> a(image.pixels.begin(), image.pixels.end());
  std::vector<float> b(a.size());
  JaroszFilter(a.data(), b.data(), rows, cols, pdq_internal::JaroszWindowSize(cols, kDownsampled),
               pdq_internal::JaroszWindowSize(rows, kDownsampled));
  Decimate(a.data(), rows, cols, block);
  DctOutcome out;
  out.quality = Quality(block);
  Dct64To16(block, out.dct);
  return out;
}

}  // namespace

namespace pdq_internal {
int JaroszWindowSize(int old_dim, int new_dim) { return (old_dim + 2 * new_dim - 1) / (2 * new_dim); }
}  // namespace pdq_internal

PdqResult ComputePdq(const LumaImage& image) {
  const DctOutcome dct = ComputeDct(image);
  return PdqResult{ThresholdAtMedian(dct.dct), dct.quality};
}

PdqDihedralResult ComputePdqDihedral(const LumaImage& image) {
  const DctOutcome dct = ComputeDct(image);
  PdqDihedralResult out;
  out.quality = dct.quality;
  for (int d = 0; d < kDihedralCount; ++d) {
    out.hashes[d] = ThresholdAtMedian(DihedralVariant(dct.dct, static_cast<Dihedral>(d)));
  }
  return out;
}

LumaImage ResizeNearest(const LumaImage& in, int new_width, int new_height) {
  LumaImage out;
  out.width = new_width;
  out.height = new_height;
  out.pixels.resize(static_cast<std::size_t>(new_width) * new_height);
  std::vector<int> src_cols(new_width);
  for (int x = 0; x < new_width; ++x) {
    src_cols[x] = static_cast<int>(static_cast<std::uint64_t>(x) * in.width / new_width);
  }
  for (int y = 0; y < new_height; ++y) {
    const int src_row = static_cast<int>(static_cast<std::uint64_t>(y) * in.height / new_height);
    const float* src = in.pixels.data() + static_cast<std::size_t>(src_row) * in.width;
    float* dst = out.pixels.data() + static_cast<std::size_t>(y) * new_width;
    for (int x = 0; x < new_width; ++x) dst[x] = src[src_cols[x]];
  }
  return out;
}

LumaImage ApplyPdqPhotoHasherResize(const LumaImage& image) {
  constexpr int kHasherSide = 512;
  if (image.width <= kHasherSide && image.height <= kHasherSide) return image;
  return ResizeNearest(image, kHasherSide, kHasherSide);
}

}  // namespace hashtriage::hashing

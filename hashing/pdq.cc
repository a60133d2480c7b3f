#include "hashing/pdq.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <vector>

#include <xmmintrin.h>

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

constexpr int kRowBlock = 8;

// Eight lanes as one value (GCC vector extension): one AVX instruction per step in the AVX2 clone,
// two SSE ones otherwise; per lane the same IEEE operation as the scalar code.
// UnalignedLanes reads or writes eight floats anywhere (no alignment, may alias float).
using Lanes = float __attribute__((vector_size(kRowBlock * sizeof(float))));
using UnalignedLanes = float __attribute__((vector_size(kRowBlock * sizeof(float)), aligned(4), may_alias));

// Sliding-window row arithmetic, cloned for AVX2 and picked at run time. Per element these are
// exactly the reference's operations: sum += right; sum -= left; out = sum / count.
__attribute__((target_clones("avx2", "default"))) void AddRow(float* sums, const float* right, int n) {
  for (int i = 0; i < n; ++i) sums[i] += right[i];
}
__attribute__((target_clones("avx2", "default"))) void AddSubtractRow(float* sums, const float* right,
                                                                      const float* left, int n) {
  for (int i = 0; i < n; ++i) {
    sums[i] += right[i];
    sums[i] -= left[i];
  }
}
__attribute__((target_clones("avx2", "default"))) void SubtractRow(float* sums, const float* left, int n) {
  for (int i = 0; i < n; ++i) sums[i] -= left[i];
}
__attribute__((target_clones("avx2", "default"))) void DivideRow(float* out, const float* sums, float count, int n) {
  for (int i = 0; i < n; ++i) out[i] = sums[i] / count;
}

// The 1-D centred box filter of the reference (window truncated near the ends, average over the
// samples covered) run on kRowBlock image rows at once: `in` is lane-minor [length][kRowBlock].
// Per lane these are exactly the reference's operations (sum += right; sum -= left; out = sum /
// count), each step one vector instruction in the AVX2 clone. Every output goes to out[position *
// kRowBlock + lane]; or, given `at` (ascending positions, repeats allowed), only those, packed:
// out[j * kRowBlock + lane] is the output at position at[j]. The sums see the same operations
// either way, so a kept output is the same float.
__attribute__((target_clones("avx2", "default"))) void BoxFilterRowBlock(const float* in, float* out, int length,
                                                                         int window, const int* at, int n_at) {
  const int half = (window + 2) / 2;
  const int warmup = half - 1;
  const int ramp_up = window - half + 1;
  const int steady = length - window;
  const int ramp_down = half - 1;
  Lanes sums = {};
  int count = 0;
  int position = 0;  // of the next output
  int next = 0;      // index into `at`
  const float* right = in;
  const float* left = in;
  auto keep = [&](float c) {
    if (at == nullptr) {
      *reinterpret_cast<UnalignedLanes*>(out + static_cast<std::ptrdiff_t>(position) * kRowBlock) = sums / c;
    }
    for (; at != nullptr && next < n_at && at[next] == position; ++next) {
      *reinterpret_cast<UnalignedLanes*>(out + static_cast<std::ptrdiff_t>(next) * kRowBlock) = sums / c;
    }
    ++position;
  };
  for (int i = 0; i < warmup; ++i, right += kRowBlock) {
    sums += *reinterpret_cast<const UnalignedLanes*>(right);
    ++count;
  }
  for (int i = 0; i < ramp_up; ++i, right += kRowBlock) {
    sums += *reinterpret_cast<const UnalignedLanes*>(right);
    ++count;
    keep(static_cast<float>(count));
  }
  const float full = static_cast<float>(count);
  for (int i = 0; i < steady; ++i, right += kRowBlock, left += kRowBlock) {
    sums += *reinterpret_cast<const UnalignedLanes*>(right);
    sums -= *reinterpret_cast<const UnalignedLanes*>(left);
    keep(full);
  }
  for (int i = 0; i < ramp_down; ++i, left += kRowBlock) {
    sums -= *reinterpret_cast<const UnalignedLanes*>(left);
    --count;
    keep(static_cast<float>(count));
  }
}

// Filters up to kRowBlock rows along their length: rows are transposed (4x4 SSE blocks) into a
// lane-minor scratch so the filter runs on 8 rows per instruction, then transposed back.
class RowBlockFilter {
 public:
  RowBlockFilter(int cols, int window)
      : cols_(cols), window_(window),
        in_(std::make_unique<float[]>(static_cast<std::size_t>(cols) * kRowBlock)),
        // FilterAt packs one output per requested column: up to kDownsampled, which may be more
        // than `cols` (a picture under 64 px wide samples some columns twice).
        out_(std::make_unique_for_overwrite<float[]>(static_cast<std::size_t>(std::max(cols, kDownsampled)) *
                                                     kRowBlock)) {}

  void Filter(const float* const* src, float* const* dst, int n) {
    Gather(src, n);
    BoxFilterRowBlock(in_.get(), out_.get(), cols_, window_, nullptr, 0);
    Scatter(dst, n);
  }

  // Only the outputs at columns `at` (ascending, n_at <= kDownsampled): dst[k][j] is row k's output
  // at column at[j].
  void FilterAt(const float* const* src, float* const* dst, int n, const int* at, int n_at) {
    Gather(src, n);
    BoxFilterRowBlock(in_.get(), out_.get(), cols_, window_, at, n_at);
    for (int j = 0; j < n_at; ++j) {
      for (int l = 0; l < n; ++l) dst[l][j] = out_[static_cast<std::size_t>(j) * kRowBlock + l];
    }
  }

 private:
  void Gather(const float* const* src, int n) {
    int c = 0;
    if (n == kRowBlock) {
      for (; c + 4 <= cols_; c += 4) {
        for (int half = 0; half < kRowBlock; half += 4) {
          __m128 r0 = _mm_loadu_ps(src[half] + c), r1 = _mm_loadu_ps(src[half + 1] + c);
          __m128 r2 = _mm_loadu_ps(src[half + 2] + c), r3 = _mm_loadu_ps(src[half + 3] + c);
          _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
          float* d = in_.get() + static_cast<std::size_t>(c) * kRowBlock + half;
          _mm_storeu_ps(d, r0);
          _mm_storeu_ps(d + kRowBlock, r1);
          _mm_storeu_ps(d + 2 * kRowBlock, r2);
          _mm_storeu_ps(d + 3 * kRowBlock, r3);
        }
      }
    }
    for (; c < cols_; ++c) {
      for (int l = 0; l < kRowBlock; ++l) in_[static_cast<std::size_t>(c) * kRowBlock + l] = l < n ? src[l][c] : 0.0f;
    }
  }

  void Scatter(float* const* dst, int n) {
    int c = 0;
    if (n == kRowBlock) {
      for (; c + 4 <= cols_; c += 4) {
        for (int half = 0; half < kRowBlock; half += 4) {
          const float* s = out_.get() + static_cast<std::size_t>(c) * kRowBlock + half;
          __m128 c0 = _mm_loadu_ps(s), c1 = _mm_loadu_ps(s + kRowBlock);
          __m128 c2 = _mm_loadu_ps(s + 2 * kRowBlock), c3 = _mm_loadu_ps(s + 3 * kRowBlock);
          _MM_TRANSPOSE4_PS(c0, c1, c2, c3);
          _mm_storeu_ps(dst[half] + c, c0);
          _mm_storeu_ps(dst[half + 1] + c, c1);
          _mm_storeu_ps(dst[half + 2] + c, c2);
          _mm_storeu_ps(dst[half + 3] + c, c3);
        }
      }
    }
    for (; c < cols_; ++c) {
      for (int l = 0; l < n; ++l) dst[l][c] = out_[static_cast<std::size_t>(c) * kRowBlock + l];
    }
  }

  int cols_;
  int window_;
  std::unique_ptr<float[]> in_;
  std::unique_ptr<float[]> out_;
};

// The reference's box filter down the columns, streamed: rows are pushed in order into a small
// ring (window + kRowBlock + 1 rows) and each output row is ready as soon as its window is summed.
// Per column the running sum sees the reference's operations in the reference's order.
class ColumnFilterStream {
 public:
  ColumnFilterStream(int rows, int cols, int window)
      : rows_(rows), cols_(cols), window_(window), warmup_((window + 2) / 2 - 1),
        capacity_(window + kRowBlock + 1),
        ring_(std::make_unique_for_overwrite<float[]>(static_cast<std::size_t>(capacity_) * cols)),
        sums_(std::make_unique<float[]>(cols)) {}

  // Where input row r is to be written before Push().
  float* Slot(int r) { return ring_.get() + static_cast<std::size_t>(r % capacity_) * cols_; }

  // Adds the next input row (already written to its Slot). True when an output row is ready.
  bool Push() {
    const int r = pushed_++;
    if (r < window_) {
      AddRow(sums_.get(), Slot(r), cols_);
      count_ = r + 1;
    } else {
      AddSubtractRow(sums_.get(), Slot(r), Slot(r - window_), cols_);
    }
    return r >= warmup_;
  }

  // After every row is pushed: true while output rows remain; each call readies the next one.
  bool Drain() {
    if (drained_ >= warmup_) return false;
    SubtractRow(sums_.get(), Slot(rows_ - window_ + drained_), cols_);
    --count_;
    ++drained_;
    return true;
  }

  // The ready output row, or selected columns of it.
  void EmitRow(float* out) const { DivideRow(out, sums_.get(), static_cast<float>(count_), cols_); }
  float EmitColumn(int c) const { return sums_[c] / static_cast<float>(count_); }
  // Index of the output row made ready by the last Push() or Drain().
  int ReadyRow() const { return pushed_ < rows_ || drained_ == 0 ? pushed_ - 1 - warmup_ : rows_ - warmup_ + drained_ - 1; }

 private:
  int rows_, cols_, window_, warmup_, capacity_;
  std::unique_ptr<float[]> ring_;
  std::unique_ptr<float[]> sums_;
  int pushed_ = 0;
  int drained_ = 0;
  int count_ = 0;
};

// Jarosz filter (two passes of row box filter then column box filter) followed by sampling the
// 64x64 grid, as one streaming computation: only a few rows are ever held; the second row pass
// keeps only the 64 sampled columns, so the last column pass runs on those alone and divides only
// at the sampled rows. Equivalent, value for value, to filtering whole buffers and then decimating.
void JaroszDownsample(const float* luma, int rows, int cols, int window_along_rows, int window_along_cols,
                      Block64& out) {
  std::array<int, kDownsampled> sample_row, sample_col;
  for (int i = 0; i < kDownsampled; ++i) {
    sample_row[i] = static_cast<int>((i + 0.5) * rows / kDownsampled);
    sample_col[i] = static_cast<int>((i + 0.5) * cols / kDownsampled);
  }
  RowBlockFilter row_filter(cols, window_along_rows);
  ColumnFilterStream first(rows, cols, window_along_cols);
  ColumnFilterStream second(rows, kDownsampled, window_along_cols);
  auto staging = std::make_unique_for_overwrite<float[]>(static_cast<std::size_t>(cols) * kRowBlock);
  int staged = 0;
  int second_pushed = 0;
  int next_sample = 0;

  auto take_samples = [&]() {
    const int row = second.ReadyRow();
    while (next_sample < kDownsampled && sample_row[next_sample] == row) {
      for (int j = 0; j < kDownsampled; ++j) out[next_sample][j] = second.EmitColumn(j);
      ++next_sample;
    }
  };
  auto flush_staging = [&]() {
    if (staged == 0) return;
    const float* src[kRowBlock];
    float* dst[kRowBlock];
    for (int k = 0; k < staged; ++k) {
      src[k] = staging.get() + static_cast<std::size_t>(k) * cols;
      dst[k] = second.Slot(second_pushed + k);
    }
    row_filter.FilterAt(src, dst, staged, sample_col.data(), kDownsampled);
    for (int k = 0; k < staged; ++k) {
      ++second_pushed;
      if (second.Push()) take_samples();
    }
    staged = 0;
  };
  auto stage_first_output = [&]() {
    first.EmitRow(staging.get() + static_cast<std::size_t>(staged) * cols);
    if (++staged == kRowBlock) flush_staging();
  };

  for (int r0 = 0; r0 < rows; r0 += kRowBlock) {
    const int n = std::min(kRowBlock, rows - r0);
    const float* src[kRowBlock];
    float* dst[kRowBlock];
    for (int k = 0; k < n; ++k) {
      src[k] = luma + static_cast<std::size_t>(r0 + k) * cols;
      dst[k] = first.Slot(r0 + k);
    }
    row_filter.Filter(src, dst, n);
    for (int k = 0; k < n; ++k) {
      if (first.Push()) stage_first_output();
    }
  }
  while (first.Drain()) stage_first_output();
  flush_staging();
  while (second.Drain()) take_samples();
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

// B = D * A * D^T with D the 16x64 DCT matrix. Loops run over k outside j so they vectorise
// across j, while every element still sums its products in ascending k from 0, as the reference.
void Dct64To16(const Block64& a, Block16& out) {
  const auto& d = DctMatrix();
  std::array<std::array<float, kDownsampled>, kDctSize> t{};
  for (int i = 0; i < kDctSize; ++i) {
    for (int k = 0; k < kDownsampled; ++k) {
      const float dik = d[i][k];
      for (int j = 0; j < kDownsampled; ++j) t[i][j] += dik * a[k][j];
    }
  }
  std::array<std::array<float, kDctSize>, kDownsampled> d_transposed;
  for (int j = 0; j < kDctSize; ++j)
    for (int k = 0; k < kDownsampled; ++k) d_transposed[k][j] = d[j][k];
  for (int i = 0; i < kDctSize; ++i) {
    std::array<float, kDctSize> row{};
    for (int k = 0; k < kDownsampled; ++k) {
      const float tik = t[i][k];
      for (int j = 0; j < kDctSize; ++j) row[j] += tik * d_transposed[k][j];
    }
    out[i] = row;
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
  JaroszDownsample(image.pixels.data(), rows, cols, pdq_internal::JaroszWindowSize(cols, kDownsampled),
                   pdq_internal::JaroszWindowSize(rows, kDownsampled), block);
  DctOutcome out;
  out.quality = Quality(block);
  Dct64To16(block, out.dct);
  return out;
}

}  // namespace

namespace pdq_internal {
int JaroszWindowSize(int old_dim, int new_dim) { return (old_dim + 2 * new_dim - 1) / (2 * new_dim); }

Block16 DctOfSamples(const Block64& samples) {
  Block16 out;
  Dct64To16(samples, out);
  return out;
}

int QualityOfSamples(const Block64& samples) { return Quality(samples); }

Block64 JaroszSamples(const LumaImage& image) {
  Block64 block{};
  if (image.width <= 0 || image.height <= 0) return block;
  JaroszDownsample(image.pixels.data(), image.height, image.width, JaroszWindowSize(image.width, kDownsampled),
                   JaroszWindowSize(image.height, kDownsampled), block);
  return block;
}
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

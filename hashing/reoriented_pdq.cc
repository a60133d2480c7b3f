#include "hashing/reoriented_pdq.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "hashing/pdq.h"

namespace hashtriage::hashing {
namespace {

constexpr int kGrid = 64;  // PDQ's downsampled size
constexpr int kDct = 16;   // DCT rows/columns 1..16 make the 256 bits

// The 64 samples of PDQ's Jarosz downsample along one axis of n pixels (hashing/pdq.cc), as weights
// on the pixels: two passes of the reference box (window w = JaroszWindowSize(n, 64); the box
// [x - before, x + after] clipped to the axis, averaged) read at floor((k + 0.5) n / 64) make one
// tent per sample. `mirrored`: the same for the axis reversed, in unreversed coordinates (the
// reversed axis's sample k, its box mirrored).
struct AxisTaps {
  std::array<int, kGrid> first{};                // first pixel of sample k's support
  std::array<std::size_t, kGrid + 1> offset{};  // sample k's weights: weights[offset[k] .. offset[k + 1])
  std::vector<float> weights;
};

AxisTaps Taps(int n, bool mirrored) {
  const int window = pdq_internal::JaroszWindowSize(n, kGrid);
  const int half = (window + 2) / 2;
  int before = window - half;
  int after = half - 1;
  if (mirrored) std::swap(before, after);
  AxisTaps taps;
  std::vector<double> w;
  for (int k = 0; k < kGrid; ++k) {
    int p = static_cast<int>((k + 0.5) * n / kGrid);
    if (mirrored) p = n - 1 - p;
    // Second pass: first-pass positions [lo2, hi2); each averages pixels [lo1, hi1). Each adds
    // 1 / (hi1 - lo1) over its box: as steps at the box's ends, summed once (linear in the window).
    const int lo2 = std::max(0, p - before);
    const int hi2 = std::min(n, p + after + 1);
    const int first = std::max(0, lo2 - before);
    const int last = std::min(n, hi2 + after);
    w.assign(static_cast<std::size_t>(last - first) + 1, 0.0);
    for (int r = lo2; r < hi2; ++r) {
      const int lo1 = std::max(0, r - before);
      const int hi1 = std::min(n, r + after + 1);
      const double step = 1.0 / (hi1 - lo1);
      w[static_cast<std::size_t>(lo1 - first)] += step;
      w[static_cast<std::size_t>(hi1 - first)] -= step;
    }
    taps.first[static_cast<std::size_t>(k)] = first;
    double level = 0;
    for (int i = first; i < last; ++i) {
      level += w[static_cast<std::size_t>(i - first)];
      taps.weights.push_back(static_cast<float>(level / (hi2 - lo2)));
    }
    taps.offset[static_cast<std::size_t>(k) + 1] = taps.weights.size();
  }
  return taps;
}

// dst += w * src, n floats; cloned for AVX2 (a multiply and an add per 8 floats, no fused
// multiply-add, so every clone gives the same floats).
__attribute__((target_clones("avx2", "default"))) void AddScaledRow(float* __restrict dst, const float* __restrict src,
                                                                    float w, int n) {
  for (int i = 0; i < n; ++i) dst[i] += w * src[i];
}

__attribute__((target_clones("avx2", "default"))) void ScaledRow(float* __restrict dst, const float* __restrict src,
                                                                 float w, int n) {
  for (int i = 0; i < n; ++i) dst[i] = w * src[i];
}

// out (64 x n, room for it given) = the 64 samples of `taps` over the rows of `plane` (rows x n): row k is the weighted
// sum of the plane rows in sample k's support (never empty).
void SampleRows(const float* plane, int n, const AxisTaps& taps, float* out) {
  for (int k = 0; k < kGrid; ++k) {
    float* dst = out + static_cast<std::size_t>(k) * n;
    const std::size_t begin = taps.offset[static_cast<std::size_t>(k)];
    const std::size_t end = taps.offset[static_cast<std::size_t>(k) + 1];
    const float* src = plane + static_cast<std::size_t>(taps.first[static_cast<std::size_t>(k)]) * n;
    ScaledRow(dst, src, taps.weights[begin], n);
    src += n;
    for (std::size_t t = begin + 1; t < end; ++t, src += n) AddScaledRow(dst, src, taps.weights[t], n);
  }
}

// In tiles, so that reads and writes both stay within a few cache lines at a time.
void Transpose(const std::vector<float>& m, int rows, int cols, std::vector<float>& out) {
  constexpr int kTile = 16;
  out.resize(m.size());
  for (int r0 = 0; r0 < rows; r0 += kTile) {
    const int r1 = std::min(rows, r0 + kTile);
    for (int c0 = 0; c0 < cols; c0 += kTile) {
      const int c1 = std::min(cols, c0 + kTile);
      for (int c = c0; c < c1; ++c) {
        float* dst = out.data() + static_cast<std::size_t>(c) * rows;
        for (int r = r0; r < r1; ++r) dst[r] = m[static_cast<std::size_t>(r) * cols + c];
      }
    }
  }
}

// PDQ's hash of 64x64 samples (hashing/pdq.cc's DCT; bit 16 i + j set above the median coefficient)
// and of the transposed samples, which share the median.
std::pair<PdqHash, PdqHash> GridHashes(const pdq_internal::Samples64& grid) {
  const pdq_internal::Dct16 b = pdq_internal::DctOfSamples(grid);
  std::array<float, kDct * kDct> sorted;
  for (int i = 0; i < kDct; ++i) std::copy(b[i].begin(), b[i].end(), sorted.begin() + i * kDct);
  std::nth_element(sorted.begin(), sorted.begin() + (sorted.size() / 2 - 1), sorted.end());
  const float median = sorted[sorted.size() / 2 - 1];
  std::pair<PdqHash, PdqHash> out;
  for (int i = 0; i < kDct; ++i) {
    for (int j = 0; j < kDct; ++j) {
      if (b[i][j] > median) out.first.SetBit(i * kDct + j), out.second.SetBit(j * kDct + i);
    }
  }
  return out;
}

PdqDihedralResult Reoriented(const LumaImage& image, bool unflipped) {
  PdqDihedralResult out;
  if (image.width <= 0 || image.height <= 0) return out;
  // For each pair of axis reversals (rows, columns), the orientations it serves: transposes are exact
  // in the DCT (PDQ treats rows and columns alike), so they are the transposed grid's hashes. Meta's
  // naming (hashing/pdq.cc, DihedralVariant): kFlipX reverses the rows, kFlipY the columns, kRotate90
  // is the transpose with its rows reversed (= the columns reversed, then transposed).
  constexpr Dihedral kServes[2][2][2] = {{{Dihedral::kOriginal, Dihedral::kFlipPlus1}, {Dihedral::kFlipY, Dihedral::kRotate90}},
                                         {{Dihedral::kFlipX, Dihedral::kRotate270}, {Dihedral::kRotate180, Dihedral::kFlipMinus1}}};
  const int rows = image.height;
  const int cols = image.width;
  const std::array<AxisTaps, 2> down = {Taps(rows, false), Taps(rows, true)};
  const std::array<AxisTaps, 2> across = {Taps(cols, false), Taps(cols, true)};
  // Scratch reused by every call on this thread (tens to hundreds of KiB; allocating it per picture
  // costs page faults when the allocator hands the memory back).
  thread_local std::vector<float> sampled, sampled_t;
  pdq_internal::Samples64 grid_t;
  for (int flip_rows = 0; flip_rows < 2; ++flip_rows) {
    // 64 sample rows, transposed to cols x 64 so that the pass across runs along contiguous memory
    // and yields the transposed grid (64 column samples x 64 row samples).
    sampled.resize(static_cast<std::size_t>(kGrid) * cols);
    SampleRows(image.pixels.data(), cols, down[static_cast<std::size_t>(flip_rows)], sampled.data());
    Transpose(sampled, kGrid, cols, sampled_t);
    for (int flip_cols = 0; flip_cols < 2; ++flip_cols) {
      if (!unflipped && !flip_rows && !flip_cols) continue;
      SampleRows(sampled_t.data(), kGrid, across[static_cast<std::size_t>(flip_cols)], grid_t[0].data());
      const auto [of_transposed, of_grid] = GridHashes(grid_t);
      out.hashes[static_cast<std::size_t>(kServes[flip_rows][flip_cols][0])] = of_grid;
      out.hashes[static_cast<std::size_t>(kServes[flip_rows][flip_cols][1])] = of_transposed;
      // PDQ's quality is the same for the transposed samples.
      if (!flip_rows && !flip_cols) out.quality = pdq_internal::QualityOfSamples(grid_t);
    }
  }
  return out;
}

PdqHash TransposedBits(const PdqHash& h) {
  PdqHash out;
  for (int i = 0; i < kDct; ++i) {
    for (int j = 0; j < kDct; ++j) {
      if (h.GetBit(i * kDct + j)) out.SetBit(j * kDct + i);
    }
  }
  return out;
}

// The first pass keeps 64 rows of the picture's width: more than the picture itself when it has
// fewer than 64 rows (a hostile 50,000,000 x 1 PNG would need gigabytes). Such a picture is sampled
// through its transpose: turning the transpose by d is transposing the picture turned by d with the
// axes' roles swapped (mirror of rows <-> of columns, quarter turns reversed), and PDQ treats rows
// and columns alike, so each hash is the transposed bit grid of the transpose's.
PdqDihedralResult ReorientedOfAnyShape(const LumaImage& image, bool unflipped) {
  if (image.height >= kGrid || image.width <= image.height) return Reoriented(image, unflipped);
  LumaImage transposed;
  transposed.width = image.height;
  transposed.height = image.width;
  Transpose(image.pixels, image.height, image.width, transposed.pixels);
  const PdqDihedralResult of_transposed = Reoriented(transposed, unflipped);
  constexpr Dihedral kSwapped[kDihedralCount] = {Dihedral::kOriginal, Dihedral::kRotate270, Dihedral::kRotate180,
                                                 Dihedral::kRotate90, Dihedral::kFlipY,     Dihedral::kFlipX,
                                                 Dihedral::kFlipPlus1, Dihedral::kFlipMinus1};
  PdqDihedralResult out;
  out.quality = of_transposed.quality;
  for (int d = 0; d < kDihedralCount; ++d) {
    if (!unflipped && (d == static_cast<int>(Dihedral::kOriginal) || d == static_cast<int>(Dihedral::kFlipPlus1))) continue;
    out.hashes[static_cast<std::size_t>(d)] =
        TransposedBits(of_transposed.hashes[static_cast<std::size_t>(kSwapped[d])]);
  }
  return out;
}

}  // namespace

PdqDihedralResult ComputePdqReoriented(const LumaImage& image) { return ReorientedOfAnyShape(image, true); }

PdqDihedralResult ComputePdqReorientedMirrored(const LumaImage& image) { return ReorientedOfAnyShape(image, false); }

}  // namespace hashtriage::hashing

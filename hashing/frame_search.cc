#include "hashing/frame_search.h"

#include <algorithm>
#include <cmath>

#include "hashing/pdq.h"

namespace hashtriage::hashing {
namespace {

float MedianOf(std::vector<float> v) {
  if (v.empty()) return 0.0f;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Border colour of one side: the median of the image's outermost row (horizontal) or column.
float SideColour(const LumaImage& im, bool row, int index) {
  std::vector<float> v;
  const int n = row ? im.width : im.height;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(row ? im.at(index, i) : im.at(i, index));
  return MedianOf(std::move(v));
}

// Fraction of the pixels of a row (or column) segment farther than `tol` from `colour`.
float Contrast(const LumaImage& im, bool row, int index, int from, int to, float colour, float tol) {
  if (to <= from) return 0.0f;
  int off = 0;
  for (int i = from; i < to; ++i) off += std::fabs((row ? im.at(index, i) : im.at(i, index)) - colour) > tol;
  return static_cast<float>(off) / static_cast<float>(to - from);
}

// The frame of canvas aspect `width` wide, centred (an odd leftover split with the extra pixel after
// the frame, or before it when `extra_before`), or nothing when it does not hold `content` (one pixel
// of slack per side for ringing at a visible picture edge).
bool CentredFrame(int canvas_w, int canvas_h, int width, bool extra_before, const TrimBox& content, TrimBox& frame) {
  const int height = static_cast<int>(std::lround(static_cast<double>(width) * canvas_h / canvas_w));
  if (height < 1 || height > canvas_h) return false;
  const int round_up = extra_before ? 1 : 0;
  frame.left = (canvas_w - width + round_up) / 2;
  frame.top = (canvas_h - height + round_up) / 2;
  frame.right = frame.left + width;
  frame.bottom = frame.top + height;
  constexpr int kSlack = 1;
  return frame.left <= content.left + kSlack && frame.top <= content.top + kSlack &&
         frame.right >= content.right - kSlack && frame.bottom >= content.bottom - kSlack;
}

}  // namespace

std::array<float, 4> ContentEdgeContrast(const LumaImage& im, const TrimBox& b, const TrimOptions& trim) {
  if (b.width() <= 0 || b.height() <= 0) return {0, 0, 0, 0};
  const float t = trim.tolerance;
  return {Contrast(im, true, b.top, b.left, b.right, SideColour(im, true, 0), t),
          Contrast(im, true, b.bottom - 1, b.left, b.right, SideColour(im, true, im.height - 1), t),
          Contrast(im, false, b.left, b.top, b.bottom, SideColour(im, false, 0), t),
          Contrast(im, false, b.right - 1, b.top, b.bottom, SideColour(im, false, im.width - 1), t)};
}

std::vector<PdqHash> ComputeFrameHypotheses(const LumaImage& full, const TrimBox& full_box, const TrimOptions& trim,
                                            const FrameSearchOptions& options) {
  std::vector<PdqHash> out;
  if (options.max_frames <= 0) return out;
  // Padding on all four sides, and some content edge merged with it.
  if (full_box.left <= 0 || full_box.top <= 0 || full_box.right >= full.width || full_box.bottom >= full.height) {
    return out;
  }
  // An axis whose two content edges both merged has an unknown extent; with one edge visible, the
  // equal-margin box (ComputeQueryVariants) already restores the other.
  const auto contrast = ContentEdgeContrast(full, full_box, trim);
  const auto weak = [&](int side) { return contrast[static_cast<std::size_t>(side)] < options.strong_edge; };
  if (!(weak(0) && weak(1)) && !(weak(2) && weak(3))) return out;
  // Hypotheses on a working copy (its pixel is the finest step); the content box is re-found there.
  const LumaImage image = DownscaleLuma(full, options.work_side);
  const TrimBox box = FindUniformBorders(image, trim);
  // Each size that holds the content, placed as editors centre it: the odd pixel of the leftover
  // after the frame (most) or before it (some); both when they differ.
  std::vector<std::vector<TrimBox>> sizes;
  for (int w = 1; w < image.width; ++w) {
    std::vector<TrimBox> placements;
    for (const bool extra_before : {false, true}) {
      TrimBox f;
      if (CentredFrame(image.width, image.height, w, extra_before, box, f) &&
          (placements.empty() || !(placements.front() == f))) {
        placements.push_back(f);
      }
    }
    if (!placements.empty()) sizes.push_back(std::move(placements));
  }
  const std::size_t n = std::min(sizes.size(), static_cast<std::size_t>(options.max_frames));
  const int canvas_side = std::max(image.width, image.height);
  for (std::size_t i = 0; i < n; ++i) {
    // Evenly spaced over the sizes that fit, from the tightest frame up.
    const std::size_t k = n == sizes.size() ? i : i * (sizes.size() - 1) / std::max<std::size_t>(1, n - 1);
    for (const TrimBox& f : sizes[k]) {
      out.push_back(ComputePdq(UpscaleLuma(CropLuma(image, f), canvas_side)).hash);
    }
  }
  return out;
}

}  // namespace hashtriage::hashing

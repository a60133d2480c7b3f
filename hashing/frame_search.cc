#include "hashing/frame_search.h"

#include <algorithm>
#include <cmath>

#include "hashing/pdq.h"

namespace hashtriage::hashing {
namespace {

// The frames of canvas aspect `width` wide, centred, that hold `content` (one pixel of slack per side
// for ringing at a visible picture edge): an odd leftover is split with the extra pixel after the
// frame (most editors) and before it (some), so two frames when they differ.
std::vector<TrimBox> CentredFrames(int canvas_w, int canvas_h, int width, const TrimBox& content) {
  std::vector<TrimBox> out;
  const int height = static_cast<int>(std::lround(static_cast<double>(width) * canvas_h / canvas_w));
  if (height < 1 || height > canvas_h) return out;
  constexpr int kSlack = 1;
  for (const int extra_before : {0, 1}) {
    const int left = (canvas_w - width + extra_before) / 2;
    const int top = (canvas_h - height + extra_before) / 2;
    const TrimBox f{left, top, left + width, top + height};
    const bool holds = f.left <= content.left + kSlack && f.top <= content.top + kSlack &&
                       f.right >= content.right - kSlack && f.bottom >= content.bottom - kSlack;
    if (holds && (out.empty() || !(out.front() == f))) out.push_back(f);
  }
  return out;
}

}  // namespace

std::vector<PdqHash> ComputeFrameHypotheses(const LumaImage& full, const TrimBox& full_box, const TrimOptions& trim,
                                            const FrameSearchOptions& options) {
  std::vector<PdqHash> out;
  if (options.max_frames <= 0) return out;
  // Padding on all four sides.
  if (full_box.left <= 0 || full_box.top <= 0 || full_box.right >= full.width || full_box.bottom >= full.height) {
    return out;
  }
  // An axis whose two content edges both merged has an unknown extent; with one edge visible, the
  // equal-margin box (ComputeQueryVariants) already restores the other.
  const auto contrast = ContentEdgeContrast(full, full_box, trim);
  const auto weak = [&](int side) { return contrast[static_cast<std::size_t>(side)] < options.strong_edge; };
  if (!(weak(0) && weak(1)) && !(weak(2) && weak(3))) return out;
  // Hypotheses on a working copy (its pixel is the finest step); a larger image's content box is
  // re-found on its downscaled copy.
  const bool fits = std::max(full.width, full.height) <= options.work_side;
  const LumaImage scaled = fits ? LumaImage{} : DownscaleLuma(full, options.work_side);
  const LumaImage& image = fits ? full : scaled;
  const TrimBox box = fits ? full_box : FindUniformBorders(image, trim);
  std::vector<int> widths;  // every frame width with a centring that holds the content
  for (int w = 1; w < image.width; ++w) {
    if (!CentredFrames(image.width, image.height, w, box).empty()) widths.push_back(w);
  }
  const std::size_t n = std::min(widths.size(), static_cast<std::size_t>(options.max_frames));
  const int canvas_side = std::max(image.width, image.height);
  for (std::size_t i = 0; i < n; ++i) {
    // Evenly spaced over the widths that fit, from the tightest frame up (all of them when n does).
    const int w = widths[i * (widths.size() - 1) / std::max<std::size_t>(1, n - 1)];
    for (const TrimBox& f : CentredFrames(image.width, image.height, w, box)) {
      out.push_back(ComputePdq(UpscaleLuma(CropLuma(image, f), canvas_side)).hash);
    }
  }
  return out;
}

}  // namespace hashtriage::hashing

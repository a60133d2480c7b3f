#include "hashing/robust_variants.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "hashing/pdq.h"

namespace hashtriage::hashing {
namespace {

// Median of `values` (copied; small vectors only: one image edge).
float Median(std::vector<float> values) {
  if (values.empty()) return 0.0f;
  auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

// Fraction of the pixels of row `r` (columns [c0, c1)) within tolerance of `colour`.
float RowUniform(const LumaImage& im, int r, int c0, int c1, float colour, float tol) {
  int ok = 0;
  for (int c = c0; c < c1; ++c) ok += std::fabs(im.at(r, c) - colour) <= tol;
  return c1 > c0 ? static_cast<float>(ok) / static_cast<float>(c1 - c0) : 1.0f;
}

float ColUniform(const LumaImage& im, int c, int r0, int r1, float colour, float tol) {
  int ok = 0;
  for (int r = r0; r < r1; ++r) ok += std::fabs(im.at(r, c) - colour) <= tol;
  return r1 > r0 ? static_cast<float>(ok) / static_cast<float>(r1 - r0) : 1.0f;
}

std::vector<float> RowValues(const LumaImage& im, int r) {
  return {im.pixels.begin() + static_cast<std::ptrdiff_t>(r) * im.width,
          im.pixels.begin() + static_cast<std::ptrdiff_t>(r + 1) * im.width};
}

std::vector<float> ColValues(const LumaImage& im, int c) {
  std::vector<float> v(static_cast<std::size_t>(im.height));
  for (int r = 0; r < im.height; ++r) v[static_cast<std::size_t>(r)] = im.at(r, c);
  return v;
}

}  // namespace

TrimBox FindUniformBorders(const LumaImage& im, const TrimOptions& o) {
  const TrimBox whole{0, 0, im.width, im.height};
  if (im.width < 8 || im.height < 8) return whole;
  const float top_c = Median(RowValues(im, 0));
  const float bottom_c = Median(RowValues(im, im.height - 1));
  const float left_c = Median(ColValues(im, 0));
  const float right_c = Median(ColValues(im, im.width - 1));
  const float f = o.min_uniform_fraction;
  const float t = o.tolerance;
  // Peel the sides in turn until none moves, so a frame's corners do not block the other sides.
  TrimBox b = whole;
  bool moved = true;
  while (moved && b.width() > 2 && b.height() > 2) {
    moved = false;
    if (RowUniform(im, b.top, b.left, b.right, top_c, t) >= f) ++b.top, moved = true;
    if (b.height() > 2 && RowUniform(im, b.bottom - 1, b.left, b.right, bottom_c, t) >= f) --b.bottom, moved = true;
    if (ColUniform(im, b.left, b.top, b.bottom, left_c, t) >= f) ++b.left, moved = true;
    if (b.width() > 2 && ColUniform(im, b.right - 1, b.top, b.bottom, right_c, t) >= f) --b.right, moved = true;
  }
  if (b.top < o.min_border_pixels) b.top = 0;
  if (im.height - b.bottom < o.min_border_pixels) b.bottom = im.height;
  if (b.left < o.min_border_pixels) b.left = 0;
  if (im.width - b.right < o.min_border_pixels) b.right = im.width;
  if (b.width() < o.min_kept_fraction * static_cast<float>(im.width) ||
      b.height() < o.min_kept_fraction * static_cast<float>(im.height)) {
    return whole;
  }
  return b;
}

LumaImage CropLuma(const LumaImage& im, const TrimBox& box) {
  LumaImage out;
  out.width = box.width();
  out.height = box.height();
  out.pixels.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height));
  for (int r = 0; r < out.height; ++r) {
    const auto src = im.pixels.begin() + static_cast<std::ptrdiff_t>(box.top + r) * im.width + box.left;
    std::copy(src, src + out.width, out.pixels.begin() + static_cast<std::ptrdiff_t>(r) * out.width);
  }
  return out;
}

LumaImage RotateLuma(const LumaImage& im, double degrees, float fill) {
  const double a = degrees * std::numbers::pi / 180.0;
  const double ca = std::cos(a);
  const double sa = std::sin(a);
  LumaImage out;
  out.width = static_cast<int>(std::lround(std::fabs(im.width * ca) + std::fabs(im.height * sa)));
  out.height = static_cast<int>(std::lround(std::fabs(im.width * sa) + std::fabs(im.height * ca)));
  out.pixels.assign(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height), fill);
  const double cx_in = (im.width - 1) / 2.0;
  const double cy_in = (im.height - 1) / 2.0;
  // The source centre (w-1)/2 maps to half the exact rotated width (OpenCV's getRotationMatrix2D +
  // bounding-box recipe); measured on the harness this half-pixel convention matters for small images.
  const double cx_out = (std::fabs(im.width * ca) + std::fabs(im.height * sa)) / 2.0;
  const double cy_out = (std::fabs(im.width * sa) + std::fabs(im.height * ca)) / 2.0;
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      // Inverse map (counter-clockwise rotation on screen, y down).
      const double dx = x - cx_out;
      const double dy = y - cy_out;
      const double sx = ca * dx - sa * dy + cx_in;
      const double sy = sa * dx + ca * dy + cy_in;
      if (sx < -0.5 || sy < -0.5 || sx > im.width - 0.5 || sy > im.height - 0.5) continue;
      const double fx = std::clamp(sx, 0.0, im.width - 1.0);
      const double fy = std::clamp(sy, 0.0, im.height - 1.0);
      const int x0 = static_cast<int>(fx);
      const int y0 = static_cast<int>(fy);
      const int x1 = std::min(x0 + 1, im.width - 1);
      const int y1 = std::min(y0 + 1, im.height - 1);
      const double wx = fx - x0;
      const double wy = fy - y0;
      const double v = (1 - wy) * ((1 - wx) * im.at(y0, x0) + wx * im.at(y0, x1)) +
                       wy * ((1 - wx) * im.at(y1, x0) + wx * im.at(y1, x1));
      out.pixels[static_cast<std::size_t>(y) * out.width + x] = static_cast<float>(v);
    }
  }
  return out;
}

LumaImage DownscaleLuma(const LumaImage& im, int max_side) {
  const int longer = std::max(im.width, im.height);
  if (longer <= max_side || max_side <= 0) return im;
  const double s = static_cast<double>(max_side) / longer;
  LumaImage out;
  out.width = std::max(1, static_cast<int>(std::lround(im.width * s)));
  out.height = std::max(1, static_cast<int>(std::lround(im.height * s)));
  out.pixels.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height));
  for (int y = 0; y < out.height; ++y) {
    const int r0 = static_cast<int>(static_cast<long long>(y) * im.height / out.height);
    const int r1 = std::max(r0 + 1, static_cast<int>(static_cast<long long>(y + 1) * im.height / out.height));
    for (int x = 0; x < out.width; ++x) {
      const int c0 = static_cast<int>(static_cast<long long>(x) * im.width / out.width);
      const int c1 = std::max(c0 + 1, static_cast<int>(static_cast<long long>(x + 1) * im.width / out.width));
      double sum = 0;
      for (int r = r0; r < r1; ++r) {
        for (int c = c0; c < c1; ++c) sum += im.at(r, c);
      }
      out.pixels[static_cast<std::size_t>(y) * out.width + x] = static_cast<float>(sum / ((r1 - r0) * (c1 - c0)));
    }
  }
  return out;
}

std::vector<PdqVariant> ComputeQueryVariants(const LumaImage& image, const RobustOptions& options) {
  std::vector<PdqVariant> out;
  const TrimBox box = FindUniformBorders(image, options.trim);
  if (box == TrimBox{0, 0, image.width, image.height}) return out;
  auto add = [&](const TrimBox& b) {
    const PdqDihedralResult d = ComputePdqDihedral(CropLuma(image, b));
    for (int i = 0; i < kDihedralCount; ++i) {
      out.push_back({"pdq-trimmed", d.hashes[static_cast<std::size_t>(i)], static_cast<Dihedral>(i)});
    }
  };
  add(box);
  // Letterboxed/padded copies are usually centred: when content with dark (or bar-coloured) edges was
  // trimmed further on one side than on the opposite one, also hash the box with equal margins (the
  // smaller of each pair), which restores the content edge that merged with the bar.
  const int ml = std::min(box.left, image.width - box.right);
  const int mt = std::min(box.top, image.height - box.bottom);
  const TrimBox sym{ml, mt, image.width - ml, image.height - mt};
  const int slack = std::max(2, std::max(image.width, image.height) / 100);
  if (options.symmetric_trim && (box.left - sym.left > slack || sym.right - box.right > slack ||
                                 box.top - sym.top > slack || sym.bottom - box.bottom > slack)) {
    add(sym);
  }
  return out;
}

std::vector<PdqVariant> ComputeLibraryVariants(const LumaImage& full, const RobustOptions& options) {
  std::vector<PdqVariant> out;
  const LumaImage image = DownscaleLuma(full, options.work_side);
  const TrimBox box = FindUniformBorders(image, options.trim);
  const bool trimmed = !(box == TrimBox{0, 0, image.width, image.height});
  // Crops and rotations are of the whole picture (as re-shared copies are); trimming is separate.
  if (trimmed) out.push_back({"pdq-trimmed", ComputePdq(CropLuma(image, box)).hash});
  for (const double f : options.crop_fractions) {
    const int w = std::max(1, static_cast<int>(std::lround(image.width * f)));
    const int h = std::max(1, static_cast<int>(std::lround(image.height * f)));
    const int l = (image.width - w) / 2;
    const int t = (image.height - h) / 2;
    const std::string_view kind = f >= 0.925 ? "pdq-crop95" : "pdq-crop90";
    out.push_back({kind, ComputePdq(CropLuma(image, {l, t, l + w, t + h})).hash});
  }
  if (options.rotation_degrees != 0) {
    out.push_back({"pdq-rot+4", ComputePdq(RotateLuma(image, options.rotation_degrees, 255.0f)).hash});
    out.push_back({"pdq-rot-4", ComputePdq(RotateLuma(image, -options.rotation_degrees, 255.0f)).hash});
  }
  return out;
}

RegionSignature ComputeRegionHashes(const LumaImage& full, const RegionOptions& options) {
  RegionSignature out;
  const int g = std::clamp(options.grid, 1, 8);
  const LumaImage image = DownscaleLuma(full, g * options.cell_side);
  if (image.width < g * 4 || image.height < g * 4) return out;
  out.grid = g;
  for (int r = 0; r < g; ++r) {
    for (int c = 0; c < g; ++c) {
      const TrimBox box{c * image.width / g, r * image.height / g, (c + 1) * image.width / g,
                        (r + 1) * image.height / g};
      const PdqResult p = ComputePdq(CropLuma(image, box));
      out.cells.push_back(p.hash);
      out.ok.push_back(p.quality >= options.min_quality ? 1 : 0);
    }
  }
  return out;
}

int RegionDistance(const RegionSignature& a, const RegionSignature& b, int min_cells) {
  constexpr int kNone = 257;
  if (a.grid != b.grid || a.grid == 0 || min_cells <= 0) return kNone;
  std::array<int, 64> d{};  // grid <= 8
  int n = 0;
  for (std::size_t i = 0; i < a.cells.size() && i < d.size(); ++i) {
    if (a.ok[i] && b.ok[i]) d[static_cast<std::size_t>(n++)] = HammingDistance(a.cells[i], b.cells[i]);
  }
  if (n < min_cells) return kNone;
  std::nth_element(d.begin(), d.begin() + (min_cells - 1), d.begin() + n);
  return d[static_cast<std::size_t>(min_cells - 1)];
}

}  // namespace hashtriage::hashing

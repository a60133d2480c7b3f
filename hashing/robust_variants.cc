#include "hashing/robust_variants.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <numbers>

#include "hashing/frame_search.h"
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

// Each side's border colour: the median of the image's outermost row/column. Top, bottom, left, right.
std::array<float, 4> SideColours(const LumaImage& im) {
  return {Median(RowValues(im, 0)), Median(RowValues(im, im.height - 1)), Median(ColValues(im, 0)),
          Median(ColValues(im, im.width - 1))};
}

}  // namespace

TrimBox FindUniformBorders(const LumaImage& im, const TrimOptions& o) {
  const TrimBox whole{0, 0, im.width, im.height};
  if (im.width < 8 || im.height < 8) return whole;
  const auto [top_c, bottom_c, left_c, right_c] = SideColours(im);
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
  const double kept = static_cast<double>(b.width()) * b.height() / (static_cast<double>(im.width) * im.height);
  if (kept < o.min_kept_area || b.width() < o.min_kept_pixels || b.height() < o.min_kept_pixels) return whole;
  return b;
}

std::array<float, 4> ContentEdgeContrast(const LumaImage& im, const TrimBox& b, const TrimOptions& trim) {
  if (b.width() <= 0 || b.height() <= 0) return {0, 0, 0, 0};
  const auto [top_c, bottom_c, left_c, right_c] = SideColours(im);
  const float t = trim.tolerance;
  return {1 - RowUniform(im, b.top, b.left, b.right, top_c, t),
          1 - RowUniform(im, b.bottom - 1, b.left, b.right, bottom_c, t),
          1 - ColUniform(im, b.left, b.top, b.bottom, left_c, t),
          1 - ColUniform(im, b.right - 1, b.top, b.bottom, right_c, t)};
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
  // Output pixel (x, y) averages input rows [r0(y), r1(y)) and columns [c0(x), c1(x)). Rows are summed
  // into one buffer (contiguous, vectorised), then each output pixel sums its columns of the buffer.
  std::vector<int> c0(static_cast<std::size_t>(out.width)), c1(static_cast<std::size_t>(out.width));
  for (int x = 0; x < out.width; ++x) {
    c0[static_cast<std::size_t>(x)] = static_cast<int>(static_cast<long long>(x) * im.width / out.width);
    c1[static_cast<std::size_t>(x)] = std::max(c0[static_cast<std::size_t>(x)] + 1,
                                              static_cast<int>(static_cast<long long>(x + 1) * im.width / out.width));
  }
  std::vector<float> rows(static_cast<std::size_t>(im.width));
  for (int y = 0; y < out.height; ++y) {
    const int r0 = static_cast<int>(static_cast<long long>(y) * im.height / out.height);
    const int r1 = std::max(r0 + 1, static_cast<int>(static_cast<long long>(y + 1) * im.height / out.height));
    std::fill(rows.begin(), rows.end(), 0.0f);
    for (int r = r0; r < r1; ++r) {
      const float* src = im.pixels.data() + static_cast<std::ptrdiff_t>(r) * im.width;
      for (int c = 0; c < im.width; ++c) rows[static_cast<std::size_t>(c)] += src[c];
    }
    float* dst = out.pixels.data() + static_cast<std::ptrdiff_t>(y) * out.width;
    for (int x = 0; x < out.width; ++x) {
      const int a = c0[static_cast<std::size_t>(x)];
      const int b = c1[static_cast<std::size_t>(x)];
      float sum = 0.0f;
      for (int c = a; c < b; ++c) sum += rows[static_cast<std::size_t>(c)];
      dst[x] = sum / static_cast<float>((r1 - r0) * (b - a));
    }
  }
  return out;
}

LumaImage UpscaleLuma(const LumaImage& im, int min_side) {
  const int longer = std::max(im.width, im.height);
  if (longer >= min_side || longer <= 0) return im;
  const double s = static_cast<double>(min_side) / longer;
  LumaImage out;
  out.width = std::max(1, static_cast<int>(std::lround(im.width * s)));
  out.height = std::max(1, static_cast<int>(std::lround(im.height * s)));
  out.pixels.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height));
  // Pixel centres aligned ((x + 0.5) / s - 0.5), edges clamped: OpenCV's INTER_LINEAR convention.
  auto taps = [](int n_out, int n_in) {
    std::vector<std::pair<int, float>> t(static_cast<std::size_t>(n_out));
    for (int x = 0; x < n_out; ++x) {
      const double f = std::clamp((x + 0.5) * n_in / n_out - 0.5, 0.0, n_in - 1.0);
      const int i = std::min(static_cast<int>(f), n_in - 2 < 0 ? 0 : n_in - 2);
      t[static_cast<std::size_t>(x)] = {i, static_cast<float>(f - i)};
    }
    return t;
  };
  const auto tx = taps(out.width, im.width);
  const auto ty = taps(out.height, im.height);
  for (int y = 0; y < out.height; ++y) {
    const auto [r0, wy] = ty[static_cast<std::size_t>(y)];
    const int r1 = std::min(r0 + 1, im.height - 1);
    for (int x = 0; x < out.width; ++x) {
      const auto [c0, wx] = tx[static_cast<std::size_t>(x)];
      const int c1 = std::min(c0 + 1, im.width - 1);
      const float top = im.at(r0, c0) + wx * (im.at(r0, c1) - im.at(r0, c0));
      const float bottom = im.at(r1, c0) + wx * (im.at(r1, c1) - im.at(r1, c0));
      out.pixels[static_cast<std::size_t>(y) * out.width + x] = top + wy * (bottom - top);
    }
  }
  return out;
}

TrimBox SymmetricBox(const LumaImage& image, const TrimBox& box) {
  const int slack = std::max(2, std::max(image.width, image.height) / 100);
  TrimBox sym = box;
  const int ml = std::min(box.left, image.width - box.right);
  const int mt = std::min(box.top, image.height - box.bottom);
  if (std::abs(box.left - (image.width - box.right)) > slack) sym.left = ml, sym.right = image.width - ml;
  if (std::abs(box.top - (image.height - box.bottom)) > slack) sym.top = mt, sym.bottom = image.height - mt;
  return sym;
}

std::vector<PdqVariant> ComputeQueryVariants(const LumaImage& image, const RobustOptions& options) {
  std::vector<PdqVariant> out;
  auto add_all = [&](std::string_view kind, const PdqDihedralResult& d, bool skip_exact) {
    for (int i = 0; i < kDihedralCount; ++i) {
      const auto o = static_cast<Dihedral>(i);
      if (skip_exact && (o == Dihedral::kOriginal || o == Dihedral::kFlipPlus1)) continue;
      out.push_back({kind, d.hashes[static_cast<std::size_t>(i)], o});
    }
  };
  auto hash8 = [&](const LumaImage& im) { return options.reoriented ? ComputePdqReoriented(im) : ComputePdqDihedral(im); };
  auto small = [](const LumaImage& im, int side) { return side > 0 && std::max(im.width, im.height) < side; };
  if (options.reoriented) add_all("pdq-reoriented", ComputePdqReorientedMirrored(image), true);
  const TrimBox box = FindUniformBorders(image, options.trim);
  if (box == TrimBox{0, 0, image.width, image.height}) {
    if (small(image, options.upscale_side)) add_all("pdq-upscaled", hash8(UpscaleLuma(image, options.upscale_side)), false);
    return out;
  }
  auto add = [&](const TrimBox& b) {
    const LumaImage content = CropLuma(image, b);
    add_all("pdq-trimmed", hash8(content), false);
    const int side = options.trimmed_upscale_side;
    if (small(content, side)) add_all("pdq-trimmed-upscaled", hash8(UpscaleLuma(content, side)), false);
  };
  add(box);
  // Letterboxed/padded copies are usually centred: when content with dark (or bar-coloured) edges was
  // trimmed further on one side than on the opposite one, also hash the box whose margins on that
  // axis are equal (the smaller of the pair), which restores the content edge that merged with the
  // bar. An axis whose margins differ by at most the slack (an odd split, ringing) is kept as found.
  const TrimBox sym = SymmetricBox(image, box);
  if (options.symmetric_trim && !(sym == box)) add(sym);
  for (const PdqHash& h : ComputeFrameHypotheses(image, box, options.trim, options.frame)) {
    out.push_back({"pdq-frame", h, Dihedral::kOriginal});
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

bool RegionCellsPossible(int width, int height, const RegionOptions& options) {
  const int g = std::clamp(options.grid, 1, 8);
  const int longer = std::max(width, height), max_side = g * options.cell_side;
  if (longer > max_side && max_side > 0) {  // as DownscaleLuma reduces it
    const double s = static_cast<double>(max_side) / longer;
    width = std::max(1, static_cast<int>(std::lround(width * s)));
    height = std::max(1, static_cast<int>(std::lround(height * s)));
  }
  return width >= g * 4 && height >= g * 4;
}

RegionSignature ComputeRegionHashes(const LumaImage& full, const RegionOptions& options) {
  RegionSignature out;
  const int g = std::clamp(options.grid, 1, 8);
  if (!RegionCellsPossible(full.width, full.height, options)) return out;
  const LumaImage image = DownscaleLuma(full, g * options.cell_side);
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

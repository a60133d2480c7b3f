#include "hashing/geometric_match.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <vector>

namespace hashtriage::hashing {

namespace {

using Point = std::complex<double>;
constexpr double kPi = 3.14159265358979323846;

struct FeatureMatch {
  Point known;
  Point scanned;
  double turn;  // orientation change, degrees in (-180, 180]
  double grow;  // size change, scanned / known
};

double WrapDegrees(double d) {
  d = std::fmod(d, 360.0);
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

// Nearest known feature of each scanned one, kept when it passes the ratio test; a known feature
// claimed by several scanned ones keeps its closest.
std::vector<FeatureMatch> MatchDescriptors(const LocalFeatures& scanned, const LocalFeatures& known,
                                           const GeometricOptions& options) {
  std::vector<int> best_of_known(known.features.size(), -1), best_distance(known.features.size(), 257);
  for (std::size_t i = 0; i < scanned.features.size(); ++i) {
    int d1 = 257, d2 = 257, j1 = -1;
    for (std::size_t j = 0; j < known.features.size(); ++j) {
      const int d = DescriptorDistance(scanned.features[i], known.features[j]);
      if (d < d1) {
        d2 = d1;
        d1 = d;
        j1 = static_cast<int>(j);
      } else if (d < d2) {
        d2 = d;
      }
    }
    if (j1 < 0 || d1 > options.max_descriptor_distance) continue;
    if (d2 <= 256 && d1 >= options.ratio * d2) continue;
    if (d1 < best_distance[j1]) {
      best_distance[j1] = d1;
      best_of_known[j1] = static_cast<int>(i);
    }
  }
  std::vector<FeatureMatch> matches;
  for (std::size_t j = 0; j < known.features.size(); ++j) {
    if (best_of_known[j] < 0) continue;
    const LocalFeature& s = scanned.features[static_cast<std::size_t>(best_of_known[j])];
    const LocalFeature& k = known.features[j];
    matches.push_back({Point(k.x, k.y), Point(s.x, s.y), WrapDegrees(s.angle - k.angle),
                       k.size > 0 ? s.size / k.size : 1.0});
  }
  return matches;
}

struct Similarity {
  Point a;  // scale * e^(i rotation)
  Point b;  // translation
};

bool Agrees(const FeatureMatch& m, const Similarity& t, double max_error, const GeometricOptions& options) {
  if (std::abs(t.a * m.known + t.b - m.scanned) > max_error) return false;
  const double rotation = std::arg(t.a) * 180 / kPi;
  if (std::abs(WrapDegrees(m.turn - rotation)) > options.angle_tolerance) return false;
  const double ratio = m.grow / std::abs(t.a);
  return ratio <= options.size_tolerance && ratio >= 1 / options.size_tolerance;
}

std::vector<std::size_t> Inliers(const std::vector<FeatureMatch>& matches, const Similarity& t, double max_error,
                                 const GeometricOptions& options) {
  std::vector<std::size_t> in;
  for (std::size_t k = 0; k < matches.size(); ++k) {
    if (Agrees(matches[k], t, max_error, options)) in.push_back(k);
  }
  return in;
}

// The similarity minimising the squared distances over `which` (closed form on centred points).
Similarity LeastSquares(const std::vector<FeatureMatch>& matches, const std::vector<std::size_t>& which) {
  Point pk(0, 0), ps(0, 0);
  for (std::size_t k : which) {
    pk += matches[k].known;
    ps += matches[k].scanned;
  }
  pk /= static_cast<double>(which.size());
  ps /= static_cast<double>(which.size());
  Point num(0, 0);
  double den = 0;
  for (std::size_t k : which) {
    const Point p = matches[k].known - pk, q = matches[k].scanned - ps;
    num += std::conj(p) * q;
    den += std::norm(p);
  }
  Similarity t;
  t.a = den > 0 ? num / den : Point(1, 0);
  t.b = ps - t.a * pk;
  return t;
}

// Sutherland-Hodgman: `polygon` clipped to the rectangle [0, w] x [0, h].
std::vector<Point> ClipToRectangle(std::vector<Point> polygon, double w, double h) {
  auto clip = [&](auto inside, auto cross) {
    std::vector<Point> out;
    for (std::size_t i = 0; i < polygon.size(); ++i) {
      const Point cur = polygon[i], prev = polygon[(i + polygon.size() - 1) % polygon.size()];
      if (inside(cur)) {
        if (!inside(prev)) out.push_back(cross(prev, cur));
        out.push_back(cur);
      } else if (inside(prev)) {
        out.push_back(cross(prev, cur));
      }
    }
    polygon = std::move(out);
  };
  auto at_x = [](double x) {
    return [x](Point p, Point q) { return p + (q - p) * ((x - p.real()) / (q.real() - p.real())); };
  };
  auto at_y = [](double y) {
    return [y](Point p, Point q) { return p + (q - p) * ((y - p.imag()) / (q.imag() - p.imag())); };
  };
  clip([](Point p) { return p.real() >= 0; }, at_x(0));
  clip([w](Point p) { return p.real() <= w; }, at_x(w));
  clip([](Point p) { return p.imag() >= 0; }, at_y(0));
  clip([h](Point p) { return p.imag() <= h; }, at_y(h));
  return polygon;
}

double Area(const std::vector<Point>& polygon) {
  double twice = 0;
  for (std::size_t i = 0; i < polygon.size(); ++i) {
    const Point p = polygon[i], q = polygon[(i + 1) % polygon.size()];
    twice += p.real() * q.imag() - q.real() * p.imag();
  }
  return std::abs(twice) / 2;
}

}  // namespace

GeometricMatch MatchGeometry(const LocalFeatures& scanned, const LocalFeatures& known,
                             const GeometricOptions& options) {
  GeometricMatch result;
  const std::vector<FeatureMatch> matches = MatchDescriptors(scanned, known, options);
  result.matches = static_cast<int>(matches.size());
  if (matches.size() < 2) return result;
  const double max_error = options.inlier_error * std::hypot(scanned.width, scanned.height);

  std::uint64_t state = 0x9E3779B97F4A7C15ull;  // splitmix64 with a fixed seed: deterministic
  auto next = [&state](std::size_t bound) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>((z ^ (z >> 31)) % bound);
  };
  std::vector<std::size_t> best;
  for (int it = 0; it < options.iterations; ++it) {
    const std::size_t i = next(matches.size()), j = next(matches.size());
    const Point dk = matches[j].known - matches[i].known;
    if (i == j || std::abs(dk) < 1) continue;
    Similarity t;
    t.a = (matches[j].scanned - matches[i].scanned) / dk;
    t.b = matches[i].scanned - t.a * matches[i].known;
    if (!Agrees(matches[i], t, max_error, options) || !Agrees(matches[j], t, max_error, options)) continue;
    std::vector<std::size_t> in = Inliers(matches, t, max_error, options);
    if (in.size() > best.size()) best = std::move(in);
  }
  if (best.size() < 2) return result;
  Similarity t = LeastSquares(matches, best);
  for (int round = 0; round < 2; ++round) {
    std::vector<std::size_t> in = Inliers(matches, t, max_error, options);
    if (in.size() < 2) break;
    best = std::move(in);
    t = LeastSquares(matches, best);
  }
  result.inliers = static_cast<int>(best.size());
  // The hit is decided; the transform reported is refined on the matches that agree within a tolerance
  // halved each round down to one relative to the known picture's size where it lies (a picture inset at
  // a seventh of a screen's width had its scale 50% out and its rotation 2.5 degrees out without this).
  for (double tolerance = max_error / 2; tolerance >= 1.5; tolerance /= 2) {
    const double tight = std::max(1.5, options.inlier_error * std::abs(t.a) * std::hypot(known.width, known.height));
    const std::vector<std::size_t> close = Inliers(matches, t, std::max(tight, tolerance), options);
    if (close.size() < 4) break;
    t = LeastSquares(matches, close);
    if (tight >= tolerance) break;
  }
  result.scale = std::abs(t.a);
  result.rotation_degrees = std::arg(t.a) * 180 / kPi;
  result.tx = t.b.real();
  result.ty = t.b.imag();

  const double kw = known.width, kh = known.height, sw = scanned.width, sh = scanned.height;
  std::vector<Point> outline;
  for (const Point corner : {Point(0, 0), Point(kw, 0), Point(kw, kh), Point(0, kh)}) {
    outline.push_back(t.a * corner + t.b);
  }
  const double full = Area(outline);
  const std::vector<Point> clipped = ClipToRectangle(outline, sw, sh);
  if (full > 0 && !clipped.empty() && sw > 0 && sh > 0) {
    result.visible = Area(clipped) / full;
    double x0 = sw, y0 = sh, x1 = 0, y1 = 0;
    for (const Point p : clipped) {
      x0 = std::min(x0, p.real());
      y0 = std::min(y0, p.imag());
      x1 = std::max(x1, p.real());
      y1 = std::max(y1, p.imag());
    }
    auto share = [](double v) { return std::clamp(v, 0.0, 1.0); };  // clipping leaves rounding either side
    result.region = {share(x0 / sw), share(y0 / sh), share(x1 / sw), share(y1 / sh)};
  }
  double x0 = std::numeric_limits<double>::max(), y0 = x0, x1 = -x0, y1 = -x0;
  for (std::size_t k : best) {
    x0 = std::min(x0, matches[k].known.real());
    y0 = std::min(y0, matches[k].known.imag());
    x1 = std::max(x1, matches[k].known.real());
    y1 = std::max(y1, matches[k].known.imag());
  }
  const double visible_area = result.visible * kw * kh;
  result.spread = visible_area > 0 ? std::min(1.0, (x1 - x0) * (y1 - y0) / visible_area) : 0;
  return result;
}

bool IsGeometricHit(const GeometricMatch& match, const GeometricOptions& options) {
  return match.inliers >= options.min_inliers && match.scale >= options.min_scale &&
         match.scale <= options.max_scale && std::abs(match.rotation_degrees) <= options.max_rotation;
}

GeometricMatch MatchGeometryViews(const LocalFeatures& scanned, const std::vector<LocalFeatures>& views,
                                  const GeometricOptions& options, std::size_t* view) {
  GeometricMatch best;
  bool best_hit = false;
  for (std::size_t v = 0; v < views.size(); ++v) {
    const GeometricMatch m = MatchGeometry(scanned, views[v], options);
    const bool hit = IsGeometricHit(m, options);
    if ((hit && !best_hit) || (hit == best_hit && m.inliers > best.inliers)) {
      best = m;
      best_hit = hit;
      if (view != nullptr) *view = v;
    }
  }
  return best;
}

}  // namespace hashtriage::hashing

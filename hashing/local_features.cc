#include "hashing/local_features.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "hashing/orb_feature_plugin.h"
#include "hashing/plugin_loader.h"

namespace hashtriage::hashing {

namespace {

constexpr const char* kOrbPluginName = "hashtriage_orb_features.so";

struct OrbPlugin {
  HashtriageOrbDetect detect = nullptr;
  std::string error;
};

const OrbPlugin& LoadOrbPlugin() {
  static const OrbPlugin plugin = [] {
    const LoadedPlugin loaded = LoadPlugin(kOrbPluginName, {"hashtriage_orb_detect"}, "the local-feature plugin");
    OrbPlugin p;
    p.detect = reinterpret_cast<HashtriageOrbDetect>(loaded.symbols[0]);
    p.error = loaded.error;
    return p;
  }();
  return plugin;
}

// The luma enlarged so its longer side is `side`, bilinear (pixel centres aligned), rounded to 8 bits.
std::vector<unsigned char> EnlargedGrey(const LumaImage& luma, int side, int& width, int& height) {
  const double f = static_cast<double>(side) / std::max(luma.width, luma.height);
  width = std::max(1, static_cast<int>(std::lround(luma.width * f)));
  height = std::max(1, static_cast<int>(std::lround(luma.height * f)));
  std::vector<unsigned char> out(static_cast<std::size_t>(height) * width);
  for (int y = 0; y < height; ++y) {
    const double sy = std::clamp((y + 0.5) / f - 0.5, 0.0, luma.height - 1.0);
    const int y0 = static_cast<int>(sy), y1 = std::min(y0 + 1, luma.height - 1);
    const double wy = sy - y0;
    for (int x = 0; x < width; ++x) {
      const double sx = std::clamp((x + 0.5) / f - 0.5, 0.0, luma.width - 1.0);
      const int x0 = static_cast<int>(sx), x1 = std::min(x0 + 1, luma.width - 1);
      const double wx = sx - x0;
      const double v = (1 - wy) * ((1 - wx) * luma.at(y0, x0) + wx * luma.at(y0, x1)) +
                       wy * ((1 - wx) * luma.at(y1, x0) + wx * luma.at(y1, x1));
      out[static_cast<std::size_t>(y) * width + x] = static_cast<unsigned char>(std::clamp(std::lround(v), 0L, 255L));
    }
  }
  return out;
}

// The luma reduced so its longer side is at most `side`, each output pixel the mean of the source area it
// covers (fractional edges weighted), rounded to 8 bits.
std::vector<unsigned char> AreaReducedGrey(const LumaImage& luma, int side, int& width, int& height) {
  const int longer = std::max(luma.width, luma.height);
  const double f = longer > side ? static_cast<double>(side) / longer : 1.0;
  width = std::max(1, static_cast<int>(std::lround(luma.width * f)));
  height = std::max(1, static_cast<int>(std::lround(luma.height * f)));
  const double sx = static_cast<double>(luma.width) / width, sy = static_cast<double>(luma.height) / height;
  // Columns first into a float buffer (height_in x width), then rows.
  std::vector<float> cols(static_cast<std::size_t>(luma.height) * width);
  for (int x = 0; x < width; ++x) {
    const double a = x * sx, b = (x + 1) * sx;
    for (int y = 0; y < luma.height; ++y) {
      const float* row = luma.pixels.data() + static_cast<std::size_t>(y) * luma.width;
      double sum = 0;
      for (int i = static_cast<int>(a); i < luma.width && i < b; ++i) {
        const double w = std::min<double>(i + 1, b) - std::max<double>(i, a);
        sum += w * row[i];
      }
      cols[static_cast<std::size_t>(y) * width + x] = static_cast<float>(sum / sx);
    }
  }
  std::vector<unsigned char> out(static_cast<std::size_t>(height) * width);
  for (int y = 0; y < height; ++y) {
    const double a = y * sy, b = (y + 1) * sy;
    for (int x = 0; x < width; ++x) {
      double sum = 0;
      for (int i = static_cast<int>(a); i < luma.height && i < b; ++i) {
        const double w = std::min<double>(i + 1, b) - std::max<double>(i, a);
        sum += w * cols[static_cast<std::size_t>(i) * width + x];
      }
      out[static_cast<std::size_t>(y) * width + x] =
          static_cast<unsigned char>(std::clamp(std::lround(sum / sy), 0L, 255L));
    }
  }
  return out;
}

}  // namespace

LocalFeatureOptions QueryFeatureOptions() {
  LocalFeatureOptions o;
  o.max_features = 1000;
  return o;
}

std::vector<LocalFeatureOptions> LibraryViewOptions() {
  std::vector<LocalFeatureOptions> views(3);
  views[1].working_side = 320;
  views[2].working_side = 160;
  views[1].min_side = views[2].min_side = 0;  // reductions only
  return views;
}

Result<LocalFeatures> ComputeLocalFeatures(const LumaImage& luma, const LocalFeatureOptions& options) {
  LocalFeatures out;
  if (luma.width <= 0 || luma.height <= 0 || options.max_features <= 0) return out;
  const OrbPlugin& plugin = LoadOrbPlugin();
  if (plugin.detect == nullptr) return Status::NotSupported(plugin.error);
  const bool small = std::max(luma.width, luma.height) < options.min_side;
  const std::vector<unsigned char> grey = small ? EnlargedGrey(luma, options.min_side, out.width, out.height)
                                                : AreaReducedGrey(luma, options.working_side, out.width, out.height);
  std::vector<HashtriageOrbFeature> found(static_cast<std::size_t>(options.max_features));
  int count = 0;
  char error[256] = {};
  if (plugin.detect(grey.data(), out.width, out.height, static_cast<std::size_t>(out.width), options.max_features,
                    found.data(), &count, error) != 0) {
    return Status::Corruption(error);
  }
  out.features.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const HashtriageOrbFeature& f = found[static_cast<std::size_t>(i)];
    LocalFeature feature;
    feature.x = f.x;
    feature.y = f.y;
    feature.size = f.size;
    feature.angle = f.angle;
    std::memcpy(feature.descriptor.data(), f.descriptor, 32);
    out.features.push_back(feature);
  }
  return out;
}

}  // namespace hashtriage::hashing

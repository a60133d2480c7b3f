#include "hashing/local_features.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "hashing/orb_feature_plugin.h"
#include "hashing/plugin_loader.h"
#include "hashing/robust_variants.h"

namespace hashtriage::hashing {

namespace {

constexpr const char* kOrbPluginName = "hashtriage_orb_features.so";

struct OrbPlugin {
  HashtriageOrbDetect detect = nullptr;
  std::string error;
};

const OrbPlugin& LoadOrbPlugin() {
  static const OrbPlugin plugin = [] {
    const LoadedPlugin loaded = LoadPlugin(kOrbPluginName, {"hashtriage_orb_detect_v2"}, "the local-feature plugin");
    return OrbPlugin{reinterpret_cast<HashtriageOrbDetect>(loaded.symbols[0]), loaded.error};
  }();
  return plugin;
}

// 8-bit grey of a luma plane, rounded and clamped, for the feature plugin.
std::vector<unsigned char> Grey(const LumaImage& luma) {
  std::vector<unsigned char> out(luma.pixels.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float v = luma.pixels[i];
    out[i] = v >= 0.0f ? static_cast<unsigned char>(std::min(v, 255.0f) + 0.5f) : 0;  // NaN: 0
  }
  return out;
}

}  // namespace

LocalFeatureOptions QueryFeatureOptions() {
  LocalFeatureOptions o;
  o.max_features = 1500;
  o.pyramid_levels = 3;
  o.pyramid_scale = 1.5f;
  o.oversample = 2;
  o.fast_score = true;
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
  const LumaImage working = small ? UpscaleLuma(luma, options.min_side) : DownscaleLuma(luma, options.working_side);
  out.width = working.width;
  out.height = working.height;
  const std::vector<unsigned char> grey = Grey(working);
  std::vector<HashtriageOrbFeature> found(static_cast<std::size_t>(options.max_features));
  int count = 0;
  char error[256] = {};
  const HashtriageOrbParams params{options.max_features, options.pyramid_levels, options.pyramid_scale,
                                   options.oversample, options.fast_score ? 1 : 0};
  if (plugin.detect(grey.data(), out.width, out.height, static_cast<std::size_t>(out.width), &params, found.data(),
                    &count, error) != 0) {
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

Result<std::vector<LocalFeatures>> ComputeLibraryViews(const LumaImage& luma) {
  std::vector<LocalFeatures> views;
  const int longer = std::max(luma.width, luma.height);
  const std::vector<LocalFeatureOptions> options = LibraryViewOptions();
  for (std::size_t v = 0; v < options.size(); ++v) {
    if (v > 0 && options[v].working_side >= longer) continue;  // a smaller view only where the picture is larger
    HT_ASSIGN_OR_RETURN(LocalFeatures view, ComputeLocalFeatures(luma, options[v]));
    views.push_back(std::move(view));
  }
  return views;
}

}  // namespace hashtriage::hashing

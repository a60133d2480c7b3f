#include "hashing/opencv_codecs.h"

#include <string>

#include "hashing/image_decode.h"
#include "hashing/opencv_codec_plugin.h"
#include "hashing/plugin_loader.h"

namespace hashtriage::hashing::decode_internal {

namespace {

constexpr const char* kCodecsPluginName = "hashtriage_opencv_codecs.so";

struct Plugin {
  HashtriageOpenCvDecode decode = nullptr;
  HashtriageOpenCvRelease release = nullptr;
  std::string error;
};

const Plugin& LoadOpenCvPlugin() {
  static const Plugin plugin = [] {
    const LoadedPlugin loaded = LoadPlugin(kCodecsPluginName, {"hashtriage_opencv_decode", "hashtriage_opencv_release"},
                                           "the OpenCV codec plugin");
    Plugin p;
    p.decode = reinterpret_cast<HashtriageOpenCvDecode>(loaded.symbols[0]);
    p.release = reinterpret_cast<HashtriageOpenCvRelease>(loaded.symbols[1]);
    p.error = loaded.error;
    return p;
  }();
  return plugin;
}

}  // namespace

Result<LumaImage> DecodeLumaWithOpenCv(std::span<const std::byte> bytes, bool is_jpeg, int jpeg_scale) {
  const Plugin& plugin = LoadOpenCvPlugin();
  if (plugin.decode == nullptr) return Status::NotSupported(plugin.error);
  HashtriageOpenCvImage image;
  if (plugin.decode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), is_jpeg ? 1 : 0, jpeg_scale,
                    &image) != 0) {
    return Status::Corruption(image.error);
  }
  LumaImage luma = LumaFromInterleaved(image.pixels, image.width, image.height, image.stride, image.channels,
                                       /*bgr_order=*/true);
  plugin.release(&image);
  return luma;
}

}  // namespace hashtriage::hashing::decode_internal

#include "hashing/opencv_codecs.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "hashing/image_decode.h"
#include "hashing/opencv_codec_plugin.h"

namespace hashtriage::hashing::decode_internal {

namespace {

constexpr const char* kPluginName = "hashtriage_opencv_codecs.so";

struct Plugin {
  HashtriageOpenCvDecode decode = nullptr;
  HashtriageOpenCvRelease release = nullptr;
  std::string error;
};

std::string ExecutableDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

const Plugin& LoadPlugin() {
  static Plugin plugin;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string tried;
    for (const std::string& dir : {std::string(HASHTRIAGE_PLUGIN_DIR), ExecutableDir()}) {
      if (dir.empty()) continue;
      const std::string path = dir + "/" + kPluginName;
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        tried += (tried.empty() ? "" : "; ") + std::string(dlerror());
        continue;
      }
      plugin.decode = reinterpret_cast<HashtriageOpenCvDecode>(dlsym(handle, "hashtriage_opencv_decode"));
      plugin.release = reinterpret_cast<HashtriageOpenCvRelease>(dlsym(handle, "hashtriage_opencv_release"));
      if (plugin.decode != nullptr && plugin.release != nullptr) return;
      tried += (tried.empty() ? "" : "; ") + path + ": not a hashtriage codec plugin";
    }
    plugin.error = "the OpenCV codec plugin " + std::string(kPluginName) + " could not be loaded (" + tried + ")";
  });
  return plugin;
}

}  // namespace

Result<LumaImage> DecodeLumaWithOpenCv(std::span<const std::byte> bytes, bool is_jpeg, int jpeg_scale) {
  const Plugin& plugin = LoadPlugin();
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

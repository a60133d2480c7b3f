#include "hashing/plugin_loader.h"

#include <dlfcn.h>

#include <filesystem>

namespace hashtriage::hashing {

namespace {
std::string ExecutableDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}
}  // namespace

LoadedPlugin LoadPlugin(const std::string& file_name, const std::vector<std::string>& symbols, const std::string& what) {
  LoadedPlugin plugin;
  std::string tried;
  for (const std::string& dir : {std::string(HASHTRIAGE_PLUGIN_DIR), ExecutableDir()}) {
    if (dir.empty()) continue;
    const std::string path = dir + "/" + file_name;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      tried += (tried.empty() ? "" : "; ") + std::string(dlerror());
      continue;
    }
    plugin.symbols.clear();
    bool all = true;
    for (const std::string& name : symbols) {
      void* symbol = dlsym(handle, name.c_str());
      all = all && symbol != nullptr;
      plugin.symbols.push_back(symbol);
    }
    if (all) return plugin;
    tried += (tried.empty() ? "" : "; ") + path + ": not a hashtriage plugin";
  }
  plugin.symbols.assign(symbols.size(), nullptr);
  plugin.error = what + " " + file_name + " could not be loaded (" + tried + ")";
  return plugin;
}

}  // namespace hashtriage::hashing

// Plugin loading: a hashtriage plugin (a shared library built beside the binary that wraps a library
// with a large dependency tree: OpenCV's imgcodecs, FFmpeg) is found in the build tree it was made in,
// else beside the running binary, and opened once per process. Thread-safe.
#pragma once

#include <string>
#include <vector>

namespace hashtriage::hashing {

struct LoadedPlugin {
  std::vector<void*> symbols;  // in the order asked; all non-null when `error` is empty
  std::string error;           // why the plugin could not be loaded
};

// Opens `file_name` (first from the build tree, then beside /proc/self/exe) and looks up every one of
// `symbols`. `what` names the plugin in the error ("the OpenCV codec plugin").
LoadedPlugin LoadPlugin(const std::string& file_name, const std::vector<std::string>& symbols, const std::string& what);

}  // namespace hashtriage::hashing

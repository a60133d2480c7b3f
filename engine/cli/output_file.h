// Small helpers shared by the commands that write exports (queue, export queue|vics|files): output to
// a file (created 0600) or stdout. No state.
#pragma once

#include <memory>
#include <string>

#include "hashing/status.h"

namespace hashtriage::cli {

// Writes `text` to `path` (created 0600, replaced), or to stdout when `path` is "".
Status WriteOutput(const std::string& path, const std::string& text);

}  // namespace hashtriage::cli

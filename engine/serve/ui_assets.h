// The browser UI's files (engine/serve/ui/: the page, its script and its style sheet), embedded in the
// binary at build time by ui/embed.cmake, so `hashtriage serve` needs nothing beside it and a browser
// loads nothing from any other host. Each with the path it is served at and its content type.
#pragma once

#include <string_view>
#include <vector>

namespace hashtriage::engine::serve {

struct UiAsset {
  std::string_view path;          // "/", "/ui/app.js", ...
  std::string_view content_type;  // "text/html", "text/javascript", "text/css" (all UTF-8)
  std::string_view bytes;
};

const std::vector<UiAsset>& UiAssets();

}  // namespace hashtriage::engine::serve

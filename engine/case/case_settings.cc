#include "engine/case/case_settings.h"

#include <filesystem>

namespace hashtriage::engine {

std::string LocationName(const std::string& location) {
  const bool url = location.find("://") != std::string::npos;
  if (url) {
    std::string path = location.substr(location.find("://") + 3);
    path = path.substr(0, path.find('?'));
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }
  std::filesystem::path p(location);
  if (!p.has_filename()) p = p.parent_path();
  return p.filename().string();
}

Result<std::string> CaseName(const Case& c) {
  HT_ASSIGN_OR_RETURN(auto stored, c.settings().Name());
  if (stored && !stored->empty()) return *stored;
  return LocationName(c.location());
}

}  // namespace hashtriage::engine

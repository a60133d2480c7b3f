#include "index/category_map.h"

#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace hashtriage::index {

namespace {

// UK forces grade indecent images A/B/C (Sentencing Council); CAID-style VICS exports carry the
// grade as a number. Check this table against your own export before relying on it.
constexpr std::string_view kUk = R"(# hashtriage category map: UK (CAID-style VICS Category numbers)
name = "uk"
[vics]
0 = "unknown"                 # uncategorised / not yet graded
1 = "A"
2 = "B"
3 = "C"
4 = "non-indecent"
5 = "indecent-uncategorised"
)";

// Project VIC US/Default profile: 0 non-pertinent, 1 child abuse material, 2 child exploitive
// (not indecent in itself), 3 CGI/animation, 4 comparison images.
constexpr std::string_view kUs = R"(# hashtriage category map: US / Default Project VIC profile
name = "us"
[vics]
0 = "non-indecent"            # non-pertinent
1 = "indecent-uncategorised"  # child abuse material
2 = "non-indecent"            # child exploitive (age-difficult, not indecent in itself)
3 = "indecent-uncategorised"  # CGI / animation
4 = "non-indecent"            # comparison images
)";

}  // namespace

std::string_view CategoryMap::BuiltinText(std::string_view name) {
  if (name == "uk") return kUk;
  if (name == "us") return kUs;
  return {};
}

Result<CategoryMap> CategoryMap::Builtin(std::string_view name) {
  const auto text = BuiltinText(name);
  if (text.empty()) return Status::InvalidArgument("unknown category map '" + std::string(name) + "' (built in: uk, us)");
  return Parse(text, name);
}

Result<CategoryMap> CategoryMap::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot read category map " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path);
}

Result<CategoryMap> CategoryMap::Parse(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  CategoryMap map;
  map.name_ = root["name"].value_or(std::string(source));
  const toml::table* vics = root["vics"].as_table();
  if (vics == nullptr) return Status::InvalidArgument(std::string(source) + ": no [vics] table");
  for (const auto& [key, value] : *vics) {
    std::int64_t number = 0;
    const std::string_view k = key.str();
    const auto [p, ec] = std::from_chars(k.data(), k.data() + k.size(), number);
    if (ec != std::errc() || p != k.data() + k.size()) {
      return Status::InvalidArgument(std::string(source) + ": [vics] key '" + std::string(k) + "' is not a number");
    }
    const auto name = value.value<std::string>();
    const auto category = name ? ParseCategory(*name) : std::nullopt;
    if (!category) {
      return Status::InvalidArgument(std::string(source) + ": [vics] " + std::string(k) +
                                     " must be one of A, B, C, indecent-uncategorised, non-indecent, ignorable, "
                                     "unknown");
    }
    map.vics_[number] = *category;
  }
  return map;
}

std::optional<Category> CategoryMap::Map(std::int64_t number) const {
  auto it = vics_.find(number);
  if (it == vics_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hashtriage::index

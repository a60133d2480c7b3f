// CategoryMap: how a source's category numbers (VICS "Category") map onto hashtriage's Category.
// Profiles differ by country and tool, so the table is data: TOML with a [vics] table of
// "number = category name". Built-in profiles: "uk" (the default) and "us". Immutable once built.
//
//   name = "uk"
//   [vics]
//   0 = "unknown"
//   1 = "A"
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/status.h"
#include "index/category.h"

namespace hashtriage::index {

class CategoryMap {
 public:
  // "uk" or "us"; InvalidArgument for anything else.
  static Result<CategoryMap> Builtin(std::string_view name);
  static Result<CategoryMap> FromFile(const std::string& path);
  // `source` names the text in error messages.
  static Result<CategoryMap> Parse(std::string_view toml, std::string_view source);

  std::optional<Category> Map(std::int64_t number) const;
  const std::string& name() const { return name_; }
  // The TOML text of a built-in profile ("" when unknown).
  static std::string_view BuiltinText(std::string_view name);

 private:
  std::string name_;
  std::map<std::int64_t, Category> vics_;
};

}  // namespace hashtriage::index

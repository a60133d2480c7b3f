#include "index/category.h"

#include <algorithm>
#include <cctype>

namespace hashtriage::index {

namespace {
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kUnknown: return "unknown";
    case Category::kA: return "A";
    case Category::kB: return "B";
    case Category::kC: return "C";
    case Category::kIndecentUncategorised: return "indecent-uncategorised";
    case Category::kNonIndecent: return "non-indecent";
    case Category::kIgnorable: return "ignorable";
  }
  return "unknown";
}

std::optional<Category> ParseCategory(std::string_view name) {
  for (int i = 0; i < kCategoryCount; ++i) {
    const auto c = static_cast<Category>(i);
    if (EqualsIgnoreCase(name, CategoryName(c))) return c;
  }
  return std::nullopt;
}

bool MoreSerious(Category a, Category b) {
  auto rank = [](Category c) {
    switch (c) {
      case Category::kA: return 0;
      case Category::kB: return 1;
      case Category::kC: return 2;
      case Category::kIndecentUncategorised: return 3;
      case Category::kUnknown: return 4;
      case Category::kNonIndecent: return 5;
      case Category::kIgnorable: return 6;
    }
    return 4;  // a value from a newer hashtriage: treat as ungraded
  };
  return rank(a) < rank(b);
}

std::string_view HashTypeName(HashType t) {
  switch (t) {
    case HashType::kMd5: return "md5";
    case HashType::kSha1: return "sha1";
    case HashType::kSha256: return "sha256";
    case HashType::kPdq: return "pdq";
    case HashType::kPhotoDna: return "photodna";
  }
  return "unknown";
}

std::optional<HashType> ParseHashType(std::string_view name) {
  for (HashType t : kAllHashTypes) {
    if (EqualsIgnoreCase(name, HashTypeName(t))) return t;
  }
  return std::nullopt;
}

std::size_t HashTypeSize(HashType t) {
  switch (t) {
    case HashType::kMd5: return 16;
    case HashType::kSha1: return 20;
    case HashType::kSha256: return 32;
    case HashType::kPdq: return 32;
    case HashType::kPhotoDna: return 144;
  }
  return 0;
}

}  // namespace hashtriage::index

#include "index/internal/search_structures.h"

#include "index/category.h"

namespace hashtriage::index::internal {

namespace {

constexpr std::string_view kPdqKind = "pdq-mih-1";

std::string FilterKind(HashType type) { return "exact-filter-1-" + std::string(HashTypeName(type)); }
std::string PdqPath(const std::string& dir) { return StructureDir(dir) + "/pdq.mih"; }
std::string FilterPath(const std::string& dir, HashType type) {
  return StructureDir(dir) + "/" + std::string(HashTypeName(type)) + ".filter";
}

}  // namespace

std::string IndexFingerprint(const std::map<std::string, SetInfo>& sets) {
  std::string fp = "hashtriage-index-structures 1\n";
  for (const auto& [name, set] : sets) {
    fp += std::to_string(name.size()) + ":" + name + " generation " + std::to_string(set.generation);
    for (const auto& [type, n] : set.entries) fp += " " + std::string(HashTypeName(type)) + "=" + std::to_string(n);
    fp += "\n";
  }
  return fp;
}

std::string StructureDir(const std::string& index_dir) { return index_dir + "/structures"; }

std::string DescribeStructureFiles(const std::string& dir, const std::map<std::string, SetInfo>& sets) {
  const std::string fingerprint = IndexFingerprint(sets);
  auto holds = [&](HashType type) {
    for (const auto& [name, set] : sets) {
      if (auto it = set.entries.find(type); it != set.entries.end() && it->second > 0) return true;
    }
    return false;
  };
  std::string out;
  std::string why;
  if (holds(HashType::kPdq) && !MapPdqStructure(dir, fingerprint, &why)) out += "PDQ tables: " + why + "; ";
  for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
    if (holds(type) && !MapFilterStructure(type, dir, fingerprint, &why)) {
      out += std::string(HashTypeName(type)) + " filter: " + why + "; ";
    }
  }
  if (out.empty()) return "current";
  out.resize(out.size() - 2);
  return out;
}

Status SavePdqStructure(const MihIndex& index, const std::string& dir, const std::string& fingerprint) {
  const auto params = index.Params();
  const auto sections = index.Sections();
  return WriteStructureFile(PdqPath(dir), kPdqKind, fingerprint, params, sections);
}

std::optional<MihIndex> MapPdqStructure(const std::string& dir, const std::string& fingerprint, std::string* why) {
  auto file = MappedStructure::Open(PdqPath(dir), kPdqKind, fingerprint, why);
  if (file == nullptr) return std::nullopt;
  auto index = MihIndex::FromMapped(std::move(file));
  if (!index && why != nullptr) *why = "sections do not fit its parameters";
  return index;
}

Status SaveFilterStructure(const ExactFilter& filter, HashType type, const std::string& dir,
                           const std::string& fingerprint) {
  const auto params = filter.Params();
  const auto sections = filter.Sections();
  return WriteStructureFile(FilterPath(dir, type), FilterKind(type), fingerprint, params, sections);
}

std::optional<ExactFilter> MapFilterStructure(HashType type, const std::string& dir, const std::string& fingerprint,
                                              std::string* why) {
  auto file = MappedStructure::Open(FilterPath(dir, type), FilterKind(type), fingerprint, why);
  if (file == nullptr) return std::nullopt;
  auto filter = ExactFilter::FromMapped(std::move(file));
  if (!filter && why != nullptr) *why = "sections do not fit its parameters";
  return filter;
}

}  // namespace hashtriage::index::internal

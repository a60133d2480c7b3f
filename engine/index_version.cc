#include "engine/index_version.h"

#include <algorithm>

#include "hashing/digests.h"

namespace hashtriage::engine {

nlohmann::json IndexVersion(const index::KnownIndex& index) {
  std::vector<index::SetInfo> sets = index.ListSets();
  std::sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  nlohmann::json list = nlohmann::json::array();
  for (const index::SetInfo& s : sets) {
    nlohmann::json entries = nlohmann::json::object();
    for (const auto& [type, n] : s.entries) entries[std::string(index::HashTypeName(type))] = n;
    list.push_back({{"name", s.name},
                    {"generation", s.generation},
                    {"format", s.format},
                    {"imported_unix", s.imported_unix},
                    {"entries", entries}});
  }
  const std::string canonical = list.dump();  // object keys sorted: canonical
  const auto digest = hashing::DigestBytes(std::as_bytes(std::span(canonical.data(), canonical.size())),
                                           hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  return nlohmann::json{{"path", index.path()}, {"sets", list}, {"sha256", digest.sha256->hex()}};
}

}  // namespace hashtriage::engine

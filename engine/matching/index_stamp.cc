#include "engine/matching/index_stamp.h"

#include <algorithm>

#include "hashing/digests.h"

namespace hashtriage::engine {

namespace {

nlohmann::json SetsJson(const std::vector<SetStamp>& sets) {
  nlohmann::json list = nlohmann::json::array();
  for (const SetStamp& s : sets) {
    list.push_back({{"name", s.name},
                    {"generation", s.generation},
                    {"format", s.format},
                    {"imported_unix", s.imported_unix},
                    {"entries", s.entries}});
  }
  return list;
}

}  // namespace

IndexStamp StampOf(const index::KnownIndex& idx) {
  std::vector<index::SetInfo> sets = idx.ListSets();
  std::sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  IndexStamp stamp;
  stamp.path = idx.path();
  for (const index::SetInfo& s : sets) {
    SetStamp set{s.name, s.generation, s.format, s.imported_unix, {}, s.by_category};
    for (const auto& [type, n] : s.entries) set.entries[std::string(index::HashTypeName(type))] = n;
    stamp.sets.push_back(std::move(set));
  }
  const std::string canonical = SetsJson(stamp.sets).dump();  // object keys sorted: canonical
  stamp.digest = hashing::DigestBytes(std::as_bytes(std::span(canonical.data(), canonical.size())),
                                      hashing::DigestSet().Add(hashing::DigestKind::kSha256))
                     .sha256->hex();
  return stamp;
}

nlohmann::json IndexStamp::ToJson() const {
  return nlohmann::json{{"path", path}, {"sets", SetsJson(sets)}, {"sha256", digest}};
}

std::string IndexStamp::Describe() const {
  if (empty()) return "no index";
  std::string list;
  for (const SetStamp& s : sets) {
    list += (list.empty() ? "" : ", ") + s.name + " gen " + std::to_string(s.generation);
  }
  return "index " + digest.substr(0, 16) + " (" + std::to_string(sets.size()) + " set" + (sets.size() == 1 ? "" : "s") +
         (list.empty() ? "" : ": " + list) + ")";
}

}  // namespace hashtriage::engine

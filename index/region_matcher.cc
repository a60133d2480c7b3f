#include "index/region_matcher.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

namespace hashtriage::index {
namespace {

// Parses a decimal int from the front of `s` up to ':'; advances past the ':'.
std::optional<int> TakeInt(std::string_view& s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + colon, v);
  if (ec != std::errc() || ptr != s.data() + colon) return std::nullopt;
  s.remove_prefix(colon + 1);
  return v;
}

}  // namespace

std::string RegionCellMediaId(int grid, int cell, std::string_view path) {
  return "region:" + std::to_string(grid) + ":" + std::to_string(cell) + ":" + std::string(path);
}

std::optional<RegionCellId> ParseRegionCell(const Membership& m) {
  if (m.hash_type != HashType::kPdq || !m.set_name.ends_with(kRegionSetSuffix)) return std::nullopt;
  std::string_view s = m.info.media_id;
  if (!s.starts_with("region:")) return std::nullopt;
  s.remove_prefix(7);
  const auto grid = TakeInt(s);
  if (!grid) return std::nullopt;
  const auto cell = TakeInt(s);
  if (!cell || *grid <= 0 || *cell < 0 || *cell >= *grid * *grid) return std::nullopt;
  return RegionCellId{*grid, *cell, std::string(s)};
}

bool HasRegionSets(const KnownIndex& index) {
  for (const SetInfo& s : index.ListSets()) {
    if (s.name.ends_with(kRegionSetSuffix)) return true;
  }
  return false;
}

Result<std::vector<RegionMatch>> SearchRegions(const KnownIndex& index, const hashing::RegionSignature& query,
                                              int threshold, int min_cells) {
  std::vector<RegionMatch> out;
  if (query.grid <= 0 || min_cells <= 0) return out;
  std::vector<hashing::PdqHash> cells;
  std::vector<int> positions;
  for (std::size_t i = 0; i < query.cells.size() && i < query.ok.size(); ++i) {
    if (!query.ok[i]) continue;
    cells.push_back(query.cells[i]);
    positions.push_back(static_cast<int>(i));
  }
  if (static_cast<int>(cells.size()) < min_cells) return out;
  HT_ASSIGN_OR_RETURN(const auto found, index.SearchPdq(cells, threshold));
  struct Group {
    std::map<int, int> distance_by_cell;  // position -> smallest distance there
    EntryInfo info;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;  // (set, path)
  for (std::size_t q = 0; q < found.size(); ++q) {
    for (const PdqMatch& m : found[q]) {
      auto id = ParseRegionCell(m.membership);
      if (!id || id->grid != query.grid || id->cell != positions[q]) continue;
      Group& g = groups[{m.membership.set_name, id->path}];
      auto [it, inserted] = g.distance_by_cell.emplace(id->cell, m.distance);
      if (!inserted) it->second = std::min(it->second, m.distance);
      if (inserted && g.distance_by_cell.size() == 1) g.info = m.membership.info;
    }
  }
  for (auto& [key, g] : groups) {
    if (static_cast<int>(g.distance_by_cell.size()) < min_cells) continue;
    std::vector<int> d;
    for (const auto& [cell, dist] : g.distance_by_cell) d.push_back(dist);
    std::sort(d.begin(), d.end());
    RegionMatch r;
    r.set = key.first;
    r.path = key.second;
    r.info = g.info;
    r.info.media_id = key.second;
    r.distance = d[static_cast<std::size_t>(min_cells - 1)];
    r.cells = static_cast<int>(d.size());
    r.usable_cells = static_cast<int>(cells.size());
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const RegionMatch& a, const RegionMatch& b) {
    return std::tie(a.distance, a.path, a.set) < std::tie(b.distance, b.path, b.set);
  });
  return out;
}

}  // namespace hashtriage::index

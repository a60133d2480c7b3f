#include "engine/known_matching.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "hashing/pdq.h"
#include "index/library_builder.h"
#include "index/region_matcher.h"

namespace hashtriage::engine {

std::vector<Hit> MatchExact(const index::KnownIndex& index, const hashing::DigestValues& d) {
  std::vector<Hit> hits;
  auto add = [&](auto result, const char* kind) {
    if (result.ok() && !result->empty()) {
      auto more = HitsFromMemberships((*result)[0], kind);
      hits.insert(hits.end(), more.begin(), more.end());
    }
  };
  if (d.md5) add(index.LookupMd5(std::span(&*d.md5, 1)), "md5");
  if (d.sha1) add(index.LookupSha1(std::span(&*d.sha1, 1)), "sha1");
  if (d.sha256) add(index.LookupSha256(std::span(&*d.sha256, 1)), "sha256");
  return hits;
}

std::vector<Hit> MatchPerceptual(const index::KnownIndex& index, const hashing::ImageHashes& image,
                                 const PerceptualMatchOptions& options) {
  const int threshold = options.threshold;
  std::vector<hashing::PdqHash> queries;
  if (image.dihedral) {
    queries.assign(image.dihedral->begin(), image.dihedral->end());
  } else {
    queries.push_back(image.pdq.hash);
  }
  // Robust query variants (issue 7, hashing/robust_variants.h), e.g. the trimmed content's
  // dihedral hashes: query them too; their hits carry the variant's match kind ("pdq-trimmed").
  std::vector<std::pair<std::string_view, hashing::Dihedral>> tags;
  for (std::size_t q = 0; q < queries.size(); ++q) tags.emplace_back("pdq", static_cast<hashing::Dihedral>(q));
  for (const auto& v : image.variants) {
    queries.push_back(v.hash);
    tags.emplace_back(v.match_kind, v.dihedral);
  }
  auto result = index.SearchPdq(queries, threshold);
  std::vector<Hit> hits;
  if (!result.ok()) return hits;
  // One hit per (set, indexed hash): the orientation with the smallest distance.
  std::map<std::pair<std::string, std::string>, Hit> best;
  for (std::size_t q = 0; q < result->size(); ++q) {
    for (const index::PdqMatch& m : (*result)[q]) {
      if (index::IsRegionCell(m.membership)) continue;  // one cell alone is not a match; see below
      const auto key = std::make_pair(m.membership.set_name, m.hash.hex());
      auto it = best.find(key);
      if (it != best.end() && it->second.distance <= m.distance) continue;
      // A library-mode variant entry (index/library_builder.h) names its own kind ("pdq-crop90", ...).
      Hit h = HitsFromMemberships({m.membership}, index::LibraryMatchKind(m.membership).value_or(std::string(tags[q].first)))[0];
      h.distance = m.distance;
      h.orientation = std::string(hashing::DihedralName(tags[q].second));
      h.low_quality = image.pdq.quality < hashing::kPdqMinGoodQuality;
      best[key] = h;
    }
  }
  for (auto& [key, hit] : best) hits.push_back(std::move(hit));
  // Library images whose grid cells match at enough positions (index/region_matcher.h).
  if (image.region.grid > 0) {
    auto regions = index::SearchRegions(index, image.region, threshold, options.region_min_cells);
    if (regions.ok()) {
      for (const index::RegionMatch& r : *regions) {
        Hit h = HitsFromMemberships({index::Membership{r.set, index::HashType::kPdq, r.info}}, "region")[0];
        h.distance = r.distance;
        h.orientation = std::string(hashing::DihedralName(hashing::Dihedral::kOriginal));
        h.low_quality = image.pdq.quality < hashing::kPdqMinGoodQuality;
        hits.push_back(std::move(h));
      }
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return std::tie(a.distance, a.set, a.media_id) < std::tie(b.distance, b.set, b.media_id);
  });
  return hits;
}

bool IsNearMatchKind(std::string_view kind) { return kind.starts_with("pdq") || kind == "region"; }

}  // namespace hashtriage::engine

#include "engine/matching/known_matcher.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "hashing/dihedral_queries.h"
#include "index/library_builder.h"
#include "index/region_matcher.h"

namespace hashtriage::engine {

namespace {

template <typename Digest, typename Lookup>
Status AddExact(const std::optional<Digest>& digest, MatchKind kind, Lookup lookup, std::vector<Hit>& hits) {
  if (!digest) return Status::Ok();
  HT_ASSIGN_OR_RETURN(auto found, lookup(std::span(&*digest, 1)));
  if (found.empty()) return Status::Ok();
  for (const index::Membership& m : found[0]) hits.push_back(HitOf(m, kind));
  return Status::Ok();
}

}  // namespace

Status KnownMatcher::MatchExact(const QueryHashes& q, std::vector<Hit>& hits) const {
  HT_RETURN_IF_ERROR(AddExact(q.md5, MatchKind::kMd5, [&](auto d) { return index_.LookupMd5(d); }, hits));
  HT_RETURN_IF_ERROR(AddExact(q.sha1, MatchKind::kSha1, [&](auto d) { return index_.LookupSha1(d); }, hits));
  return AddExact(q.sha256, MatchKind::kSha256, [&](auto d) { return index_.LookupSha256(d); }, hits);
}

Status KnownMatcher::MatchPerceptual(const QueryHashes& q, std::vector<Hit>& hits) const {
  if (!q.pdq || !options_.perceptual) return Status::Ok();
  struct Tag {
    MatchKind kind;
    hashing::Dihedral orientation;
  };
  std::vector<hashing::PdqHash> queries;
  std::vector<Tag> tags;
  if (q.dihedral) {
    std::vector<hashing::Dihedral> reoriented;
    for (const QueryVariant& v : q.variants) {
      if (v.kind == MatchKind::kPdqReoriented) reoriented.push_back(v.orientation);
    }
    const auto sign_flip = hashing::SignFlipOrientationsToQuery(reoriented);
    for (int d = 0; d < hashing::kDihedralCount; ++d) {
      if (!sign_flip[static_cast<std::size_t>(d)]) continue;
      queries.push_back((*q.dihedral)[d]);
      tags.push_back({MatchKind::kPdq, static_cast<hashing::Dihedral>(d)});
    }
  } else {
    queries.push_back(*q.pdq);
    tags.push_back({MatchKind::kPdq, hashing::Dihedral::kOriginal});
  }
  for (const QueryVariant& v : q.variants) {
    queries.push_back(v.hash);
    tags.push_back({v.kind, v.orientation});
  }
  HT_ASSIGN_OR_RETURN(auto found, index_.SearchPdq(queries, options_.threshold));
  const bool low_quality = q.pdq_quality >= 0 && q.pdq_quality < hashing::kPdqMinGoodQuality;
  // One hit per (set, indexed hash): the query hash with the smallest distance.
  std::map<std::pair<std::string, std::string>, Hit> best;
  for (std::size_t i = 0; i < found.size(); ++i) {
    for (const index::PdqMatch& m : found[i]) {
      if (index::IsRegionCell(m.membership)) continue;  // one cell alone is not a match; see below
      const auto key = std::make_pair(m.membership.set_name, m.hash.hex());
      auto it = best.find(key);
      if (it != best.end() && it->second.distance <= m.distance) continue;
      // A library-mode variant entry (index/library_builder.h) names its own kind ("pdq-crop90", ...).
      MatchKind kind = tags[i].kind;
      if (auto library = index::LibraryMatchKind(m.membership)) kind = ParseMatchKind(*library).value_or(kind);
      Hit h = HitOf(m.membership, kind);
      h.distance = m.distance;
      h.matched_hash = m.hash.hex();
      h.orientation = tags[i].orientation;
      h.low_quality = low_quality;
      best[key] = std::move(h);
    }
  }
  std::vector<Hit> near;
  for (auto& [key, hit] : best) near.push_back(std::move(hit));
  // Library pictures whose grid cells match at enough positions (index/region_matcher.h).
  if (q.has_region_cells()) {
    HT_ASSIGN_OR_RETURN(auto regions, index::SearchRegions(index_, q.region, options_.threshold, options_.region_min_cells));
    for (const index::RegionMatch& r : regions) {
      Hit h = HitOf(index::Membership{r.set, index::HashType::kPdq, r.info}, MatchKind::kRegion);
      h.distance = r.distance;
      h.region_cells = r.cells;
      h.region_usable_cells = r.usable_cells;
      h.orientation = hashing::Dihedral::kOriginal;
      h.low_quality = low_quality;
      near.push_back(std::move(h));
    }
  }
  std::stable_sort(near.begin(), near.end(), [](const Hit& a, const Hit& b) {
    return std::tie(a.distance, a.set, a.media_id) < std::tie(b.distance, b.set, b.media_id);
  });
  hits.insert(hits.end(), near.begin(), near.end());
  return Status::Ok();
}

Result<std::vector<Hit>> KnownMatcher::MatchGeometric(const hashing::LumaImage& picture) const {
  std::vector<Hit> hits;
  if (!options_.perceptual) return hits;
  HT_ASSIGN_OR_RETURN(const index::FeatureLibrary* library, index_.LibraryFeatures());
  if (library == nullptr) return hits;
  HT_ASSIGN_OR_RETURN(const hashing::LocalFeatures scanned,
                      hashing::ComputeLocalFeatures(picture, hashing::QueryFeatureOptions()));
  std::map<std::uint32_t, Hit> by_picture;  // the best-verified view of each picture
  for (const index::FeatureCandidate& c : library->Candidates(scanned, options_.geometric_candidates)) {
    const index::LibraryPicture& known = library->pictures()[c.picture];
    const hashing::GeometricMatch m = hashing::MatchGeometry(scanned, known.views[c.view], options_.geometry);
    if (!hashing::IsGeometricHit(m, options_.geometry)) continue;
    auto it = by_picture.find(c.picture);
    if (it != by_picture.end() && it->second.geometry->inliers >= m.inliers) continue;
    // The scale relative to the library picture's largest view, the size the scanned one is described at.
    const double view_scale = static_cast<double>(known.views[c.view].width) / std::max(1, known.views[0].width);
    Hit h = HitOf(index::Membership{known.set, index::HashType::kPdq, known.info}, MatchKind::kGeometric);
    h.orientation = hashing::Dihedral::kOriginal;
    h.geometry = GeometricEvidence{m.inliers, m.matches, m.scale * view_scale, m.rotation_degrees, m.region, m.visible};
    by_picture[c.picture] = std::move(h);
  }
  for (auto& [picture, hit] : by_picture) hits.push_back(std::move(hit));
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return std::tie(b.geometry->inliers, a.set, a.media_id) < std::tie(a.geometry->inliers, b.set, b.media_id);
  });
  return hits;
}

Result<std::vector<Hit>> KnownMatcher::Match(const QueryHashes& query) const {
  std::vector<Hit> hits;
  HT_RETURN_IF_ERROR(MatchExact(query, hits));
  HT_RETURN_IF_ERROR(MatchPerceptual(query, hits));
  if (options_.perceptual && !query.video_frames.empty()) {
    VideoMatchOptions video = options_.video;
    video.distance = options_.threshold;
    HT_RETURN_IF_ERROR(MatchVideoFrames(index_, query, video, hits));
  }
  return hits;
}

}  // namespace hashtriage::engine

#include "engine/matching/video_matcher.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>

namespace hashtriage::engine {

namespace {

// Distinct hashes of good enough quality, each with the earliest timestamp it was seen at.
std::vector<std::pair<hashing::PdqHash, double>> FilteredQuery(const std::vector<hashing::VideoFrameHash>& frames,
                                                               int quality) {
  std::map<hashing::PdqHash, double> first;
  for (const hashing::VideoFrameHash& f : frames) {
    if (f.quality < quality) continue;
    first.emplace(f.hash, f.timestamp);  // frames are in time order: the first insert wins
  }
  return {first.begin(), first.end()};
}

}  // namespace

VpdqComparison CompareVpdq(const std::vector<std::pair<hashing::PdqHash, double>>& q, const index::KnownVideo& target,
                           const VideoMatchOptions& options) {
  VpdqComparison out;
  // A known video's frames are distinct already (the importer keeps one per hash).
  std::vector<hashing::PdqHash> t;
  for (const index::KnownVideo::Frame& f : target.frames) {
    if (f.quality >= options.quality) t.push_back(f.hash);
  }
  if (q.empty() || t.empty()) return out;
  std::vector<char> target_matched(t.size(), 0);
  std::size_t query_matched = 0;
  double first = -1;
  for (const auto& [hash, timestamp] : q) {
    bool any = false;
    for (std::size_t j = 0; j < t.size(); ++j) {
      const int d = hashing::HammingDistance(hash, t[j]);
      if (d > options.distance) continue;
      any = true;
      target_matched[j] = 1;
      out.closest = std::min(out.closest, d);
    }
    if (any) {
      ++query_matched;
      if (first < 0 || timestamp < first) first = timestamp;
    }
  }
  const auto target_count = static_cast<std::size_t>(std::count(target_matched.begin(), target_matched.end(), 1));
  out.matched_any = query_matched > 0;
  out.query_match = 100.0 * static_cast<double>(query_matched) / static_cast<double>(q.size());
  out.target_match = 100.0 * static_cast<double>(target_count) / static_cast<double>(t.size());
  out.first_timestamp = first < 0 ? 0 : first;
  return out;
}

Status MatchVideoFrames(const index::KnownIndex& index, const QueryHashes& query, const VideoMatchOptions& options,
                        std::vector<Hit>& hits) {
  if (query.video_frames.empty()) return Status::Ok();
  // The frames' hashes, then the trimmed hashes of the frames that have one (stills only).
  std::vector<hashing::PdqHash> hashes;
  std::vector<std::size_t> frame_of;
  for (const hashing::VideoFrameHash& f : query.video_frames) {
    hashes.push_back(f.hash);
    frame_of.push_back(frame_of.size());
  }
  for (std::size_t i = 0; i < query.video_frames.size(); ++i) {
    if (!query.video_frames[i].trimmed) continue;
    hashes.push_back(*query.video_frames[i].trimmed);
    frame_of.push_back(i);
  }
  HT_ASSIGN_OR_RETURN(auto found, index.SearchPdq(hashes, options.distance));
  // Per (set, indexed still): the closest frame (earliest on a tie). Per (set, known video): the same,
  // kept for the video-frame hit reported when the vPDQ rule does not pass.
  std::map<std::pair<std::string, std::string>, Hit> stills;
  std::map<std::pair<std::string, std::string>, Hit> videos;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const bool trimmed = i >= query.video_frames.size();
    const hashing::VideoFrameHash& frame = query.video_frames[frame_of[i]];
    for (const index::PdqMatch& m : found[i]) {
      const bool video_entry = (m.membership.info.flags & index::kFlagVideoFrame) != 0;
      if (video_entry && trimmed) continue;  // known videos are compared frame to whole frame, as vPDQ does
      auto& best = video_entry ? videos : stills;
      const auto key = std::make_pair(m.membership.set_name, video_entry ? m.membership.info.media_id : m.hash.hex());
      auto it = best.find(key);
      if (it != best.end() && std::tie(it->second.distance, *it->second.timestamp) <= std::tie(m.distance, frame.timestamp)) {
        continue;
      }
      Hit h = HitOf(m.membership, MatchKind::kVideoFrame);
      h.distance = m.distance;
      h.matched_hash = m.hash.hex();
      h.orientation = hashing::Dihedral::kOriginal;
      h.low_quality = frame.quality < hashing::kPdqMinGoodQuality;
      h.timestamp = frame.timestamp;
      best[key] = std::move(h);
    }
  }
  std::vector<Hit> near;
  for (auto& [key, hit] : stills) near.push_back(std::move(hit));
  const auto filtered = FilteredQuery(query.video_frames, options.quality);  // once for every candidate
  for (auto& [key, hit] : videos) {
    const index::KnownVideo* known = index.FindVideo(key.first, key.second);
    if (known != nullptr) {
      const VpdqComparison c = CompareVpdq(filtered, *known, options);
      if (c.Passes(options)) {
        Hit h = hit;
        h.kind = MatchKind::kVpdq;
        h.distance = c.closest;
        h.matched_hash.clear();
        h.low_quality = false;
        h.timestamp = c.first_timestamp;
        h.query_match = c.query_match;
        h.target_match = c.target_match;
        near.push_back(std::move(h));
        continue;
      }
    }
    near.push_back(std::move(hit));
  }
  std::stable_sort(near.begin(), near.end(), [](const Hit& a, const Hit& b) {
    return std::tie(a.distance, a.set, a.media_id) < std::tie(b.distance, b.set, b.media_id);
  });
  hits.insert(hits.end(), near.begin(), near.end());
  return Status::Ok();
}

}  // namespace hashtriage::engine

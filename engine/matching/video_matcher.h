// Video matching: a scanned video's kept frame hashes (QueryHashes::video_frames) against the known
// index, two ways. (1) Frame by frame: a frame within the PDQ threshold of an indexed still is a
// "video-frame" hit with the frame's timestamp (a known picture shown inside a video). (2) By Meta's
// vPDQ rule against known videos imported from vPDQ hash lists: the distinct, quality-filtered frames
// of each side are compared; the video matches when the share of the scanned video's frames found in
// the known one (query match) and the share of the known video's frames found in the scanned one
// (target match) both reach their thresholds ("vpdq" hit). Known videos are found as candidates by
// the PDQ search of their frames, then compared whole (vpdq/README.md, "Pruning Candidates"). A frame
// near a known video that fails the rule is still reported, as a "video-frame" hit on that video.
// Part of the one matcher (known_matcher.h); pure over a frozen index, thread-safe.
#pragma once

#include <utility>
#include <vector>

#include "engine/matching/hit.h"
#include "engine/matching/query_hashes.h"
#include "hashing/status.h"
#include "index/known_index.h"

namespace hashtriage::engine {

struct VideoMatchOptions {
  // Frames at this PDQ distance or closer match (vPDQ's D). Default: 31, the still-image threshold.
  int distance = index::kDefaultPdqThreshold;
  // Frames of lower PDQ quality take no part in the vPDQ comparison (vPDQ's F). Default: 50.
  int quality = hashing::kPdqMinGoodQuality;
  // vPDQ thresholds in percent. The scanned video may hold other material around the known video
  // (a compilation), so the query share is not required by default; half of the known video's
  // distinct frames must be present (a trimmed copy matches). Defaults: 0 and 50.
  double query_match = 0;
  double target_match = 50;
};

// The vPDQ comparison of two frame lists (distinct hashes of quality >= options.quality on each side).
struct VpdqComparison {
  double query_match = 0;   // percent of the query's filtered distinct frames with a match in the target
  double target_match = 0;  // percent of the target's filtered distinct frames with a match in the query
  int closest = 256;        // the smallest distance between any two matching frames
  double first_timestamp = 0;  // the first query frame with a match
  bool matched_any = false;
  bool Passes(const VideoMatchOptions& o) const {
    return matched_any && query_match >= o.query_match && target_match >= o.target_match;
  }
};
// `query`: the scanned video's distinct hashes of quality >= options.quality, each with the first time it
// was seen (prepared once for all candidates by MatchVideoFrames).
VpdqComparison CompareVpdq(const std::vector<std::pair<hashing::PdqHash, double>>& query,
                           const index::KnownVideo& target, const VideoMatchOptions& options);

// Appends every video hit of `query.video_frames`: per set and indexed still, the closest frame
// (video-frame); per known video, one vpdq hit when the rule passes, else one video-frame hit for its
// closest frame. Sorted by distance. A failing index read is an error, never "no hits".
Status MatchVideoFrames(const index::KnownIndex& index, const QueryHashes& query, const VideoMatchOptions& options,
                        std::vector<Hit>& hits);

}  // namespace hashtriage::engine

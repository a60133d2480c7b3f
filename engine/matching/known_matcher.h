// KnownMatcher: the one matcher. Given a file's (or a referral file's) QueryHashes it returns every
// Hit against the known-image index: exact digests (MD5/SHA-1/SHA-256), PDQ-family hashes (plain and
// dihedral, robust query variants, library-mode variant entries) within the threshold, and region
// matches (enough same-position grid cells of a library picture), and a video's frames (video_matcher.h).
// Scan, intake, `index lookup` and `rematch` all call it, so one file gets the same hits whichever way it
// reaches the index. Library mode's geometric stage (MatchGeometric) needs the picture itself, not its
// hashes, so only callers holding the decoded picture (scan) can run it.
// Lifecycle: built over a frozen KnownIndex; Match may then be called from many threads.
#pragma once

#include <vector>

#include "engine/matching/hit.h"
#include "engine/matching/query_hashes.h"
#include "engine/matching/video_matcher.h"
#include "hashing/geometric_match.h"
#include "hashing/luma_image.h"
#include "hashing/robust_variants.h"
#include "hashing/status.h"
#include "index/feature_library.h"
#include "index/known_index.h"

namespace hashtriage::engine {

struct MatchOptions {
  // PDQ radius for whole-image hashes and for each region cell (0..63). Default: 31.
  int threshold = index::kDefaultPdqThreshold;
  // Same-position cells within the threshold a region match needs. Default: 7 of 16.
  int region_min_cells = hashing::RegionOptions{}.min_cells;
  // Search perceptual hashes at all. False only when the index was opened without its PDQ hashes
  // (intake --no-pdq): exact digests are still matched. Default: true.
  bool perceptual = true;
  // How a video's frames match (engine/matching/video_matcher.h). Its distance follows `threshold`.
  VideoMatchOptions video;
  // Library mode's geometric stage: candidate retrieval and the verification rule (8 inliers).
  index::CandidateOptions geometric_candidates;
  hashing::GeometricOptions geometry;
};

class KnownMatcher {
 public:
  KnownMatcher(const index::KnownIndex& index, MatchOptions options) : index_(index), options_(options) {}

  // Every hit of one query: exact hits first (md5, sha1, sha256 in that order, one per set), then near
  // hits by distance (one per set and indexed hash, with the closest orientation; one per set and
  // library picture for region matches). A failing index read is an error, never "no hits".
  Result<std::vector<Hit>> Match(const QueryHashes& query) const;

  // Library mode's geometric stage: the scanned picture's local features against the library pictures
  // of the index's NAME+features sets (index/feature_library.h): the best-voted candidates are verified
  // (hashing/geometric_match.h) and each verified one is a `geometric` hit with its evidence, one per set
  // and library picture, most inliers first. No hits, and nothing computed, when the index holds no
  // feature sets. Callers run it only where Match found nothing (it costs ~5-6 ms a picture). Errors: an
  // unreadable feature set, or a missing features plugin.
  Result<std::vector<Hit>> MatchGeometric(const hashing::LumaImage& picture) const;
  // True when the index holds library features (MatchGeometric can find anything).
  bool geometric_stage() const { return options_.perceptual && index_.HasFeatureSets(); }

  const MatchOptions& options() const { return options_; }
  const index::KnownIndex& index() const { return index_; }

 private:
  Status MatchExact(const QueryHashes& query, std::vector<Hit>& hits) const;
  Status MatchPerceptual(const QueryHashes& query, std::vector<Hit>& hits) const;

  const index::KnownIndex& index_;
  MatchOptions options_;
};

}  // namespace hashtriage::engine

// Library features (issue 17, library mode): `index build` stores the local features of every known
// picture (hashing::ComputeLibraryViews: ORB keypoints and descriptors at three sizes, never pixels) in
// the set NAME+features, one record per picture. FeatureLibrary holds them in memory for the geometric
// stage and finds which library pictures a scanned one may contain without comparing it with all of them:
// every descriptor is filed under each of its sixteen 16-bit chunks; a scanned descriptor looks up its
// own chunks, finds the nearest library descriptor among those, and votes for its picture and view when
// it is within the match distance and clearly nearer than the nearest of any other picture (Lowe's ratio
// across the library: a descriptor common to many pictures votes for none). Only the best-voted views
// go on to geometric verification (hashing/geometric_match.h).
// Lifecycle: built once (KnownIndex::LibraryFeatures loads it on first use), then frozen: Candidates may
// be called from many threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/local_features.h"
#include "hashing/status.h"
#include "index/membership.h"

namespace hashtriage::index {

inline constexpr std::string_view kFeatureSetSuffix = "+features";

// One known picture's stored features.
struct LibraryPicture {
  std::string set;  // the NAME+features set
  EntryInfo info;   // category, flags and media id (the library file's path) as in NAME
  std::vector<hashing::LocalFeatures> views;
};

// The stored form of one picture (set_writer's AddFeatures): a version byte, the entry, and each view's
// size and features (position, size and angle as float32, the descriptor's 32 bytes), little-endian.
std::string EncodeLibraryPicture(const EntryInfo& info, const std::vector<hashing::LocalFeatures>& views);
// Corruption when malformed; `set` is left empty for the caller.
Result<LibraryPicture> DecodeLibraryPicture(std::string_view blob);

struct FeatureCandidate {
  std::uint32_t picture = 0;  // index into pictures()
  std::uint32_t view = 0;     // index into its views
  int votes = 0;              // scanned descriptors whose nearest library descriptor is in this view
};

struct CandidateOptions {
  int max_distance = 64;  // descriptor distance a vote needs (hashing::GeometricOptions' match distance)
  double ratio = 0.8;     // nearest / nearest of another picture, for a vote
  int min_votes = 5;      // a view with fewer is not verified (a hit needs 8 agreeing matches)
  int max_candidates = 4; // views passed on to verification, most votes first
};

class FeatureLibrary {
 public:
  explicit FeatureLibrary(std::vector<LibraryPicture> pictures);

  const std::vector<LibraryPicture>& pictures() const { return pictures_; }
  std::size_t feature_count() const { return owner_.size(); }
  // Bytes held: the pictures' features and the chunk lists.
  std::size_t memory_bytes() const;

  // Library picture views the scanned features may show, most votes first (ties by index).
  std::vector<FeatureCandidate> Candidates(const hashing::LocalFeatures& scanned, const CandidateOptions& options) const;

 private:
  static constexpr int kChunks = 16;  // 16-bit chunks of a 256-bit descriptor
  static constexpr std::size_t kValues = 1u << 16;

  std::vector<LibraryPicture> pictures_;
  using Descriptor = std::array<std::uint64_t, 4>;
  std::vector<Descriptor> descriptors_;  // every stored feature's descriptor, by feature id, contiguous
  std::vector<std::uint32_t> owner_;     // its picture
  std::vector<std::uint8_t> view_;       // and view
  std::vector<std::uint32_t> offsets_;   // kChunks * kValues + 1 list starts into postings_
  std::vector<std::uint32_t> postings_;  // feature ids, grouped by (chunk, value)
};

}  // namespace hashtriage::index

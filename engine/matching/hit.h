// Hit: one known-image match of one file (or referral file) against one hash set, the single result
// type of the one matcher (engine/matching/known_matcher.h) shared by scan, intake, `index lookup` and
// re-matching. MatchKind says how it matched: an exact digest, a PDQ-family hash (plain, re-oriented,
// trimmed, a library variant...) or region cells. Plain values; safe to copy between threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/pdq_hash.h"
#include "index/category.h"
#include "index/membership.h"

namespace hashtriage::engine {

// Persistent format: the names (MatchKindName) are stored in case records and exports; the numbers
// are not. Append only.
enum class MatchKind : std::uint8_t {
  kMd5 = 0,
  kSha1 = 1,
  kSha256 = 2,
  kPdq = 3,                  // the query's PDQ (any of its 8 dihedral variants) near an indexed PDQ
  kPdqReoriented = 4,        // a physically re-oriented query hash
  kPdqTrimmed = 5,           // content without uniform borders / letterbox bars (query or library side)
  kPdqTrimmedUpscaled = 6,   // the same, upscaled when small
  kPdqUpscaled = 7,          // the query upscaled (downscaled re-shares)
  kPdqFrame = 8,             // a frame hypothesis of a picture padded on every side
  kPdqCrop95 = 9,            // library variants (index build): a centre crop of 95%
  kPdqCrop90 = 10,           //   ... of 90%
  kPdqRotatePlus4 = 11,      //   ... rotated +4 degrees
  kPdqRotateMinus4 = 12,     //   ... rotated -4 degrees
  kRegion = 13,              // enough grid cells of a library picture at the same positions
  kVideoFrame = 14,          // a frame of a video near an indexed still (or a frame of a known video)
  kVpdq = 15,                // a video matching a known video by the vPDQ rule (shares of frames matched)
  kGeometric = 16,           // local features of a library picture, verified by one similarity transform
};
inline constexpr int kMatchKindCount = 17;

// "md5", "sha1", "sha256", "pdq", "pdq-reoriented", "pdq-trimmed", "pdq-trimmed-upscaled",
// "pdq-upscaled", "pdq-frame", "pdq-crop95", "pdq-crop90", "pdq-rot+4", "pdq-rot-4", "region",
// "video-frame", "vpdq", "geometric".
// A library picture's own trimmed content (index build) reports as "pdq-trimmed" too.
std::string_view MatchKindName(MatchKind kind);
std::optional<MatchKind> ParseMatchKind(std::string_view name);
// What a geometric hit found (hashing/geometric_match.h), for an examiner to judge it: how many
// descriptor matches one transform explains, and the transform that carries the known picture into the
// scanned one.
struct GeometricEvidence {
  int inliers = 0;           // matches the transform explains (a hit needs 8)
  int matches = 0;           // descriptor matches that passed the ratio test
  // The known picture's size in the scanned one at their working sizes (640 px on the longer side;
  // smaller pictures as they are): 0.5, a picture as large as the scanned one shown at half its width;
  // 2, a crop of its middle half.
  double scale = 0;
  double rotation_degrees = 0;
  // The part of the scanned picture that holds the known one: x0, y0, x1, y1 as shares (0..1) of its
  // width and height.
  std::array<double, 4> region{};
  double visible = 0;        // share of the known picture inside the scanned one (a crop shows less)
  friend bool operator==(const GeometricEvidence&, const GeometricEvidence&) = default;
};

// Exact digests (md5, sha1, sha256) identify the very file; everything else is a near match that a
// specialist must confirm.
inline bool IsExactMatch(MatchKind kind) { return kind == MatchKind::kMd5 || kind == MatchKind::kSha1 || kind == MatchKind::kSha256; }
inline bool IsNearMatch(MatchKind kind) { return !IsExactMatch(kind); }

struct Hit {
  std::string set;
  index::Category category = index::Category::kUnknown;
  MatchKind kind = MatchKind::kMd5;
  int distance = 0;  // Hamming distance for near kinds (region: the deciding cell distance); 0 for exact
  // The dihedral variant of the query that matched (near kinds); nullopt for exact digests.
  std::optional<hashing::Dihedral> orientation;
  std::string media_id;
  std::string series;
  std::uint8_t flags = 0;    // index::EntryFlag bits
  bool low_quality = false;  // the query's PDQ quality is below 50: weaker evidence
  // PDQ-family kinds: the indexed hash that matched (hex); "" otherwise.
  std::string matched_hash;
  // Region kind: grid cells within the threshold at the same position, of those usable in both.
  int region_cells = 0;
  int region_usable_cells = 0;
  // Video kinds: seconds into the scanned video of the frame that matched (video-frame: the closest
  // frame; vpdq: the first matching frame).
  std::optional<double> timestamp;
  // vpdq: the shares (0..100) of the scanned video's distinct frames found in the known video (query)
  // and of the known video's distinct frames found in the scanned one (target), quality-filtered.
  double query_match = 0;
  double target_match = 0;
  // geometric: the verification's figures (its `distance` is 0: no hash distance applies).
  std::optional<GeometricEvidence> geometry;
  friend bool operator==(const Hit&, const Hit&) = default;
};

// Categories a kiosk officer must refer to the specialist unit: A, B, C, indecent-uncategorised, and a
// set whose category was not recorded (known material all the same). Non-indecent and ignorable
// (NSRL known software) sets never make a device a "known material" device.
bool IsKnownMaterial(index::Category category);
// A, B, C and indecent-uncategorised.
bool IsIndecent(index::Category category);

// A hit of `kind` carrying what the index says of the membership (set, category, media id, series, flags).
Hit HitOf(const index::Membership& membership, MatchKind kind);

// A stable identity of a hit for comparing two match runs (gained / lost): set, kind, media id,
// matched hash and orientation; the distance is not part of it.
std::string HitIdentity(const Hit& hit);

}  // namespace hashtriage::engine

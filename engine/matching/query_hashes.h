// QueryHashes: every hash one file (or one referral file) is matched with: its exact digests and its
// perceptual query hashes (plain PDQ, the eight dihedral variants, robust query variants such as the
// trimmed content, and region cells). A scan keeps them with the file record so the file can be
// re-matched after an index update without reading the evidence again (`hashtriage rematch`).
// Hashes only, never pixels. Plain value; safe to copy between threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/matching/hit.h"
#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "hashing/pdq_hash.h"
#include "hashing/status.h"
#include "hashing/video_hasher.h"

namespace hashtriage::engine {

// One extra PDQ query hash and the variant that produced it.
struct QueryVariant {
  MatchKind kind = MatchKind::kPdqTrimmed;
  hashing::Dihedral orientation = hashing::Dihedral::kOriginal;  // the orientation this hash assumes
  hashing::PdqHash hash;
  friend bool operator==(const QueryVariant&, const QueryVariant&) = default;
};

struct QueryHashes {
  std::optional<hashing::Md5Digest> md5;
  std::optional<hashing::Sha1Digest> sha1;
  std::optional<hashing::Sha256Digest> sha256;
  std::optional<hashing::PdqHash> pdq;  // the plain PDQ
  int pdq_quality = -1;                 // 0..100; -1 when unknown (a referral's PDQ)
  // The eight dihedral hashes (indexed by Dihedral) when computed; else only `pdq` is searched.
  std::optional<std::array<hashing::PdqHash, hashing::kDihedralCount>> dihedral;
  std::vector<QueryVariant> variants;
  hashing::RegionSignature region;  // grid 0 when not computed
  // A video's kept frame hashes (hashing/video_hasher.h), matched frame by frame and by the vPDQ rule.
  std::vector<hashing::VideoFrameHash> video_frames;

  bool empty() const { return !md5 && !sha1 && !sha256 && !pdq && video_frames.empty(); }
  bool has_region_cells() const { return region.grid > 0; }
};

// The query of a hashed file: its digests and, for an image, every perceptual query hash computed.
QueryHashes QueryFromFile(const hashing::DigestValues& digests, const std::optional<hashing::ImageHashes>& image);

// Compact binary form of the perceptual part (pdq, quality, dihedral, variants, region cells) for
// storage with a file record; the digests are stored as the record's own fields. Versioned: the first
// byte is the format version.
std::string EncodePerceptualQuery(const QueryHashes& query);
// Fills the perceptual part of `query` from EncodePerceptualQuery's bytes. Corruption when malformed.
Status DecodePerceptualQuery(std::string_view bytes, QueryHashes& query);

}  // namespace hashtriage::engine

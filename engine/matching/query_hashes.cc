#include "engine/matching/query_hashes.h"

#include <algorithm>

namespace hashtriage::engine {

namespace {

// Format 1: u8 version | u8 flags (1 pdq, 2 dihedral) | [pdq 32 | i8 quality] | [8 x 32 dihedral] |
// u16 variant count | count x (u8 kind | u8 orientation | 32 hash) | u8 grid | [grid^2 x (u8 ok | 32 hash)]
// | [flag 4: u32 frame count | count x (u32 frame number | u32 timestamp ms | u8 quality | 32 hash |
//   u8 has trimmed | [32 trimmed hash])].
constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kHasPdq = 1;
constexpr std::uint8_t kHasDihedral = 2;
constexpr std::uint8_t kHasVideo = 4;

constexpr std::size_t kHashBytes = 32;

// The four 64-bit words, each little-endian.
void PutHash(std::string& out, const hashing::PdqHash& h) {
  for (std::uint64_t w : h.words) {
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((w >> (8 * b)) & 0xFF));
  }
}

void PutU32(std::string& out, std::uint32_t v) {
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xFF));
}

class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
  bool Byte(std::uint8_t& v) {
    if (pos_ + 1 > bytes_.size()) return false;
    v = static_cast<std::uint8_t>(bytes_[pos_++]);
    return true;
  }
  bool Hash(hashing::PdqHash& h) {
    if (pos_ + kHashBytes > bytes_.size()) return false;
    for (std::uint64_t& w : h.words) {
      w = 0;
      for (int b = 0; b < 8; ++b) w |= std::uint64_t{static_cast<std::uint8_t>(bytes_[pos_++])} << (8 * b);
    }
    return true;
  }
  bool U32(std::uint32_t& v) {
    if (pos_ + 4 > bytes_.size()) return false;
    v = 0;
    for (int b = 0; b < 4; ++b) v |= std::uint32_t{static_cast<std::uint8_t>(bytes_[pos_++])} << (8 * b);
    return true;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

QueryHashes QueryFromFile(const hashing::DigestValues& digests, const std::optional<hashing::ImageHashes>& image) {
  QueryHashes q;
  q.md5 = digests.md5;
  q.sha1 = digests.sha1;
  q.sha256 = digests.sha256;
  if (!image) return q;
  q.pdq = image->pdq.hash;
  q.pdq_quality = image->pdq.quality;
  q.dihedral = image->dihedral;
  for (const hashing::PdqVariant& v : image->variants) {
    q.variants.push_back({ParseMatchKind(v.match_kind).value_or(MatchKind::kPdqTrimmed), v.dihedral, v.hash});
  }
  q.region = image->region;
  return q;
}

std::string EncodePerceptualQuery(const QueryHashes& q) {
  std::string out;
  out.push_back(static_cast<char>(kFormatVersion));
  const std::uint8_t flags =
      (q.pdq ? kHasPdq : 0) | (q.dihedral ? kHasDihedral : 0) | (q.video_frames.empty() ? 0 : kHasVideo);
  out.push_back(static_cast<char>(flags));
  if (q.pdq) {
    PutHash(out, *q.pdq);
    out.push_back(static_cast<char>(static_cast<std::int8_t>(q.pdq_quality)));
  }
  if (q.dihedral) {
    for (const auto& h : *q.dihedral) PutHash(out, h);
  }
  const std::size_t n = std::min<std::size_t>(q.variants.size(), 0xFFFF);
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n & 0xFF));
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(static_cast<char>(q.variants[i].kind));
    out.push_back(static_cast<char>(q.variants[i].orientation));
    PutHash(out, q.variants[i].hash);
  }
  const int grid = q.region.grid;
  out.push_back(static_cast<char>(grid));
  for (int c = 0; c < grid * grid; ++c) {
    const bool ok = static_cast<std::size_t>(c) < q.region.ok.size() && q.region.ok[c] != 0;
    out.push_back(static_cast<char>(ok ? 1 : 0));
    PutHash(out, static_cast<std::size_t>(c) < q.region.cells.size() ? q.region.cells[c] : hashing::PdqHash());
  }
  if (!q.video_frames.empty()) {
    PutU32(out, static_cast<std::uint32_t>(q.video_frames.size()));
    for (const hashing::VideoFrameHash& f : q.video_frames) {
      PutU32(out, static_cast<std::uint32_t>(f.frame_number));
      PutU32(out, static_cast<std::uint32_t>(f.timestamp * 1000 + 0.5));
      out.push_back(static_cast<char>(f.quality));
      PutHash(out, f.hash);
      out.push_back(static_cast<char>(f.trimmed ? 1 : 0));
      if (f.trimmed) PutHash(out, *f.trimmed);
    }
  }
  return out;
}

Status DecodePerceptualQuery(std::string_view bytes, QueryHashes& q) {
  const Status bad = Status::Corruption("stored query hashes are malformed");
  Cursor in(bytes);
  std::uint8_t version = 0, flags = 0;
  if (!in.Byte(version)) return bad;
  if (version != kFormatVersion) {
    return Status::NotSupported("stored query hashes have format " + std::to_string(version) +
                                "; this hashtriage reads format " + std::to_string(kFormatVersion));
  }
  if (!in.Byte(flags)) return bad;
  if (flags & kHasPdq) {
    hashing::PdqHash h;
    std::uint8_t quality = 0;
    if (!in.Hash(h) || !in.Byte(quality)) return bad;
    q.pdq = h;
    q.pdq_quality = static_cast<std::int8_t>(quality);
  }
  if (flags & kHasDihedral) {
    std::array<hashing::PdqHash, hashing::kDihedralCount> all;
    for (auto& h : all) {
      if (!in.Hash(h)) return bad;
    }
    q.dihedral = all;
  }
  std::uint8_t hi = 0, lo = 0;
  if (!in.Byte(hi) || !in.Byte(lo)) return bad;
  const int count = hi << 8 | lo;
  q.variants.clear();
  for (int i = 0; i < count; ++i) {
    std::uint8_t kind = 0, orientation = 0;
    QueryVariant v;
    if (!in.Byte(kind) || !in.Byte(orientation) || !in.Hash(v.hash)) return bad;
    if (kind >= kMatchKindCount || orientation >= hashing::kDihedralCount) return bad;
    v.kind = static_cast<MatchKind>(kind);
    v.orientation = static_cast<hashing::Dihedral>(orientation);
    q.variants.push_back(v);
  }
  std::uint8_t grid = 0;
  if (!in.Byte(grid)) return bad;
  if (grid > 16) return bad;
  q.region = {};
  q.region.grid = grid;
  for (int c = 0; c < grid * grid; ++c) {
    std::uint8_t ok = 0;
    hashing::PdqHash h;
    if (!in.Byte(ok) || !in.Hash(h)) return bad;
    q.region.ok.push_back(ok);
    q.region.cells.push_back(h);
  }
  q.video_frames.clear();
  if (flags & kHasVideo) {
    std::uint32_t count = 0;
    if (!in.U32(count) || count > (1u << 24)) return bad;
    for (std::uint32_t i = 0; i < count; ++i) {
      std::uint32_t frame = 0, millis = 0;
      std::uint8_t quality = 0;
      hashing::VideoFrameHash f;
      std::uint8_t has_trimmed = 0;
      if (!in.U32(frame) || !in.U32(millis) || !in.Byte(quality) || !in.Hash(f.hash) || quality > 100 ||
          !in.Byte(has_trimmed) || has_trimmed > 1) {
        return bad;
      }
      if (has_trimmed) {
        hashing::PdqHash t;
        if (!in.Hash(t)) return bad;
        f.trimmed = t;
      }
      f.frame_number = frame;
      f.timestamp = millis / 1000.0;
      f.quality = quality;
      q.video_frames.push_back(f);
    }
  }
  return in.done() ? Status::Ok() : bad;
}

}  // namespace hashtriage::engine

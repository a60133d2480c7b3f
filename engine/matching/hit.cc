#include "engine/matching/hit.h"

#include <array>

namespace hashtriage::engine {

namespace {
constexpr std::array<std::string_view, kMatchKindCount> kNames = {
    "md5",        "sha1",       "sha256",    "pdq",       "pdq-reoriented",      "pdq-trimmed",
    "pdq-trimmed-upscaled", "pdq-upscaled", "pdq-frame", "pdq-crop95", "pdq-crop90", "pdq-rot+4",
    "pdq-rot-4",  "region",     "video-frame", "vpdq", "geometric"};
}  // namespace

std::string_view MatchKindName(MatchKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::optional<MatchKind> ParseMatchKind(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<MatchKind>(i);
  }
  return std::nullopt;
}

Hit HitOf(const index::Membership& m, MatchKind kind) {
  Hit h;
  h.set = m.set_name;
  h.category = m.info.category;
  h.kind = kind;
  h.media_id = m.info.media_id;
  h.series = m.info.series;
  h.flags = m.info.flags;
  return h;
}

bool IsIndecent(index::Category c) {
  return c == index::Category::kA || c == index::Category::kB || c == index::Category::kC ||
         c == index::Category::kIndecentUncategorised;
}

bool IsKnownMaterial(index::Category c) { return IsIndecent(c) || c == index::Category::kUnknown; }

std::string HitIdentity(const Hit& hit) {
  std::string id = hit.set;
  id += '|';
  id += MatchKindName(hit.kind);
  id += '|';
  id += hit.media_id;
  id += '|';
  id += hit.matched_hash;
  id += '|';
  if (hit.orientation) id += hashing::DihedralName(*hit.orientation);
  return id;
}

}  // namespace hashtriage::engine

#include "engine/case/kv/hit_codec.h"

namespace hashtriage::engine::kv {

namespace {

Json GeometryToJson(const GeometricEvidence& g) {
  return Json{{"inliers", g.inliers},   {"matches", g.matches}, {"scale", g.scale},
              {"rotation", g.rotation_degrees}, {"region", g.region}, {"visible", g.visible}};
}

GeometricEvidence GeometryFromJson(const Json& j) {
  GeometricEvidence g;
  g.inliers = static_cast<int>(Int(j, "inliers"));
  g.matches = static_cast<int>(Int(j, "matches"));
  g.scale = j.value("scale", 0.0);
  g.rotation_degrees = j.value("rotation", 0.0);
  g.visible = j.value("visible", 0.0);
  if (j.contains("region") && j["region"].is_array() && j["region"].size() == 4) {
    for (std::size_t i = 0; i < 4; ++i) g.region[i] = j["region"][i].is_number() ? j["region"][i].get<double>() : 0.0;
  }
  return g;
}

}  // namespace

Json HitsToJson(const std::vector<Hit>& hits) {
  Json out = Json::array();
  for (const Hit& h : hits) {
    Json j{{"set", h.set},
           {"category", std::string(index::CategoryName(h.category))},
           {"kind", std::string(MatchKindName(h.kind))},
           {"distance", h.distance}};
    if (h.orientation) j["orientation"] = std::string(hashing::DihedralName(*h.orientation));
    if (!h.media_id.empty()) j["media_id"] = h.media_id;
    if (!h.series.empty()) j["series"] = h.series;
    if (h.flags != 0) j["flags"] = h.flags;
    if (h.low_quality) j["low_quality"] = true;
    if (!h.matched_hash.empty()) j["matched_hash"] = h.matched_hash;
    if (h.region_usable_cells > 0) {
      j["region_cells"] = h.region_cells;
      j["region_usable_cells"] = h.region_usable_cells;
    }
    if (h.timestamp) j["timestamp"] = *h.timestamp;
    if (h.kind == MatchKind::kVpdq) {
      j["query_match"] = h.query_match;
      j["target_match"] = h.target_match;
    }
    if (h.geometry) j["geometry"] = GeometryToJson(*h.geometry);
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<Hit> HitsFromJson(const Json& array) {
  std::vector<Hit> hits;
  if (!array.is_array()) return hits;
  for (const Json& j : array) {
    Hit h;
    h.set = Str(j, "set");
    h.category = index::ParseCategory(Str(j, "category")).value_or(index::Category::kUnknown);
    h.kind = ParseMatchKind(Str(j, "kind")).value_or(MatchKind::kPdq);
    h.distance = static_cast<int>(Int(j, "distance"));
    const std::string orientation = Str(j, "orientation");
    for (int d = 0; d < hashing::kDihedralCount && !orientation.empty(); ++d) {
      if (hashing::DihedralName(static_cast<hashing::Dihedral>(d)) == orientation) {
        h.orientation = static_cast<hashing::Dihedral>(d);
      }
    }
    h.media_id = Str(j, "media_id");
    h.series = Str(j, "series");
    h.flags = static_cast<std::uint8_t>(Int(j, "flags"));
    h.low_quality = Bool(j, "low_quality");
    h.matched_hash = Str(j, "matched_hash");
    h.region_cells = static_cast<int>(Int(j, "region_cells"));
    h.region_usable_cells = static_cast<int>(Int(j, "region_usable_cells"));
    if (j.contains("timestamp") && j["timestamp"].is_number()) h.timestamp = j["timestamp"].get<double>();
    if (j.contains("query_match") && j["query_match"].is_number()) h.query_match = j["query_match"].get<double>();
    if (j.contains("target_match") && j["target_match"].is_number()) h.target_match = j["target_match"].get<double>();
    if (j.contains("geometry") && j["geometry"].is_object()) h.geometry = GeometryFromJson(j["geometry"]);
    hits.push_back(std::move(h));
  }
  return hits;
}

std::string HexOf(const std::optional<hashing::Md5Digest>& d) { return d ? d->hex() : ""; }
std::string HexOf(const std::optional<hashing::Sha1Digest>& d) { return d ? d->hex() : ""; }
std::string HexOf(const std::optional<hashing::Sha256Digest>& d) { return d ? d->hex() : ""; }
std::string HexOf(const std::optional<hashing::Xxh3Digest>& d) { return d ? d->hex() : ""; }

}  // namespace hashtriage::engine::kv

#include "engine/file_record.h"

#include "engine/time_util.h"

namespace hashtriage::engine {

bool IsIndecent(index::Category category) {
  return category == index::Category::kA || category == index::Category::kB || category == index::Category::kC ||
         category == index::Category::kIndecentUncategorised;
}

std::vector<Hit> HitsFromMemberships(const std::vector<index::Membership>& memberships, const std::string& kind) {
  std::vector<Hit> hits;
  for (const auto& m : memberships) {
    Hit h;
    h.set = m.set_name;
    h.category = m.info.category;
    h.kind = kind;
    h.media_id = m.info.media_id;
    h.series = m.info.series;
    h.flags = m.info.flags;
    hits.push_back(std::move(h));
  }
  return hits;
}

namespace {
nlohmann::ordered_json OptionalTime(const std::optional<std::int64_t>& t) {
  return t ? nlohmann::ordered_json(FormatIso8601(*t)) : nlohmann::ordered_json(nullptr);
}
nlohmann::ordered_json HexOrNull(const std::string& hex) {
  return hex.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(hex);
}
}  // namespace

nlohmann::ordered_json FileRecord::ToJson(const std::string& evidence_id) const {
  nlohmann::ordered_json j;
  j["evidence"] = evidence_id;
  j["path"] = info.path;
  j["original_path"] = info.original_path;
  j["kind"] = std::string(ingest::ItemKindName(info.kind));
  j["size"] = info.size;
  j["created"] = OptionalTime(info.created);
  j["modified"] = OptionalTime(info.modified);
  j["accessed"] = OptionalTime(info.accessed);
  j["deleted"] = info.deleted;
  j["carved"] = info.carved;
  j["inside_archive"] = info.inside_archive;
  j["md5"] = HexOrNull(digests.Hex(hashing::DigestKind::kMd5));
  j["sha1"] = HexOrNull(digests.Hex(hashing::DigestKind::kSha1));
  j["sha256"] = HexOrNull(digests.Hex(hashing::DigestKind::kSha256));
  j["xxh3_128"] = HexOrNull(digests.Hex(hashing::DigestKind::kXxh3));
  if (image) {
    j["pdq"] = image->pdq.hash.hex();
    j["pdq_quality"] = image->pdq.quality;
    j["width"] = image->width;
    j["height"] = image->height;
    j["format"] = std::string(hashing::ImageFormatName(image->format));
  } else {
    j["pdq"] = nullptr;
    j["pdq_quality"] = nullptr;
    j["width"] = nullptr;
    j["height"] = nullptr;
    j["format"] = nullptr;
  }
  j["error"] = error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(error);
  j["anomaly"] = info.anomaly.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(info.anomaly);
  auto& hits_json = j["hits"] = nlohmann::ordered_json::array();
  for (const Hit& h : hits) {
    nlohmann::ordered_json hj;
    hj["set"] = h.set;
    hj["category"] = std::string(index::CategoryName(h.category));
    hj["kind"] = h.kind;
    hj["distance"] = h.distance;
    hj["orientation"] = h.orientation;
    hj["media_id"] = h.media_id;
    hj["series"] = h.series;
    hj["flags"] = h.flags;
    hj["low_quality"] = h.low_quality;
    hits_json.push_back(std::move(hj));
  }
  return j;
}

}  // namespace hashtriage::engine

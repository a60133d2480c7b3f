#include "engine/scan/file_export.h"

#include "engine/time_util.h"

namespace hashtriage::engine {

namespace {

using OJson = nlohmann::ordered_json;

OJson OptionalTime(const std::optional<std::int64_t>& t) { return t ? OJson(FormatIso8601(*t)) : OJson(nullptr); }
template <typename Digest>
OJson HexOrNull(const std::optional<Digest>& d) {
  return d ? OJson(d->hex()) : OJson(nullptr);
}
OJson TextOrNull(const std::string& s) { return s.empty() ? OJson(nullptr) : OJson(s); }

}  // namespace

const std::vector<std::string>& FileExportColumns() {
  static const std::vector<std::string> kColumns = {
      "evidence", "path",   "original_path", "kind",     "size",     "created",  "modified", "accessed",
      "deleted",  "carved", "image_offset", "thumbnail", "inside_archive", "md5",     "sha1",     "sha256",   "xxh3_128", "pdq",
      "pdq_quality", "width", "height",      "format",   "video_duration", "video_frames_hashed", "error",    "hits"};
  return kColumns;
}

OJson FileRecordJson(const FileRecord& r, const std::string& evidence_id) {
  OJson j;
  j["evidence"] = evidence_id;
  j["path"] = r.info.path;
  j["original_path"] = r.info.original_path;
  j["kind"] = std::string(ingest::ItemKindName(r.info.kind));
  j["size"] = r.info.size;
  j["created"] = OptionalTime(r.info.created);
  j["modified"] = OptionalTime(r.info.modified);
  j["accessed"] = OptionalTime(r.info.accessed);
  j["deleted"] = r.info.deleted;
  j["carved"] = r.info.carved;
  j["image_offset"] = r.info.image_offset ? OJson(*r.info.image_offset) : OJson(nullptr);
  j["thumbnail"] = r.info.thumbnail;
  j["inside_archive"] = r.info.inside_archive;
  j["md5"] = HexOrNull(r.digests.md5);
  j["sha1"] = HexOrNull(r.digests.sha1);
  j["sha256"] = HexOrNull(r.digests.sha256);
  j["xxh3_128"] = HexOrNull(r.digests.xxh3);
  if (r.image) {
    j["pdq"] = r.image->pdq.hex();
    j["pdq_quality"] = r.image->quality;
    j["width"] = r.image->width;
    j["height"] = r.image->height;
    j["format"] = std::string(hashing::ImageFormatName(r.image->format));
  } else if (r.video) {
    j["pdq"] = j["pdq_quality"] = nullptr;
    j["width"] = r.video->width;
    j["height"] = r.video->height;
    j["format"] = r.video->codec;
  } else {
    j["pdq"] = j["pdq_quality"] = j["width"] = j["height"] = j["format"] = nullptr;
  }
  j["video_duration"] = r.video ? OJson(r.video->duration) : OJson(nullptr);
  j["video_frames_hashed"] = r.video ? OJson(r.query.video_frames.size()) : OJson(nullptr);
  j["error"] = TextOrNull(r.error);
  auto& hits = j["hits"] = OJson::array();
  for (const Hit& h : r.hits) {
    OJson hj;
    hj["set"] = h.set;
    hj["category"] = std::string(index::CategoryName(h.category));
    hj["kind"] = std::string(MatchKindName(h.kind));
    hj["distance"] = h.distance;
    hj["orientation"] = h.orientation ? std::string(hashing::DihedralName(*h.orientation)) : "";
    hj["media_id"] = h.media_id;
    hj["series"] = h.series;
    hj["flags"] = h.flags;
    hj["low_quality"] = h.low_quality;
    hj["timestamp"] = h.timestamp ? OJson(*h.timestamp) : OJson(nullptr);
    if (h.kind == MatchKind::kVpdq) {
      hj["query_match"] = h.query_match;
      hj["target_match"] = h.target_match;
    }
    if (h.geometry) {
      const GeometricEvidence& g = *h.geometry;
      hj["inliers"] = g.inliers;
      hj["scale"] = g.scale;
      hj["rotation"] = g.rotation_degrees;
      hj["region"] = OJson::array({g.region[0], g.region[1], g.region[2], g.region[3]});
      hj["visible"] = g.visible;
    }
    hits.push_back(std::move(hj));
  }
  j["anomaly"] = TextOrNull(r.info.anomaly);
  return j;
}

}  // namespace hashtriage::engine

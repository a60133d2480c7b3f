#include "engine/case/kv/evidence_json.h"

#include "engine/case/kv/hit_codec.h"
#include "hashing/digests.h"

namespace hashtriage::engine::kv {

namespace {

Json FingerprintJson(const EvidenceFingerprint& f) {
  return Json{{"kind", f.kind},         {"dev", f.dev},           {"inode", f.inode},
              {"size", f.size},         {"mtime_ns", f.mtime_ns}, {"ctime_ns", f.ctime_ns},
              {"head_tail_sha256", f.head_tail_sha256}, {"tree_sha256", f.tree_sha256},
              {"tree_entries", f.tree_entries}};
}

EvidenceFingerprint FingerprintFrom(const Json& j) {
  EvidenceFingerprint f;
  f.kind = Str(j, "kind");
  f.dev = UInt(j, "dev");
  f.inode = UInt(j, "inode");
  f.size = UInt(j, "size");
  f.mtime_ns = Int(j, "mtime_ns");
  f.ctime_ns = Int(j, "ctime_ns");
  f.head_tail_sha256 = Str(j, "head_tail_sha256");
  f.tree_sha256 = Str(j, "tree_sha256");
  f.tree_entries = UInt(j, "tree_entries");
  return f;
}

Json SettingsJson(const ScanSettings& s) {
  return Json{{"type", s.type},           {"evidence_id", s.evidence_id}, {"archives", s.archives},
              {"max_archive_depth", s.max_archive_depth}, {"deleted", s.deleted},
              {"threshold", s.threshold}, {"dihedral", s.dihedral},       {"region_cells", s.region_cells},
              {"max_pixels", s.max_pixels}, {"max_image_bytes", s.max_image_bytes},
              {"carve", s.carve},         {"max_carve_bytes", s.max_carve_bytes}, {"thumbnails", s.thumbnails},
              {"video", s.video}, {"video_seconds_per_frame", s.video_seconds_per_frame},
              {"vpdq_query_match", s.vpdq_query_match}, {"vpdq_target_match", s.vpdq_target_match},
              {"geometric", s.geometric}};
}

ScanSettings SettingsFrom(const Json& j) {
  ScanSettings s;
  s.type = Str(j, "type");
  s.evidence_id = Str(j, "evidence_id");
  s.archives = Bool(j, "archives", true);
  s.max_archive_depth = static_cast<int>(Int(j, "max_archive_depth", 4));
  s.deleted = Bool(j, "deleted", true);
  s.threshold = static_cast<int>(Int(j, "threshold", 31));
  s.dihedral = Bool(j, "dihedral", true);
  s.region_cells = static_cast<int>(Int(j, "region_cells", 7));
  s.max_pixels = UInt(j, "max_pixels");
  s.max_image_bytes = UInt(j, "max_image_bytes");
  // Scans recorded before carving and thumbnails existed did neither.
  s.carve = Bool(j, "carve", false);
  s.max_carve_bytes = UInt(j, "max_carve_bytes");
  s.geometric = Bool(j, "geometric", true);
  s.thumbnails = Bool(j, "thumbnails", false);
  // ... nor videos.
  s.video = Bool(j, "video", false);
  s.video_seconds_per_frame = Double(j, "video_seconds_per_frame", 1);
  s.vpdq_query_match = Double(j, "vpdq_query_match", 0);
  s.vpdq_target_match = Double(j, "vpdq_target_match", 50);
  return s;
}

Json CountsJson(const EvidenceCounts& c) {
  Json by = Json::object();
  for (int k = 0; k < index::kCategoryCount; ++k) {
    const auto& n = c.by_category[k];
    if (n.exact + n.near == 0) continue;
    by[std::string(index::CategoryName(static_cast<index::Category>(k)))] = Json{{"exact", n.exact}, {"near", n.near}};
  }
  return Json{{"files", c.files},   {"images", c.images}, {"carved", c.carved}, {"thumbnails", c.thumbnails}, {"videos", c.videos}, {"video_frames", c.video_frames}, {"bytes", c.bytes}, {"errors", c.errors},
              {"files_with_hits", c.files_with_hits},
              {"images_without_region_cells", c.images_without_region_cells}, {"by_category", by}};
}

EvidenceCounts CountsFrom(const Json& j) {
  EvidenceCounts c;
  c.files = UInt(j, "files");
  c.images = UInt(j, "images");
  c.carved = UInt(j, "carved");
  c.thumbnails = UInt(j, "thumbnails");
  c.videos = UInt(j, "videos");
  c.video_frames = UInt(j, "video_frames");
  c.bytes = UInt(j, "bytes");
  c.errors = UInt(j, "errors");
  c.files_with_hits = UInt(j, "files_with_hits");
  c.images_without_region_cells = UInt(j, "images_without_region_cells");
  for (const auto& [name, n] : Obj(j, "by_category").items()) {
    if (auto cat = index::ParseCategory(name)) {
      c.by_category[static_cast<int>(*cat)] = {UInt(n, "exact"), UInt(n, "near")};
    }
  }
  return c;
}

Json StampJson(const IndexStamp& s) {
  Json sets = Json::array();
  for (const SetStamp& set : s.sets) {
    Json by = Json::array();
    for (auto n : set.by_category) by.push_back(n);
    sets.push_back(Json{{"name", set.name},        {"generation", set.generation}, {"format", set.format},
                        {"imported_unix", set.imported_unix}, {"entries", set.entries}, {"by_category", by}});
  }
  return Json{{"path", s.path}, {"digest", s.digest}, {"sets", sets}};
}

IndexStamp StampFrom(const Json& j) {
  IndexStamp s;
  s.path = Str(j, "path");
  s.digest = Str(j, "digest");
  for (const Json& set : Arr(j, "sets")) {
    SetStamp st;
    st.name = Str(set, "name");
    st.generation = static_cast<std::uint32_t>(UInt(set, "generation"));
    st.format = Str(set, "format");
    st.imported_unix = Int(set, "imported_unix");
    for (const auto& [type, n] : Obj(set, "entries").items()) {
      if (n.is_number_unsigned()) st.entries[type] = n.get<std::uint64_t>();
    }
    const Json& by = Arr(set, "by_category");
    for (std::size_t k = 0; k < by.size() && k < st.by_category.size(); ++k) {
      if (by[k].is_number_unsigned()) st.by_category[k] = by[k].get<std::uint64_t>();
    }
    s.sets.push_back(std::move(st));
  }
  return s;
}

ingest::ItemKind ItemKindFrom(const std::string& name) {
  for (auto k : {ingest::ItemKind::kFile, ingest::ItemKind::kSymlink, ingest::ItemKind::kSpecial, ingest::ItemKind::kError}) {
    if (ingest::ItemKindName(k) == name) return k;
  }
  return ingest::ItemKind::kError;
}

hashing::ImageFormat ImageFormatFrom(const std::string& name) {
  for (int f = 0; f <= static_cast<int>(hashing::ImageFormat::kHeif); ++f) {
    if (hashing::ImageFormatName(static_cast<hashing::ImageFormat>(f)) == name) return static_cast<hashing::ImageFormat>(f);
  }
  return hashing::ImageFormat::kUnknown;
}

}  // namespace

Json EvidenceRecordToJson(const EvidenceRecord& e) {
  Json rematches = Json::array();
  for (const RematchRecord& r : e.rematches) {
    rematches.push_back(Json{{"at", r.at},                   {"index_digest", r.index_digest},
                             {"hits_gained", r.hits_gained}, {"hits_lost", r.hits_lost},
                             {"files_changed", r.files_changed}});
  }
  const auto& i = e.integrity;
  Json j{{"number", e.number},
         {"id", e.id},
         {"source", e.source},
         {"source_absolute", e.source_absolute},
         {"type", e.type},
         {"settings", SettingsJson(e.settings)},
         {"fingerprint", FingerprintJson(e.fingerprint)},
         {"subject", e.subject},
         {"examiner", e.examiner},
         {"tool_version", e.tool_version},
         {"started", e.started},
         {"started_utc", e.started_utc},
         {"finished", e.finished},
         {"finished_utc", e.finished_utc},
         {"status", std::string(EvidenceStatusName(e.status))},
         {"error", e.error},
         {"integrity", Json{{"computed", i.computed}, {"md5", i.md5}, {"sha1", i.sha1}, {"bytes", i.bytes},
                            {"stored_hash_check", i.stored_hash_check}, {"not_computed", i.not_computed}}},
         {"verified_at_end", Json{{"state", e.verified_at_end.state}, {"method", e.verified_at_end.method},
                                  {"detail", e.verified_at_end.detail}}},
         {"counts", CountsJson(e.counts)},
         {"matched_against", StampJson(e.matched_against)},
         {"rematches", rematches},
         {"geometric_checked", e.geometric_checked}};
  if (!e.submitted_by.empty()) j["submitted_by"] = e.submitted_by;
  return j;
}

Result<EvidenceRecord> EvidenceRecordFromJson(const Json& j) {
  if (!j.is_object()) return Status::Corruption("an evidence record must be a JSON object");
  EvidenceRecord e;
  e.number = static_cast<std::uint32_t>(UInt(j, "number"));
  e.id = Str(j, "id");
  e.source = Str(j, "source");
  e.source_absolute = Str(j, "source_absolute");
  e.type = Str(j, "type");
  e.settings = SettingsFrom(Obj(j, "settings"));
  e.fingerprint = FingerprintFrom(Obj(j, "fingerprint"));
  e.subject = Str(j, "subject");
  e.examiner = Str(j, "examiner");
  e.submitted_by = Str(j, "submitted_by");
  e.tool_version = Str(j, "tool_version");
  e.started = Int(j, "started");
  e.started_utc = Int(j, "started_utc");
  e.finished = Int(j, "finished");
  e.finished_utc = Int(j, "finished_utc");
  const std::string status = Str(j, "status");
  e.status = status == "complete" ? EvidenceStatus::kComplete
             : status == "incomplete" ? EvidenceStatus::kIncomplete
                                      : EvidenceStatus::kRunning;
  e.error = Str(j, "error");
  const Json& i = Obj(j, "integrity");
  e.integrity = {Bool(i, "computed"), Str(i, "md5"), Str(i, "sha1"), UInt(i, "bytes"), Str(i, "stored_hash_check"),
                 Str(i, "not_computed")};
  const Json& v = Obj(j, "verified_at_end");
  e.verified_at_end = {Str(v, "state"), Str(v, "method"), Str(v, "detail")};
  e.counts = CountsFrom(Obj(j, "counts"));
  e.matched_against = StampFrom(Obj(j, "matched_against"));
  for (const auto& [name, generation] : Obj(j, "geometric_checked").items()) {
    if (generation.is_number_unsigned()) e.geometric_checked[name] = generation.get<std::uint32_t>();
  }
  for (const Json& r : Arr(j, "rematches")) {
    e.rematches.push_back({Int(r, "at"), Str(r, "index_digest"), UInt(r, "hits_gained"), UInt(r, "hits_lost"),
                           UInt(r, "files_changed")});
  }
  return e;
}

Json FileRecordToJson(const FileRecord& r) {
  const ingest::ItemInfo& info = r.info;
  Json j{{"evidence", r.evidence},
         {"seq", r.seq},
         {"path", info.path},
         {"original_path", info.original_path},
         {"evidence_id", info.evidence_id},
         {"kind", std::string(ingest::ItemKindName(info.kind))},
         {"size", info.size},
         {"created", OptJson(info.created)},
         {"modified", OptJson(info.modified)},
         {"accessed", OptJson(info.accessed)},
         {"deleted", info.deleted},
         {"carved", info.carved},
         {"image_offset", info.image_offset ? Json(*info.image_offset) : Json(nullptr)},
         {"thumbnail", info.thumbnail},
         {"inside_archive", info.inside_archive},
         {"anomaly", info.anomaly},
         {"size_read", r.size_read ? Json(*r.size_read) : Json(nullptr)},
         {"md5", HexOf(r.digests.md5)},
         {"sha1", HexOf(r.digests.sha1)},
         {"sha256", HexOf(r.digests.sha256)},
         {"xxh3_128", HexOf(r.digests.xxh3)},
         {"hits", HitsToJson(r.hits)},
         {"error", r.error}};
  if (r.image) {
    j["image"] = Json{{"format", std::string(hashing::ImageFormatName(r.image->format))},
                      {"width", r.image->width},
                      {"height", r.image->height},
                      {"pdq", r.image->pdq.hex()},
                      {"quality", r.image->quality}};
  }
  if (r.video) {
    j["video"] = Json{{"container", r.video->container},   {"codec", r.video->codec},
                      {"width", r.video->width},           {"height", r.video->height},
                      {"fps", r.video->fps},               {"duration", r.video->duration},
                      {"frames_decoded", r.video->frames_decoded}, {"frames_sampled", r.video->frames_sampled}};
  }
  if (r.query.pdq || !r.query.video_frames.empty()) {
    const std::string blob = EncodePerceptualQuery(r.query);
    j["query"] = Json::binary(std::vector<std::uint8_t>(blob.begin(), blob.end()));
  }
  return j;
}

Result<FileRecord> FileRecordFromJson(const Json& j) {
  if (!j.is_object()) return Status::Corruption("a file record must be a JSON object");
  FileRecord r;
  r.evidence = static_cast<std::uint32_t>(UInt(j, "evidence"));
  r.seq = UInt(j, "seq");
  ingest::ItemInfo& info = r.info;
  info.path = Str(j, "path");
  info.original_path = Str(j, "original_path");
  info.evidence_id = Str(j, "evidence_id");
  info.kind = ItemKindFrom(Str(j, "kind"));
  info.size = UInt(j, "size");
  info.created = OptInt(j, "created");
  info.modified = OptInt(j, "modified");
  info.accessed = OptInt(j, "accessed");
  info.deleted = Bool(j, "deleted");
  info.carved = Bool(j, "carved");
  if (j.contains("image_offset") && j["image_offset"].is_number_unsigned()) {
    info.image_offset = j["image_offset"].get<std::uint64_t>();
  }
  info.thumbnail = Bool(j, "thumbnail");
  info.inside_archive = Bool(j, "inside_archive");
  info.anomaly = Str(j, "anomaly");
  if (j.contains("size_read") && j["size_read"].is_number_unsigned()) r.size_read = j["size_read"].get<std::uint64_t>();
  r.digests.md5 = DigestFromHex<hashing::Md5Digest>(Str(j, "md5"));
  r.digests.sha1 = DigestFromHex<hashing::Sha1Digest>(Str(j, "sha1"));
  r.digests.sha256 = DigestFromHex<hashing::Sha256Digest>(Str(j, "sha256"));
  r.digests.xxh3 = DigestFromHex<hashing::Xxh3Digest>(Str(j, "xxh3_128"));
  r.hits = HitsFromJson(Arr(j, "hits"));
  r.error = Str(j, "error");
  const Json& image = Obj(j, "image");
  if (!image.empty()) {
    FileRecord::Image im;
    im.format = ImageFormatFrom(Str(image, "format"));
    im.width = static_cast<int>(Int(image, "width"));
    im.height = static_cast<int>(Int(image, "height"));
    auto pdq = hashing::PdqHash::FromHex(Str(image, "pdq"));
    if (!pdq.ok()) return Status::Corruption("file record: malformed pdq");
    im.pdq = *pdq;
    im.quality = static_cast<int>(Int(image, "quality"));
    r.image = im;
  }
  const Json& video = Obj(j, "video");
  if (!video.empty()) {
    FileRecord::Video v;
    v.container = Str(video, "container");
    v.codec = Str(video, "codec");
    v.width = static_cast<int>(Int(video, "width"));
    v.height = static_cast<int>(Int(video, "height"));
    v.fps = Double(video, "fps", 0);
    v.duration = Double(video, "duration", 0);
    v.frames_decoded = Int(video, "frames_decoded");
    v.frames_sampled = Int(video, "frames_sampled");
    r.video = v;
  }
  r.query.md5 = r.digests.md5;
  r.query.sha1 = r.digests.sha1;
  r.query.sha256 = r.digests.sha256;
  if (j.contains("query") && j["query"].is_binary()) {
    const auto& blob = j["query"].get_binary();
    HT_RETURN_IF_ERROR(DecodePerceptualQuery(
        std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()), r.query));
  }
  return r;
}

}  // namespace hashtriage::engine::kv

#include "engine/case/evidence_catalogue.h"

#include "hashing/robust_variants.h"

namespace hashtriage::engine {

std::string ScanSettings::Key() const {
  return "type=" + type + ";evidence_id=" + evidence_id + ";archives=" + std::to_string(archives) +
         ";depth=" + std::to_string(max_archive_depth) + ";deleted=" + std::to_string(deleted) +
         ";threshold=" + std::to_string(threshold) + ";dihedral=" + std::to_string(dihedral) +
         ";region_cells=" + std::to_string(region_cells) + ";max_pixels=" + std::to_string(max_pixels) +
         ";max_image_bytes=" + std::to_string(max_image_bytes) + ";carve=" + std::to_string(carve) +
         ";max_carve_bytes=" + std::to_string(max_carve_bytes) + ";thumbnails=" + std::to_string(thumbnails) +
         ";video=" + std::to_string(video) + ";video_seconds=" + std::to_string(video_seconds_per_frame) +
         ";vpdq_query=" + std::to_string(vpdq_query_match) + ";vpdq_target=" + std::to_string(vpdq_target_match) +
         (geometric ? "" : ";geometric=0");  // absent when on, so keys of scans before the stage still resume
}

std::string_view EvidenceStatusName(EvidenceStatus status) {
  switch (status) {
    case EvidenceStatus::kRunning: return "running";
    case EvidenceStatus::kComplete: return "complete";
    case EvidenceStatus::kIncomplete: return "incomplete";
  }
  return "running";
}

std::string EvidenceIntegrityRecord::Text() const {
  if (!computed) return "no single-file hash (" + not_computed + ")";
  std::string text = "md5 " + md5 + ", sha1 " + sha1;
  if (!stored_hash_check.empty() && stored_hash_check != "not-applicable") {
    text += " (stored hashes: " + stored_hash_check + ")";
  }
  return text;
}

bool AwaitsPictureRecheck(const FileRecord& record) {
  return record.image && record.hits.empty() && record.error.empty() && record.digests.xxh3.has_value();
}

bool AwaitsRegionCells(const FileRecord& record) {
  return AwaitsPictureRecheck(record) && !record.query.has_region_cells() &&
         hashing::RegionCellsPossible(record.image->width, record.image->height);
}

void CountFileRecord(const FileRecord& rec, EvidenceCounts& s) {
  if (rec.info.thumbnail) {
    ++s.thumbnails;
  } else if (rec.info.kind == ingest::ItemKind::kFile) {
    ++s.files;
    if (rec.info.carved) ++s.carved;
    s.bytes += rec.size_read.value_or(0);
  }
  if (rec.video) {
    ++s.videos;
    s.video_frames += rec.query.video_frames.size();
  }
  if (rec.image && !rec.info.thumbnail) ++s.images;
  if (AwaitsRegionCells(rec)) ++s.images_without_region_cells;
  if (!rec.error.empty()) ++s.errors;
  if (rec.hits.empty()) return;
  ++s.files_with_hits;
  std::array<int, index::kCategoryCount> level{};  // 0 none, 1 near, 2 exact
  for (const Hit& h : rec.hits) {
    int& k = level[static_cast<int>(h.category)];
    k = std::max(k, IsExactMatch(h.kind) ? 2 : 1);
  }
  for (int c = 0; c < index::kCategoryCount; ++c) {
    if (level[c] == 2) ++s.by_category[c].exact;
    if (level[c] == 1) ++s.by_category[c].near;
  }
}

}  // namespace hashtriage::engine

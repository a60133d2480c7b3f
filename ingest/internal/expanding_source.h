// ExpandingSource: the EvidenceSource behind every source type. It drains a stack of Frames (see
// frame.h); when a frame yields a regular file whose magic bytes say "archive", the file is yielded first
// and then an archive frame over a second reader of the same content is pushed, so nested entries follow
// their container. A JPEG's embedded thumbnails follow it the same way, as items of their own
// (ItemInfo::thumbnail, provenance step "thumbnail:exif"), and so do a HEIF file's previews ("thumbnail:heif:<item>")
// and a thumbnail cache's pictures. Archive depth and the decompression budget are tracked per frame. Enumeration thread
// only.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ingest/evidence_source.h"
#include "ingest/internal/archive_frame.h"
#include "ingest/internal/frame.h"
#include "ingest/internal/thumbnail_cache.h"

namespace hashtriage::ingest::internal {

class ExpandingSource final : public EvidenceSource {
 public:
  // root_archive_depth: 1 when `root` is itself an archive frame (then `root_budget` is its budget), 0 for
  // directory trees, file systems and single files.
  ExpandingSource(SourceType type, std::string evidence_id, SourceOptions options, std::unique_ptr<Frame> root,
                  int root_archive_depth, std::shared_ptr<ArchiveBudget> root_budget);

  Result<std::optional<Item>> Next() override;
  SourceType type() const override { return type_; }
  const std::string& evidence_id() const override { return evidence_id_; }

 private:
  struct Layer {
    std::unique_ptr<Frame> frame;
    int archive_depth;  // 0: not inside an archive
    std::shared_ptr<ArchiveBudget> budget;
  };
  Item Emit(FrameEntry entry, const Layer& layer);
  // Queues an item for each thumbnail embedded in the JPEG `parent` (embedded_thumbnail.h). `reader` is
  // a second reader of `content`, positioned after `prefix`.
  void QueueThumbnails(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content, ByteReader& reader,
                       std::vector<std::byte> prefix);
  // Queues an item for each preview of the HEIF file `parent` (heif_preview.h), and an error for each
  // preview that is declared but cannot be taken.
  void QueueHeifPreviews(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content);
  // Queues an item for each preview held in the thumbnail cache `parent` (thumbnail_cache.h).
  void QueueCachedThumbnails(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content,
                             ThumbnailCacheKind kind);
  // Queues bytes [offset, offset + size) of `parent` as an embedded picture (ItemInfo::thumbnail).
  void QueueEmbedded(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content, const std::string& step,
                     std::uint64_t offset, std::uint64_t size);
  // Queues `content` as an embedded picture of `parent` (ItemInfo::thumbnail), at image_offset in the
  // disk image when it is a byte range of one.
  void QueueEmbeddedContent(const ItemInfo& parent, const std::string& step,
                            const std::shared_ptr<ContentHandle>& content, std::optional<std::uint64_t> image_offset);
  // Queues an error report about `parent` (its path is put before the message).
  void QueueParentError(const ItemInfo& parent, const Status& status);

  SourceType type_;
  std::string evidence_id_;
  SourceOptions options_;
  std::vector<Layer> stack_;
  std::deque<Item> pending_;
};

}  // namespace hashtriage::ingest::internal

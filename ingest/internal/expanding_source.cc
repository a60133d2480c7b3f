#include "ingest/internal/expanding_source.h"

#include <algorithm>

#include "hashing/image_format.h"
#include "ingest/internal/embedded_thumbnail.h"
#include "ingest/internal/heif_preview.h"
#include "ingest/internal/magic.h"
#include "ingest/internal/slice_content.h"
#include "ingest/internal/thumbnail_cache.h"
#include "ingest/provenance.h"

namespace hashtriage::ingest::internal {
namespace {

// The escaped last component of an item's original path (names the member of a .gz).
std::string BaseName(const std::string& original_path) {
  const std::size_t slash = original_path.find_last_of("/\\");
  return slash == std::string::npos ? original_path : original_path.substr(slash + 1);
}

// Reads from `reader` until `prefix` holds `want` bytes or the data ends.
void ReadMore(ByteReader& reader, std::vector<std::byte>& prefix, std::size_t want) {
  std::size_t have = prefix.size();
  prefix.resize(std::max(want, have));
  while (have < prefix.size()) {
    auto n = reader.Read(std::span<std::byte>(prefix).subspan(have));
    if (!n.ok() || *n == 0) break;
    have += *n;
  }
  prefix.resize(have);
}

}  // namespace

ExpandingSource::ExpandingSource(SourceType type, std::string evidence_id, SourceOptions options,
                                 std::unique_ptr<Frame> root, int root_archive_depth,
                                 std::shared_ptr<ArchiveBudget> root_budget)
    : type_(type), evidence_id_(std::move(evidence_id)), options_(std::move(options)) {
  stack_.push_back(Layer{std::move(root), root_archive_depth, std::move(root_budget)});
}

Result<std::optional<Item>> ExpandingSource::Next() {
  if (!pending_.empty()) {
    Item item = std::move(pending_.front());
    pending_.pop_front();
    return std::optional<Item>(std::move(item));
  }
  while (!stack_.empty()) {
    std::optional<FrameEntry> entry = stack_.back().frame->Next();
    if (!entry) {
      stack_.pop_back();
      continue;
    }
    const Layer& layer = stack_.back();
    const int depth = layer.archive_depth;
    std::shared_ptr<ArchiveBudget> budget = layer.budget;
    return std::optional<Item>(Emit(std::move(*entry), Layer{nullptr, depth, std::move(budget)}));
  }
  return std::optional<Item>();
}

Item ExpandingSource::Emit(FrameEntry entry, const Layer& layer) {
  Item item;
  if (entry.info.kind == ItemKind::kFile && entry.info.status.ok() && entry.content != nullptr) {
    auto reader = entry.content->Open();
    if (reader.ok()) {
      item.reader = std::move(reader).value();
    } else {
      entry.info.status = reader.status();
    }
  }
  item.info = std::move(entry.info);
  const bool look_for_thumbnails = options_.extract_thumbnails && !item.info.thumbnail;
  if (item.reader == nullptr || (!options_.recurse_into_archives && !look_for_thumbnails) ||
      entry.content->size() < 4) {
    return item;
  }

  // Sniff a second reader, so the pipeline's reader stays at offset 0.
  auto sniff_reader = entry.content->Open();
  if (!sniff_reader.ok()) return item;
  std::vector<std::byte> prefix;
  ReadMore(**sniff_reader, prefix, kShortSniffBytes);
  if (look_for_thumbnails && LooksLikeJpeg(prefix)) {
    QueueThumbnails(item.info, entry.content, **sniff_reader, std::move(prefix));
    return item;
  }
  if (look_for_thumbnails && hashing::SniffImageFormat(prefix) == hashing::ImageFormat::kHeif) {
    QueueHeifPreviews(item.info, entry.content);
    return item;
  }
  if (look_for_thumbnails) {
    if (const auto cache = RecogniseThumbnailCache(UnescapeName(BaseName(item.info.original_path)), prefix);
        cache != ThumbnailCacheKind::kNone) {
      QueueCachedThumbnails(item.info, entry.content, cache);
      return item;
    }
  }
  if (!options_.recurse_into_archives) return item;
  const Magic magic = SniffMagic(prefix);
  if (magic != Magic::kZip && magic != Magic::kArchive) return item;

  const int depth = layer.archive_depth + 1;
  if (depth > options_.max_archive_depth) {
    pending_.push_back(Item{
        ErrorEntry(item.info.evidence_id, item.info.path,
                   Status::ResourceLimit(item.info.path + ": archive not expanded: nesting depth limit (" +
                                         std::to_string(options_.max_archive_depth) + ") reached"),
                   item.info.inside_archive)
            .info,
        nullptr});
    return item;
  }
  if (!(*sniff_reader)->Seek(0).ok()) return item;
  std::shared_ptr<ArchiveBudget> budget =
      layer.archive_depth == 0 ? ArchiveBudget::For(item.info.path, entry.content->size(), options_) : layer.budget;
  ArchiveFrameParams params{item.info.evidence_id, item.info.path, BaseName(item.info.original_path), budget, {}};
  stack_.push_back(
      Layer{MakeArchiveFrame(std::move(sniff_reader).value(), std::move(params), options_), depth, std::move(budget)});
  return item;
}

void ExpandingSource::QueueCachedThumbnails(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content,
                                            ThumbnailCacheKind kind) {
  auto pictures = FindCachedPictures(MakeContentImage(content, parent.path), kind);
  if (!pictures.ok()) {
    QueueParentError(parent, Status::Corruption("thumbnail cache not read to its end, previews not extracted: " +
                                                pictures.status().message()));
    return;
  }
  for (const CachedPicture& p : *pictures) {
    QueueEmbedded(parent, content,
                  std::string(ThumbnailCacheName(kind)) + ":" + std::to_string(p.offset) + "." +
                      (p.format == "jpeg" ? std::string("jpg") : p.format),
                  p.offset, p.size);
  }
}

void ExpandingSource::QueueHeifPreviews(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content) {
  auto previews = FindHeifPreviews(*MakeContentImage(content, parent.path));
  if (!previews.ok()) {
    QueueParentError(parent, Status(previews.status().code(), "HEIF previews not extracted: " + previews.status().message()));
    return;
  }
  for (const Status& problem : previews->problems) {
    QueueParentError(parent, Status(problem.code(), problem.message() + "; preview not extracted"));
  }
  for (HeifPreview& preview : previews->found) {
    // The preview is not a byte range of its parent: its bytes are the re-wrapped item (heif_preview.h).
    QueueEmbeddedContent(parent, "thumbnail:heif:" + std::to_string(preview.item_id),
                         MakeMemoryContent(std::make_shared<const std::vector<std::byte>>(std::move(preview.file))),
                         std::nullopt);
  }
}

void ExpandingSource::QueueParentError(const ItemInfo& parent, const Status& status) {
  pending_.push_back(Item{
      ErrorEntry(parent.evidence_id, parent.path, Status(status.code(), parent.path + ": " + status.message()),
                 parent.inside_archive)
          .info,
      nullptr});
}

void ExpandingSource::QueueEmbedded(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content,
                                    const std::string& step, std::uint64_t offset, std::uint64_t size) {
  std::optional<std::uint64_t> image_offset;
  if (parent.image_offset) image_offset = *parent.image_offset + offset;
  QueueEmbeddedContent(parent, step, MakeContentSlice(content, offset, size), image_offset);
}

void ExpandingSource::QueueEmbeddedContent(const ItemInfo& parent, const std::string& step,
                                           const std::shared_ptr<ContentHandle>& content,
                                           std::optional<std::uint64_t> image_offset) {
  Item item;
  item.info = parent;
  item.info.path = AppendStep(parent.path, step);
  item.info.size = content->size();
  item.info.thumbnail = true;
  item.info.anomaly.clear();
  item.info.image_offset = image_offset;
  auto opened = content->Open();
  if (opened.ok()) {
    item.reader = std::move(opened).value();
  } else {
    item.info.status = opened.status();
  }
  pending_.push_back(std::move(item));
}

void ExpandingSource::QueueThumbnails(const ItemInfo& parent, const std::shared_ptr<ContentHandle>& content,
                                      ByteReader& reader, std::vector<std::byte> prefix) {
  ThumbnailSearch search = FindEmbeddedThumbnails(prefix);
  while (search.needs_more && prefix.size() < kThumbnailSearchBytes && prefix.size() < content->size()) {
    ReadMore(reader, prefix, std::min(kThumbnailSearchBytes, prefix.size() * 8));
    search = FindEmbeddedThumbnails(prefix);
  }
  for (const EmbeddedThumbnail& t : search.found) QueueEmbedded(parent, content, "thumbnail:" + t.kind, t.offset, t.size);
}

}  // namespace hashtriage::ingest::internal

#include "ingest/internal/expanding_source.h"

#include <algorithm>

#include "ingest/internal/magic.h"

namespace hashtriage::ingest::internal {
namespace {

// The escaped last component of an item's original path (names the member of a .gz).
std::string BaseName(const std::string& original_path) {
  const std::size_t slash = original_path.find_last_of("/\\");
  return slash == std::string::npos ? original_path : original_path.substr(slash + 1);
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
  if (item.reader == nullptr || !options_.recurse_into_archives || entry.content->size() < 4) return item;

  // Sniff a second reader, so the pipeline's reader stays at offset 0.
  auto sniff_reader = entry.content->Open();
  if (!sniff_reader.ok()) return item;
  std::vector<std::byte> prefix(kShortSniffBytes);
  std::size_t have = 0;
  while (have < prefix.size()) {
    auto n = (*sniff_reader)->Read(std::span<std::byte>(prefix).subspan(have));
    if (!n.ok() || *n == 0) break;
    have += *n;
  }
  prefix.resize(have);
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

}  // namespace hashtriage::ingest::internal

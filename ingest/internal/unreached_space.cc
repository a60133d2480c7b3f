#include "ingest/internal/unreached_space.h"

#include <array>
#include <cstddef>

#include <fmt/format.h>

namespace hashtriage::ingest::internal {
namespace {

// Bytes per sector and sectors per cluster from the boot sector: FAT's BIOS parameter block (offsets
// 11-12 and 13), or exFAT's shifts (offsets 108 and 109), as the specifications lay them out.
struct Geometry {
  std::uint64_t sector_bytes = 0;
  std::uint64_t sectors_per_cluster = 0;
};

std::optional<Geometry> ReadGeometry(ImageReader& reader, std::uint64_t offset, bool exfat) {
  std::array<std::byte, 512> boot{};
  auto n = reader.ReadAt(offset, boot);
  if (!n.ok() || *n < boot.size()) return std::nullopt;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint64_t>(boot[i]); };
  Geometry g;
  if (exfat) {
    if (byte(108) < 9 || byte(108) > 12 || byte(109) > 25) return std::nullopt;
    g.sector_bytes = std::uint64_t{1} << byte(108);
    g.sectors_per_cluster = std::uint64_t{1} << byte(109);
  } else {
    g.sector_bytes = byte(11) | byte(12) << 8;
    g.sectors_per_cluster = byte(13);
  }
  if (g.sector_bytes == 0 || g.sectors_per_cluster == 0) return std::nullopt;
  return g;
}

TSK_WALK_RET_ENUM CountBlock(const TSK_FS_BLOCK*, void* count) {
  ++*static_cast<std::uint64_t*>(count);
  return TSK_WALK_CONT;
}

std::string Bytes(std::uint64_t bytes) {
  if (bytes >= 10'000'000) return fmt::format("{:.0f} MB", bytes / 1e6);
  if (bytes >= 10'000) return fmt::format("{:.0f} KB", bytes / 1e3);
  return fmt::format("{} bytes", bytes);
}

}  // namespace

UnreachedSpace::UnreachedSpace(TSK_FS_INFO* fs, ImageReader& reader, std::uint64_t offset) : fs_(fs) {
  if (!TSK_FS_TYPE_ISFAT(fs->ftype)) return;
  const auto g = ReadGeometry(reader, offset, fs->ftype == TSK_FS_TYPE_EXFAT);
  if (!g || g->sector_bytes != fs->block_size) return;  // TSK counts blocks in sectors; anything else: skip
  sectors_per_cluster_ = g->sectors_per_cluster;
  cluster_bytes_ = g->sector_bytes * g->sectors_per_cluster;
  tsk_error_reset();
  if (TSK_FS_FILE* root = tsk_fs_file_open_meta(fs, nullptr, fs->root_inum)) {
    if (root->meta != nullptr && root->meta->size > 0) Reached("", static_cast<std::uint64_t>(root->meta->size), false);
    tsk_fs_file_close(root);
  }
}

void UnreachedSpace::Reached(std::string_view name, std::uint64_t size, bool is_virtual) {
  if (!active()) return;
  // Of the file-system files TSK shows, the boot sector and the FATs lie outside the cluster heap;
  // exFAT's allocation bitmap and up-case table are in it.
  if (is_virtual && (name == "$MBR" || name.starts_with("$FAT"))) return;
  reached_sectors_ += (size + cluster_bytes_ - 1) / cluster_bytes_ * sectors_per_cluster_;
}

Status UnreachedSpace::Check(const std::string& volume) const {
  if (!active()) return Status::Ok();
  std::uint64_t allocated = 0;
  tsk_error_reset();
  const auto flags = static_cast<TSK_FS_BLOCK_WALK_FLAG_ENUM>(TSK_FS_BLOCK_WALK_FLAG_ALLOC | TSK_FS_BLOCK_WALK_FLAG_CONT |
                                                             TSK_FS_BLOCK_WALK_FLAG_AONLY);
  if (tsk_fs_block_walk(fs_, fs_->first_block, fs_->last_block, flags, CountBlock, &allocated) != 0) {
    const char* e = tsk_error_get();
    return Status::Corruption(volume + ": cannot read the allocation of the volume to check that every allocated "
                              "cluster was examined: " + std::string(e != nullptr ? e : "unknown Sleuth Kit error"));
  }
  if (allocated <= reached_sectors_) return Status::Ok();
  const std::uint64_t unreached = allocated - reached_sectors_;
  return Status::Corruption(fmt::format(
      "{}: {} in {} allocated cluster(s) are not reachable from any directory (damaged or wiped directories?): "
      "their content was not examined; {} of {} allocated were reached",
      volume, Bytes(unreached * fs_->block_size), unreached / sectors_per_cluster_, Bytes(reached_sectors_ * fs_->block_size),
      Bytes(allocated * fs_->block_size)));
}

}  // namespace hashtriage::ingest::internal

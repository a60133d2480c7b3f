#include "ingest/internal/carve_space.h"

#include <algorithm>
#include <string>
#include <unordered_set>

namespace hashtriage::ingest::internal {
namespace {

std::string TskError() {
  const char* e = tsk_error_get();
  return e != nullptr ? e : "unknown Sleuth Kit error";
}

struct RunBuilder {
  const std::unordered_set<TSK_DADDR_T>* recovered;
  std::uint64_t base;
  CarveSpace* space;
};

// Extends the last run by the block, or starts a new one (blocks come in ascending order).
TSK_WALK_RET_ENUM AddFreeBlock(const TSK_FS_BLOCK* block, void* data) {
  auto& b = *static_cast<RunBuilder*>(data);
  if (b.recovered->contains(block->addr)) return TSK_WALK_CONT;
  CarveSpace& space = *b.space;
  const std::uint64_t offset = b.base + block->addr * space.block_bytes;
  if (!space.runs.empty() && space.runs.back().offset + space.runs.back().length == offset) {
    space.runs.back().length += space.block_bytes;
  } else {
    space.runs.push_back(ByteRun{offset, space.block_bytes});
  }
  space.bytes += space.block_bytes;
  return TSK_WALK_CONT;
}

TSK_WALK_RET_ENUM CollectFileBlock(TSK_FS_FILE*, TSK_OFF_T, TSK_DADDR_T addr, char*, size_t, TSK_FS_BLOCK_FLAG_ENUM flags,
                                   void* out) {
  if ((flags & TSK_FS_BLOCK_FLAG_SPARSE) == 0 && addr != 0) {
    static_cast<std::unordered_set<TSK_DADDR_T>*>(out)->insert(addr);
  }
  return TSK_WALK_CONT;
}

}  // namespace

Result<CarveSpace> FindCarveSpace(TSK_FS_INFO* fs, const std::vector<TSK_INUM_T>& deleted_files) {
  std::unordered_set<TSK_DADDR_T> recovered;
  for (TSK_INUM_T addr : deleted_files) {
    tsk_error_reset();
    TSK_FS_FILE* file = tsk_fs_file_open_meta(fs, nullptr, addr);
    if (file == nullptr) continue;  // nothing the walk could read either
    const auto flags = static_cast<TSK_FS_FILE_WALK_FLAG_ENUM>(TSK_FS_FILE_WALK_FLAG_AONLY | TSK_FS_FILE_WALK_FLAG_SLACK);
    tsk_fs_file_walk(file, flags, CollectFileBlock, &recovered);  // a partial walk still marks what it reached
    tsk_fs_file_close(file);
  }
  CarveSpace space;
  space.block_bytes = fs->block_size;
  RunBuilder builder{&recovered, static_cast<std::uint64_t>(fs->offset), &space};
  tsk_error_reset();
  const auto flags = static_cast<TSK_FS_BLOCK_WALK_FLAG_ENUM>(TSK_FS_BLOCK_WALK_FLAG_UNALLOC | TSK_FS_BLOCK_WALK_FLAG_AONLY |
                                                             TSK_FS_BLOCK_WALK_FLAG_CONT);
  if (tsk_fs_block_walk(fs, fs->first_block, fs->last_block, flags, AddFreeBlock, &builder) != 0) {
    return Status::Corruption("cannot list the unallocated blocks: " + TskError());
  }
  return space;
}

}  // namespace hashtriage::ingest::internal

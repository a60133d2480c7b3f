// UnreachedSpace: finds allocated space of a FAT or exFAT volume that no directory entry reaches, so
// that a card whose directories were damaged or wiped is never reported as "no files, nothing found".
// FAT keeps allocation (the FAT or exFAT's bitmap) apart from the directories that name files: when a
// root directory is overwritten, the files' clusters stay allocated while the walk from the root finds
// nothing. The check compares the content clusters the file system marks allocated (TSK block walk)
// with the clusters the files and directories the walk reached occupy (their sizes rounded up to whole
// clusters); a difference is content hashtriage did not examine. Only FAT/exFAT: other file systems
// keep allocated content outside the directory tree (ext's journal) and would need their own rules.
// Not thread-safe; the caller serialises TSK calls on the file system.
#pragma once

#include <tsk/libtsk.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/status.h"
#include "ingest/internal/image_reader.h"

namespace hashtriage::ingest::internal {

class UnreachedSpace {
 public:
  // Starts the accounting for the file system `fs` at byte `offset` of `reader`. Inactive (every call a
  // no-op, Check() Ok) when the volume is not FAT/exFAT or its boot sector disagrees with TSK.
  UnreachedSpace(TSK_FS_INFO* fs, ImageReader& reader, std::uint64_t offset);

  bool active() const { return cluster_bytes_ != 0; }

  // An allocated file, directory or file-system file ($ALLOC_BITMAP...) of `size` bytes that the walk
  // reached, named `name` (the root directory is reported by the constructor itself).
  void Reached(std::string_view name, std::uint64_t size, bool is_virtual);

  // After the walk: Corruption naming `volume` and the bytes not reached when allocated content clusters
  // exceed those reached; Ok otherwise. A TSK failure of the block walk is an error too (the space
  // could not be checked).
  Status Check(const std::string& volume) const;

 private:
  TSK_FS_INFO* fs_;
  std::uint64_t cluster_bytes_ = 0;   // 0: inactive
  std::uint64_t sectors_per_cluster_ = 0;
  std::uint64_t reached_sectors_ = 0;
};

}  // namespace hashtriage::ingest::internal

// CarveSpace: the parts of a file system's volume worth carving — its unallocated blocks, less the blocks
// of the deleted files the directory walk already yields (so a picture recovered through its deleted
// name is never counted a second time as a carved one). Runs of consecutive such blocks, as byte ranges
// of the disk image: a picture that continues past the end of a run was fragmented (or overwritten).
// Not thread-safe; the caller serialises TSK calls on the file system.
#pragma once

#include <tsk/libtsk.h>

#include <cstdint>
#include <vector>

#include "hashing/status.h"

namespace hashtriage::ingest::internal {

struct ByteRun {
  std::uint64_t offset = 0;  // in the disk image
  std::uint64_t length = 0;
};

struct CarveSpace {
  std::vector<ByteRun> runs;
  std::uint64_t block_bytes = 0;  // pictures are looked for at block starts
  std::uint64_t bytes = 0;        // total of runs
};

// `deleted_files`: metadata addresses of the deleted regular files the walk yielded.
Result<CarveSpace> FindCarveSpace(TSK_FS_INFO* fs, const std::vector<TSK_INUM_T>& deleted_files);

}  // namespace hashtriage::ingest::internal

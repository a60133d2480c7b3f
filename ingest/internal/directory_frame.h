// DirectoryFrame: enumerates a directory tree below an open root descriptor. Never follows symlinks
// (records them), never opens FIFOs or devices (records them as special), survives loops (every directory's
// (dev, inode) is visited once), unreadable entries and entries that vanish mid-scan (each becomes an error
// item). Directories are opened O_NOFOLLOW|O_NOATIME and listed in sorted order; files are opened only by
// their readers (see MakeTreeFileContent). Symlink targets are not read: readlink updates the link's atime.
// SingleFileFrame: one regular file given as the evidence. Enumeration thread only.
#pragma once

#include <memory>
#include <string>

#include "ingest/internal/frame.h"
#include "ingest/source_options.h"

namespace hashtriage::ingest::internal {

std::unique_ptr<Frame> MakeDirectoryFrame(std::shared_ptr<SharedFd> root, std::string evidence_id,
                                          const SourceOptions& options);

std::unique_ptr<Frame> MakeSingleFileFrame(std::shared_ptr<SharedFd> parent_dir, std::string file_name,
                                           std::string evidence_id);

}  // namespace hashtriage::ingest::internal

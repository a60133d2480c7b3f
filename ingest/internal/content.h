// Content handles: where an item's bytes live, and how to make a fresh ByteReader over them. A source
// keeps one ContentHandle per item; the pipeline's reader and (for archives found in the item) the nested
// archive's reader are two independent readers from the same handle. Handles are immutable after
// construction and safe to share between threads; each reader is used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hashing/status.h"
#include "ingest/item.h"

namespace hashtriage::ingest::internal {

class ContentHandle {
 public:
  virtual ~ContentHandle() = default;
  virtual Result<std::unique_ptr<ByteReader>> Open() const = 0;
  virtual std::uint64_t size() const = 0;
};

// Bytes held in memory (archive entries).
std::shared_ptr<ContentHandle> MakeMemoryContent(std::shared_ptr<const std::vector<std::byte>> bytes);

// An owned descriptor shared by readers that use pread (spill files, the evidence file itself).
class SharedFd {
 public:
  SharedFd(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~SharedFd();
  SharedFd(const SharedFd&) = delete;
  SharedFd& operator=(const SharedFd&) = delete;
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

 private:
  int fd_;
  std::string name_;
};

// `size` bytes from offset 0 of a shared descriptor, read with pread (thread-safe).
std::shared_ptr<ContentHandle> MakePreadContent(std::shared_ptr<SharedFd> fd, std::uint64_t size);

// Opens `path` read-only for reading evidence: O_RDONLY|O_CLOEXEC|O_NOATIME (retried without O_NOATIME on
// EPERM), plus `extra_flags` (e.g. O_NOFOLLOW|O_NONBLOCK). Returns the descriptor or an IOError/NotFound
// naming the path. `dirfd` may be AT_FDCWD.
Result<int> OpenEvidenceFd(int dirfd, const std::string& path, int extra_flags);

// An anonymous temporary file in `dir` (O_TMPFILE, or created and unlinked at once).
Result<int> OpenAnonymousTempFile(const std::string& dir);

// Identity of a regular file when it was enumerated; the reader checks the file it opens still matches.
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_sec = 0;
  std::int64_t mtime_nsec = 0;
};

// A file below a directory root, opened lazily (at the first Read) without following any symlink
// (openat2 RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH, or a component-by-component O_NOFOLLOW walk where openat2
// is unavailable), never blocking (O_NONBLOCK), never updating atime where permitted. The reader fails if
// the file is no longer the enumerated one, shrinks, grows, or is modified while read.
std::shared_ptr<ContentHandle> MakeTreeFileContent(std::shared_ptr<SharedFd> root, std::string relative_path,
                                                   FileIdentity identity);

}  // namespace hashtriage::ingest::internal

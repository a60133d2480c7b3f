// ReadOnlyFile: a file opened O_RDONLY (with O_NOATIME where the OS permits, so reading evidence
// does not change its access time) and O_NOFOLLOW-free by default. Owns its descriptor; move-only;
// one thread at a time. Errors name the path and the OS reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hashing/status.h"

namespace hashtriage::hashing {

class ReadOnlyFile {
 public:
  static Result<ReadOnlyFile> Open(const std::string& path);
  ReadOnlyFile(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile& operator=(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ~ReadOnlyFile();

  // Reads up to buffer.size() bytes (retrying on EINTR and short reads); 0 means end of file.
  Result<std::size_t> Read(std::span<std::byte> buffer);
  // Reads the whole rest of the file; fails with ResourceLimit past max_bytes.
  // Moves the read position to `offset` from the start.
  Status Seek(std::uint64_t offset);
  Result<std::vector<std::byte>> ReadAll(std::uint64_t max_bytes);
  Result<std::uint64_t> Size() const;
  const std::string& path() const { return path_; }

 private:
  ReadOnlyFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace hashtriage::hashing

#include "hashing/read_only_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hashtriage::hashing {

Result<ReadOnlyFile> ReadOnlyFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME | O_NONBLOCK);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IOError(path + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": is a directory");
  }
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    ::close(fd);
    return Status::NotSupported(path + ": not a regular file (FIFO, socket or device)");
  }
  // O_NONBLOCK only protected the open against FIFOs; regular reads block normally.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return ReadOnlyFile(fd, path);
}

ReadOnlyFile::ReadOnlyFile(ReadOnlyFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

ReadOnlyFile& ReadOnlyFile::operator=(ReadOnlyFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

ReadOnlyFile::~ReadOnlyFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> ReadOnlyFile::Read(std::span<std::byte> buffer) {
  std::size_t total = 0;
  while (total < buffer.size()) {
    const ssize_t n = ::read(fd_, buffer.data() + total, buffer.size() - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(path_ + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  return total;
}

Status ReadOnlyFile::Seek(std::uint64_t offset) {
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return Status::IOError(path_ + ": seek failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::vector<std::byte>> ReadOnlyFile::ReadAll(std::uint64_t max_bytes) {
  HT_ASSIGN_OR_RETURN(std::uint64_t size_hint, Size());
  std::vector<std::byte> data;
  data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size_hint, max_bytes) + 1));
  std::byte chunk[1 << 16];
  while (true) {
    HT_ASSIGN_OR_RETURN(std::size_t n, Read(chunk));
    if (n == 0) break;
    if (data.size() + n > max_bytes) {
      return Status::ResourceLimit(path_ + ": larger than the " + std::to_string(max_bytes) + "-byte read limit");
    }
    data.insert(data.end(), chunk, chunk + n);
  }
  return data;
}

Result<std::uint64_t> ReadOnlyFile::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::IOError(path_ + ": " + std::strerror(errno));
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace hashtriage::hashing

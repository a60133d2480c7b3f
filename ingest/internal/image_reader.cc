#include "ingest/internal/image_reader.h"

#include <fcntl.h>
#include <dirent.h>
#include <libbfio.h>
// libewf declares its libbfio entry points (libewf_handle_open_file_io_pool) only when told that
// libbfio is there; Debian's libewf is built with it.
#ifndef HAVE_LIBBFIO
#define HAVE_LIBBFIO 1
#endif
#include <libewf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <set>

#include "ingest/internal/content.h"

namespace hashtriage::ingest::internal {
namespace {

class RawImageReader final : public ImageReader {
 public:
  RawImageReader(int fd, std::string name, std::uint64_t size) : fd_(fd), name_(std::move(name)), size_(size) {}
  ~RawImageReader() override { ::close(fd_); }
  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::byte> out) override {
    std::size_t got = 0;
    while (got < out.size() && offset + got < size_) {
      const ssize_t n = ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(name_ + ": read failed at offset " + std::to_string(offset + got) + ": " +
                               std::strerror(errno));
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
  std::uint64_t size_;
};

std::string EwfErrorText(libewf_error_t* error) {
  if (error == nullptr) return "unknown libewf error";
  char buf[1024] = {};
  libewf_error_sprint(error, buf, sizeof(buf) - 1);
  libewf_error_free(&error);
  std::string s(buf);
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// The segment files, opened by hashtriage (through libbfio) rather than by libewf, so that they are
// read with O_NOATIME: libewf's own opens do not ask for it, and reading would update the evidence's
// access times. Owned by the reader; freed after the libewf handle.
struct SegmentPool {
  libbfio_pool_t* pool = nullptr;
  ~SegmentPool() {
    if (pool != nullptr) {
      libbfio_pool_close_all(pool, nullptr);
      libbfio_pool_free(&pool, nullptr);
    }
  }
};

// Sets O_NOATIME (Linux allows it on an open descriptor; the OS permits it for the file's owner or with
// CAP_FOWNER) on every descriptor of this process open on one of `segments`. Called before anything is
// read from them.
void SetNoAtimeOnSegments(char** segments, int count) {
  std::set<std::string> wanted;
  for (int i = 0; i < count; ++i) {
    char resolved[PATH_MAX];
    if (::realpath(segments[i], resolved) != nullptr) wanted.insert(resolved);
  }
  DIR* fds = ::opendir("/proc/self/fd");
  if (fds == nullptr) return;
  while (const struct dirent* de = ::readdir(fds)) {
    if (de->d_name[0] == '.') continue;
    const int fd = std::atoi(de->d_name);
    if (fd == ::dirfd(fds)) continue;
    char target[PATH_MAX];
    const std::string link = std::string("/proc/self/fd/") + de->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    if (wanted.count(target) == 0) continue;
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NOATIME);
  }
  ::closedir(fds);
}

// Opens every segment read-only into a libbfio pool (each stays open: no pool limit) and marks them
// O_NOATIME.
Result<std::unique_ptr<SegmentPool>> OpenSegments(const std::string& path, char** names, int count) {
  auto segments = std::make_unique<SegmentPool>();
  if (libbfio_pool_initialize(&segments->pool, 0, LIBBFIO_POOL_UNLIMITED_NUMBER_OF_OPEN_HANDLES, nullptr) != 1) {
    return Status::Internal(path + ": libbfio_pool_initialize failed");
  }
  for (int i = 0; i < count; ++i) {
    libbfio_handle_t* file = nullptr;
    int entry = 0;
    if (libbfio_file_initialize(&file, nullptr) != 1) return Status::Internal(path + ": libbfio_file_initialize failed");
    if (libbfio_file_set_name(file, names[i], std::strlen(names[i]), nullptr) != 1 ||
        libbfio_handle_open(file, LIBBFIO_OPEN_READ, nullptr) != 1) {
      libbfio_handle_free(&file, nullptr);
      return Status::IOError(std::string(names[i]) + ": cannot open EWF segment file read-only");
    }
    if (libbfio_pool_append_handle(segments->pool, &entry, file, LIBBFIO_OPEN_READ, nullptr) != 1) {
      libbfio_handle_close(file, nullptr);
      libbfio_handle_free(&file, nullptr);
      return Status::Internal(path + ": libbfio_pool_append_handle failed");
    }
  }
  SetNoAtimeOnSegments(names, count);
  return segments;
}

class EwfReaderImpl final : public EwfImageReader {
 public:
  EwfReaderImpl(libewf_handle_t* handle, std::unique_ptr<SegmentPool> segments, std::string name, std::uint64_t size)
      : handle_(handle), segments_(std::move(segments)), name_(std::move(name)), size_(size) {}
  ~EwfReaderImpl() override {
    libewf_handle_close(handle_, nullptr);
    libewf_handle_free(&handle_, nullptr);
  }
  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::byte> out) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t got = 0;
    while (got < out.size() && offset + got < size_) {
      libewf_error_t* error = nullptr;
      const ssize_t n = libewf_handle_read_random(handle_, out.data() + got, out.size() - got,
                                                  static_cast<off64_t>(offset + got), &error);
      if (n < 0) {
        return Status::Corruption(name_ + ": EWF read failed at media offset " + std::to_string(offset + got) +
                                  ": " + EwfErrorText(error));
      }
      if (n == 0) break;
      HT_RETURN_IF_ERROR(CheckNoUnreadableChunk(offset + got, static_cast<std::uint64_t>(n)));
      got += static_cast<std::size_t>(n);
    }
    return got;
  }
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }
  EwfStoredHashes StoredHashes() override {
    std::lock_guard<std::mutex> lock(mu_);
    EwfStoredHashes h;
    hashing::Md5Digest md5;
    if (libewf_handle_get_md5_hash(handle_, md5.bytes.data(), md5.bytes.size(), nullptr) == 1) h.md5 = md5;
    hashing::Sha1Digest sha1;
    if (libewf_handle_get_sha1_hash(handle_, sha1.bytes.data(), sha1.bytes.size(), nullptr) == 1) h.sha1 = sha1;
    return h;
  }

 private:
  // libewf (20140813) returns a chunk it cannot read (missing from a truncated or absent segment file,
  // or failing its checksum) as zeros *without an error* the first time, and only notes its sectors in
  // its checksum-error list (later reads of it fail). Zeros are not the evidence: bytes just read that
  // overlap a noted range are a read failure. Called with mu_ held.
  Status CheckNoUnreadableChunk(std::uint64_t offset, std::uint64_t length) {
    std::uint32_t ranges = 0;
    std::uint32_t bytes_per_sector = 0;
    if (libewf_handle_get_number_of_checksum_errors(handle_, &ranges, nullptr) != 1 || ranges == 0) {
      return Status::Ok();
    }
    if (libewf_handle_get_bytes_per_sector(handle_, &bytes_per_sector, nullptr) != 1 || bytes_per_sector == 0) {
      return Status::Corruption(name_ + ": EWF media has unreadable chunks and no sector size");
    }
    for (std::uint32_t i = 0; i < ranges; ++i) {
      std::uint64_t first = 0, count = 0;
      if (libewf_handle_get_checksum_error(handle_, i, &first, &count, nullptr) != 1) continue;
      const std::uint64_t begin = first * bytes_per_sector, end = (first + count) * bytes_per_sector;
      if (begin < offset + length && offset < end) {
        return Status::Corruption(name_ + ": EWF read failed at media offset " +
                                  std::to_string(std::max(begin, offset)) + ": chunk missing or failing its checksum " +
                                  "(sectors " + std::to_string(first) + "-" + std::to_string(first + count - 1) + ")");
      }
    }
    return Status::Ok();
  }

  std::mutex mu_;
  libewf_handle_t* handle_;
  std::unique_ptr<SegmentPool> segments_;  // outlives handle_'s use of it: members die after the destructor body
  std::string name_;
  std::uint64_t size_;
};

}  // namespace

Result<std::unique_ptr<ImageReader>> OpenRawImage(const std::string& path) {
  HT_ASSIGN_OR_RETURN(const int fd, OpenEvidenceFd(AT_FDCWD, path, O_NONBLOCK));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file or block device");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) {
    ::close(fd);
    return Status::IOError(path + ": cannot determine size");
  }
  return std::unique_ptr<ImageReader>(std::make_unique<RawImageReader>(fd, path, static_cast<std::uint64_t>(end)));
}

Result<std::unique_ptr<EwfImageReader>> EwfImageReader::Open(const std::string& path) {
  libewf_error_t* error = nullptr;
  char** names = nullptr;
  int count = 0;
  if (libewf_glob(path.c_str(), path.size(), LIBEWF_FORMAT_UNKNOWN, &names, &count, &error) != 1) {
    return Status::NotFound(path + ": cannot find EWF segment files: " + EwfErrorText(error));
  }
  libewf_handle_t* handle = nullptr;
  if (libewf_handle_initialize(&handle, &error) != 1) {
    libewf_glob_free(names, count, nullptr);
    return Status::Internal(path + ": libewf_handle_initialize: " + EwfErrorText(error));
  }
  auto segments = OpenSegments(path, names, count);
  libewf_glob_free(names, count, nullptr);
  if (!segments.ok()) {
    libewf_handle_free(&handle, nullptr);
    return segments.status();
  }
  const int opened = libewf_handle_open_file_io_pool(handle, (*segments)->pool, LIBEWF_OPEN_READ, &error);
  if (opened != 1) {
    libewf_handle_free(&handle, nullptr);
    return Status::Corruption(path + ": cannot open EWF image: " + EwfErrorText(error));
  }
  size64_t media_size = 0;
  if (libewf_handle_get_media_size(handle, &media_size, &error) != 1) {
    libewf_handle_close(handle, nullptr);
    libewf_handle_free(&handle, nullptr);
    return Status::Corruption(path + ": cannot read EWF media size: " + EwfErrorText(error));
  }
  return std::unique_ptr<EwfImageReader>(
      std::make_unique<EwfReaderImpl>(handle, std::move(segments).value(), path, media_size));
}

}  // namespace hashtriage::ingest::internal

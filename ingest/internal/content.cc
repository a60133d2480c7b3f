#include "ingest/internal/content.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hashtriage::ingest {

Status ByteReader::Seek(std::uint64_t /*offset*/) { return Status::NotSupported("this reader cannot seek"); }

Result<std::vector<std::byte>> ByteReader::ReadAll(std::uint64_t max_bytes) {
  std::vector<std::byte> out;
  const std::uint64_t hint = std::min<std::uint64_t>(size(), max_bytes);
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(hint, std::uint64_t{64} << 20)));
  std::vector<std::byte> chunk(1 << 16);
  for (;;) {
    HT_ASSIGN_OR_RETURN(const std::size_t n, Read(chunk));
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      return Status::ResourceLimit("item is larger than the " + std::to_string(max_bytes) + " byte limit");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

namespace internal {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

class MemoryReader final : public ByteReader {
 public:
  explicit MemoryReader(std::shared_ptr<const std::vector<std::byte>> bytes) : bytes_(std::move(bytes)) {}
  Result<std::size_t> Read(std::span<std::byte> out) override {
    const std::size_t n = std::min(out.size(), bytes_->size() - pos_);
    if (n > 0) std::memcpy(out.data(), bytes_->data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::uint64_t size() const override { return bytes_->size(); }
  Status Seek(std::uint64_t offset) override {
    pos_ = static_cast<std::size_t>(std::min<std::uint64_t>(offset, bytes_->size()));
    return Status::Ok();
  }

 private:
  std::shared_ptr<const std::vector<std::byte>> bytes_;
  std::size_t pos_ = 0;
};

class MemoryContent final : public ContentHandle {
 public:
  explicit MemoryContent(std::shared_ptr<const std::vector<std::byte>> bytes) : bytes_(std::move(bytes)) {}
  Result<std::unique_ptr<ByteReader>> Open() const override {
    return std::unique_ptr<ByteReader>(std::make_unique<MemoryReader>(bytes_));
  }
  std::uint64_t size() const override { return bytes_->size(); }

 private:
  std::shared_ptr<const std::vector<std::byte>> bytes_;
};

// pread over a descriptor; reads [0, size). Optionally checks the file did not change (tree files).
class PreadReader final : public ByteReader {
 public:
  PreadReader(std::shared_ptr<SharedFd> fd, std::uint64_t size, std::optional<FileIdentity> identity)
      : fd_(std::move(fd)), size_(size), identity_(identity) {}
  Result<std::size_t> Read(std::span<std::byte> out) override {
    if (!failure_.ok()) return failure_;
    const std::uint64_t want = std::min<std::uint64_t>(out.size(), size_ - pos_);
    std::size_t got = 0;
    while (got < want) {
      const ssize_t n = ::pread(fd_->fd(), out.data() + got, want - got, static_cast<off_t>(pos_ + got));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail(Status::IOError(fd_->name() + ": read failed at offset " + std::to_string(pos_ + got) +
                                    ": " + ErrnoText(errno)));
      }
      if (n == 0) {
        return Fail(Status::IOError(fd_->name() + ": file shrank while being read: expected " +
                                    std::to_string(size_) + " bytes, ended at " + std::to_string(pos_ + got)));
      }
      got += static_cast<std::size_t>(n);
    }
    pos_ += got;
    if (got == 0 && identity_ && !checked_end_) {
      checked_end_ = true;
      HT_RETURN_IF_ERROR(Fail(CheckUnchanged()));
    }
    return got;
  }
  std::uint64_t size() const override { return size_; }
  Status Seek(std::uint64_t offset) override {
    pos_ = std::min(offset, size_);
    return Status::Ok();
  }

 private:
  Status Fail(Status s) {
    if (!s.ok()) failure_ = s;
    return s;
  }
  Status CheckUnchanged() const {
    struct stat st;
    if (::fstat(fd_->fd(), &st) != 0) return Status::IOError(fd_->name() + ": fstat failed: " + ErrnoText(errno));
    if (static_cast<std::uint64_t>(st.st_size) != identity_->size) {
      return Status::IOError(fd_->name() + ": file changed size while being read: " +
                             std::to_string(identity_->size) + " bytes when enumerated, " +
                             std::to_string(st.st_size) + " now");
    }
    if (st.st_mtim.tv_sec != identity_->mtime_sec || st.st_mtim.tv_nsec != identity_->mtime_nsec) {
      return Status::IOError(fd_->name() + ": file was modified while being read");
    }
    return Status::Ok();
  }

  std::shared_ptr<SharedFd> fd_;
  std::uint64_t size_;
  std::optional<FileIdentity> identity_;
  std::uint64_t pos_ = 0;
  bool checked_end_ = false;
  Status failure_;
};

class PreadContent final : public ContentHandle {
 public:
  PreadContent(std::shared_ptr<SharedFd> fd, std::uint64_t size) : fd_(std::move(fd)), size_(size) {}
  Result<std::unique_ptr<ByteReader>> Open() const override {
    return std::unique_ptr<ByteReader>(std::make_unique<PreadReader>(fd_, size_, std::nullopt));
  }
  std::uint64_t size() const override { return size_; }

 private:
  std::shared_ptr<SharedFd> fd_;
  std::uint64_t size_;
};

int OpenAt2NoSymlinks(int root, const std::string& rel, int flags) {
  struct open_how how;
  std::memset(&how, 0, sizeof(how));
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, root, rel.c_str(), &how, sizeof(how)));
}

// Walks `rel` one component at a time with O_NOFOLLOW; used where openat2 is unavailable or the path is
// longer than PATH_MAX.
int OpenByComponents(int root, const std::string& rel, int flags) {
  int dir = root;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = rel.find('/', start);
    const std::string comp = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (comp == ".." || comp.empty() || comp == ".") {
      if (dir != root) ::close(dir);
      errno = EINVAL;
      return -1;
    }
    if (slash == std::string::npos) {
      int fd = ::openat(dir, comp.c_str(), flags);
      if (fd < 0 && errno == EPERM && (flags & O_NOATIME)) fd = ::openat(dir, comp.c_str(), flags & ~O_NOATIME);
      const int err = errno;
      if (dir != root) ::close(dir);
      errno = err;
      return fd;
    }
    const int dflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int next = ::openat(dir, comp.c_str(), dflags | O_NOATIME);
    if (next < 0 && errno == EPERM) next = ::openat(dir, comp.c_str(), dflags);
    const int err = errno;
    if (dir != root) ::close(dir);
    if (next < 0) {
      errno = err;
      return -1;
    }
    dir = next;
    start = slash + 1;
  }
}

class TreeFileReader final : public ByteReader {
 public:
  TreeFileReader(std::shared_ptr<SharedFd> root, std::string rel, FileIdentity identity)
      : root_(std::move(root)), rel_(std::move(rel)), identity_(identity) {}
  Result<std::size_t> Read(std::span<std::byte> out) override {
    if (!inner_) {
      if (!open_status_.ok()) return open_status_;
      open_status_ = OpenInner();
      if (!open_status_.ok()) return open_status_;
    }
    return inner_->Read(out);
  }
  std::uint64_t size() const override { return identity_.size; }
  Status Seek(std::uint64_t offset) override {
    if (!inner_) {
      if (!open_status_.ok()) return open_status_;
      open_status_ = OpenInner();
      if (!open_status_.ok()) return open_status_;
    }
    return inner_->Seek(offset);
  }

 private:
  Status OpenInner() {
    const std::string name = root_->name() + "/" + rel_;
    const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
    int fd = OpenAt2NoSymlinks(root_->fd(), rel_, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = OpenAt2NoSymlinks(root_->fd(), rel_, flags);
    if (fd < 0 && (errno == ENOSYS || errno == ENAMETOOLONG || errno == EAGAIN)) {
      fd = OpenByComponents(root_->fd(), rel_, flags | O_NOATIME);
    }
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT) return Status::NotFound(name + ": vanished after it was enumerated");
      if (err == ELOOP || err == EXDEV) return Status::IOError(name + ": path now goes through a symlink or mount; not followed");
      return Status::IOError(name + ": cannot open: " + ErrnoText(err));
    }
    auto shared = std::make_shared<SharedFd>(fd, name);
    struct stat st;
    if (::fstat(fd, &st) != 0) return Status::IOError(name + ": fstat failed: " + ErrnoText(errno));
    if (!S_ISREG(st.st_mode) || st.st_dev != identity_.dev || st.st_ino != identity_.ino) {
      return Status::IOError(name + ": replaced by another file after it was enumerated");
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    inner_ = std::make_unique<PreadReader>(std::move(shared), identity_.size, identity_);
    return Status::Ok();
  }

  std::shared_ptr<SharedFd> root_;
  std::string rel_;
  FileIdentity identity_;
  std::unique_ptr<PreadReader> inner_;
  Status open_status_;
};

class TreeFileContent final : public ContentHandle {
 public:
  TreeFileContent(std::shared_ptr<SharedFd> root, std::string rel, FileIdentity identity)
      : root_(std::move(root)), rel_(std::move(rel)), identity_(identity) {}
  Result<std::unique_ptr<ByteReader>> Open() const override {
    return std::unique_ptr<ByteReader>(std::make_unique<TreeFileReader>(root_, rel_, identity_));
  }
  std::uint64_t size() const override { return identity_.size; }

 private:
  std::shared_ptr<SharedFd> root_;
  std::string rel_;
  FileIdentity identity_;
};

}  // namespace

SharedFd::~SharedFd() {
  if (fd_ >= 0) ::close(fd_);
}

std::shared_ptr<ContentHandle> MakeMemoryContent(std::shared_ptr<const std::vector<std::byte>> bytes) {
  return std::make_shared<MemoryContent>(std::move(bytes));
}

std::shared_ptr<ContentHandle> MakePreadContent(std::shared_ptr<SharedFd> fd, std::uint64_t size) {
  return std::make_shared<PreadContent>(std::move(fd), size);
}

std::shared_ptr<ContentHandle> MakeTreeFileContent(std::shared_ptr<SharedFd> root, std::string relative_path,
                                                   FileIdentity identity) {
  return std::make_shared<TreeFileContent>(std::move(root), std::move(relative_path), identity);
}

Result<int> OpenEvidenceFd(int dirfd, const std::string& path, int extra_flags) {
  const int flags = O_RDONLY | O_CLOEXEC | extra_flags;
  int fd = ::openat(dirfd, path.c_str(), flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(dirfd, path.c_str(), flags);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file or directory");
    return Status::IOError(path + ": cannot open: " + ErrnoText(err));
  }
  return fd;
}

Result<int> OpenAnonymousTempFile(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return Status::IOError(dir + ": cannot create a temporary file: " + ErrnoText(errno));
  }
  std::string name = dir + "/hashtriage-spill-XXXXXX";
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return Status::IOError(dir + ": cannot create a temporary file: " + ErrnoText(errno));
  ::unlink(name.c_str());
  return fd;
}

}  // namespace internal
}  // namespace hashtriage::ingest

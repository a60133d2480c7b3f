#include "ingest/internal/directory_frame.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "ingest/provenance.h"

namespace hashtriage::ingest::internal {
namespace {

std::optional<std::int64_t> TimeOf(const struct statx_timestamp& ts) { return ts.tv_sec; }

class DirectoryFrame final : public Frame {
 public:
  DirectoryFrame(std::shared_ptr<SharedFd> root, std::string evidence_id, const SourceOptions& options)
      : root_(std::move(root)), evidence_id_(std::move(evidence_id)), max_depth_(options.max_directory_depth) {}
  ~DirectoryFrame() override {
    for (Dir& d : stack_) CloseDir(d);
  }

  std::optional<FrameEntry> Next() override {
    if (!started_) {
      started_ = true;
      struct stat st;
      if (::fstat(root_->fd(), &st) == 0) visited_.insert({st.st_dev, st.st_ino});
      if (auto err = Enter(root_->fd(), /*own_fd=*/false, "", evidence_id_, 0)) return err;
    }
    while (!stack_.empty()) {
      Dir& d = stack_.back();
      if (d.next >= d.names.size()) {
        CloseDir(d);
        stack_.pop_back();
        continue;
      }
      const std::string name = d.names[d.next++];
      std::optional<FrameEntry> e = Visit(d, name);
      if (e) return e;
    }
    return std::nullopt;
  }

 private:
  struct Dir {
    int fd;
    bool own_fd;
    std::string rel;   // raw bytes, relative to the root ("" for the root)
    std::string path;  // provenance path
    int depth;
    std::vector<std::string> names;
    std::size_t next = 0;
  };

  static void CloseDir(Dir& d) {
    if (d.own_fd && d.fd >= 0) ::close(d.fd);
    d.fd = -1;
  }

  FrameEntry Error(std::string path, Status s) const {
    return ErrorEntry(evidence_id_, std::move(path), std::move(s), /*inside_archive=*/false);
  }

  // Lists the directory open at `fd` (sorted, for a reproducible order) and pushes it.
  std::optional<FrameEntry> Enter(int fd, bool own_fd, std::string rel, std::string path, int depth) {
    const int list_fd = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
    const int list_fd2 = list_fd >= 0 ? list_fd : ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (list_fd2 < 0) {
      const int err = errno;
      if (own_fd) ::close(fd);
      return Error(path, Status::IOError(path + ": cannot list directory: " + std::strerror(err)));
    }
    DIR* dir = ::fdopendir(list_fd2);
    if (dir == nullptr) {
      ::close(list_fd2);
      if (own_fd) ::close(fd);
      return Error(path, Status::IOError(path + ": cannot list directory"));
    }
    std::vector<std::string> names;
    int read_errno = 0;
    for (;;) {
      errno = 0;
      struct dirent* de = ::readdir(dir);
      if (de == nullptr) {
        read_errno = errno;
        break;
      }
      if (std::strcmp(de->d_name, ".") == 0 || std::strcmp(de->d_name, "..") == 0) continue;
      names.emplace_back(de->d_name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    stack_.push_back(Dir{fd, own_fd, std::move(rel), path, depth, std::move(names)});
    if (read_errno != 0) {
      return Error(path, Status::IOError(path + ": directory listing failed part-way: " + std::strerror(read_errno)));
    }
    return std::nullopt;
  }

  std::optional<FrameEntry> Visit(Dir& d, const std::string& name) {
    const std::string rel = d.rel.empty() ? name : d.rel + "/" + name;
    const std::string path = AppendStep(d.path, EscapeName(name));
    struct statx sx;
    if (::statx(d.fd, name.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC,
                STATX_BASIC_STATS | STATX_BTIME, &sx) != 0) {
      const int err = errno;
      if (err == ENOENT) return Error(path, Status::NotFound(path + ": vanished during the scan"));
      return Error(path, Status::IOError(path + ": cannot stat: " + std::strerror(err)));
    }
    FrameEntry e;
    ItemInfo& info = e.info;
    info.evidence_id = evidence_id_;
    info.path = path;
    info.original_path = EscapeName(rel);
    info.size = sx.stx_size;
    if (sx.stx_mask & STATX_BTIME) info.created = TimeOf(sx.stx_btime);
    info.modified = TimeOf(sx.stx_mtime);
    info.accessed = TimeOf(sx.stx_atime);
    const mode_t mode = sx.stx_mode;
    if (S_ISDIR(mode)) {
      if (d.depth + 1 > max_depth_) {
        return Error(path, Status::ResourceLimit(path + ": directory nesting limit (" + std::to_string(max_depth_) +
                                                 ") reached; not entered"));
      }
      const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
      int fd = ::openat(d.fd, name.c_str(), flags | O_NOATIME);
      if (fd < 0 && errno == EPERM) fd = ::openat(d.fd, name.c_str(), flags);
      if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) return Error(path, Status::NotFound(path + ": vanished during the scan"));
        return Error(path, Status::IOError(path + ": cannot open directory: " + std::strerror(err)));
      }
      struct stat st;
      if (::fstat(fd, &st) != 0 || !visited_.insert({st.st_dev, st.st_ino}).second) {
        ::close(fd);
        return Error(path, Status::Corruption(path + ": directory already visited (a bind-mount loop?); not entered again"));
      }
      const int depth = d.depth + 1;
      return Enter(fd, /*own_fd=*/true, rel, path, depth);  // invalidates `d`
    }
    if (S_ISLNK(mode)) {
      info.kind = ItemKind::kSymlink;
      return e;
    }
    if (!S_ISREG(mode)) {
      info.kind = ItemKind::kSpecial;  // FIFO, socket, device: never opened
      info.size = 0;
      return e;
    }
    info.kind = ItemKind::kFile;
    if (::faccessat(d.fd, name.c_str(), R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) != 0) {
      info.status = Status::IOError(path + ": not readable: " + std::strerror(errno));
      return e;
    }
    FileIdentity id;
    id.dev = static_cast<dev_t>(makedev(sx.stx_dev_major, sx.stx_dev_minor));
    id.ino = sx.stx_ino;
    id.size = sx.stx_size;
    id.mtime_sec = sx.stx_mtime.tv_sec;
    id.mtime_nsec = sx.stx_mtime.tv_nsec;
    e.content = MakeTreeFileContent(root_, rel, id);
    return e;
  }

  std::shared_ptr<SharedFd> root_;
  std::string evidence_id_;
  int max_depth_;
  bool started_ = false;
  std::vector<Dir> stack_;
  std::set<std::pair<dev_t, ino_t>> visited_;
};

// One regular file given as the evidence: a single item.
class SingleFileFrame final : public Frame {
 public:
  SingleFileFrame(std::shared_ptr<SharedFd> parent, std::string name, std::string evidence_id)
      : parent_(std::move(parent)), name_(std::move(name)), evidence_id_(std::move(evidence_id)) {}
  std::optional<FrameEntry> Next() override {
    if (done_) return std::nullopt;
    done_ = true;
    struct statx sx;
    if (::statx(parent_->fd(), name_.c_str(), AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC,
                STATX_BASIC_STATS | STATX_BTIME, &sx) != 0 ||
        !S_ISREG(sx.stx_mode)) {
      return ErrorEntry(evidence_id_, evidence_id_, Status::IOError(evidence_id_ + ": cannot stat the evidence file"), false);
    }
    FrameEntry e;
    e.info.evidence_id = evidence_id_;
    e.info.path = evidence_id_;
    e.info.original_path = EscapeName(name_);
    e.info.size = sx.stx_size;
    if (sx.stx_mask & STATX_BTIME) e.info.created = TimeOf(sx.stx_btime);
    e.info.modified = TimeOf(sx.stx_mtime);
    e.info.accessed = TimeOf(sx.stx_atime);
    FileIdentity id{static_cast<dev_t>(makedev(sx.stx_dev_major, sx.stx_dev_minor)), sx.stx_ino, sx.stx_size,
                    sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec};
    e.content = MakeTreeFileContent(parent_, name_, id);
    return e;
  }

 private:
  std::shared_ptr<SharedFd> parent_;
  std::string name_;
  std::string evidence_id_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Frame> MakeDirectoryFrame(std::shared_ptr<SharedFd> root, std::string evidence_id,
                                          const SourceOptions& options) {
  return std::make_unique<DirectoryFrame>(std::move(root), std::move(evidence_id), options);
}

std::unique_ptr<Frame> MakeSingleFileFrame(std::shared_ptr<SharedFd> parent_dir, std::string file_name,
                                           std::string evidence_id) {
  return std::make_unique<SingleFileFrame>(std::move(parent_dir), std::move(file_name), std::move(evidence_id));
}

}  // namespace hashtriage::ingest::internal

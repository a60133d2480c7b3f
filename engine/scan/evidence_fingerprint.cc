#include "engine/scan/evidence_fingerprint.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "engine/time_util.h"
#include "hashing/digests.h"

namespace hashtriage::engine {

namespace {

constexpr int kMaxTreeDepth = 512;

std::int64_t Nanos(const struct timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

// Opens a directory for listing without following a symlink and, where permitted, without updating
// its access time.
int OpenDirectory(int dirfd, const char* name) {
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(dirfd, name, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(dirfd, name, flags);
  return fd;
}

// Feeds every entry below the open directory `fd` into `digester`, depth first in name order.
class TreeWalker {
 public:
  explicit TreeWalker(hashing::MultiDigester& digester) : digester_(digester) {}
  std::uint64_t entries() const { return entries_; }

  void Walk(int fd, const std::string& rel, int depth) {
    std::vector<std::string> names;
    const int list_fd = ::dup(fd);
    DIR* dir = list_fd >= 0 ? ::fdopendir(list_fd) : nullptr;
    if (dir == nullptr) {
      const int err = errno;
      if (list_fd >= 0) ::close(list_fd);
      Add(rel + std::string("\0!list ", 7) + std::to_string(err));
      return;
    }
    while (struct dirent* de = ::readdir(dir)) {
      if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) names.emplace_back(de->d_name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string path = rel.empty() ? name : rel + "/" + name;
      struct stat st;
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        Add(path + std::string("\0!stat ", 7) + std::to_string(errno));
        continue;
      }
      Add(path + '\0' + std::to_string(st.st_mode) + ' ' + std::to_string(st.st_size) + ' ' +
          std::to_string(st.st_ino) + ' ' + std::to_string(Nanos(st.st_mtim)) + ' ' + std::to_string(Nanos(st.st_ctim)));
      if (!S_ISDIR(st.st_mode)) continue;
      if (depth + 1 > kMaxTreeDepth || !visited_.insert({st.st_dev, st.st_ino}).second) continue;
      const int child = OpenDirectory(fd, name.c_str());
      if (child < 0) {
        Add(path + std::string("\0!open ", 7) + std::to_string(errno));
        continue;
      }
      Walk(child, path, depth + 1);
      ::close(child);
    }
  }

  void Visited(dev_t dev, ino_t ino) { visited_.insert({dev, ino}); }

 private:
  void Add(const std::string& line) {
    digester_.Update(std::as_bytes(std::span(line.data(), line.size() + 1)));  // with its terminating NUL
    ++entries_;
  }
  hashing::MultiDigester& digester_;
  std::uint64_t entries_ = 0;
  std::set<std::pair<dev_t, ino_t>> visited_;
};

std::string Metadata(const EvidenceFingerprint& b) {
  return "size " + std::to_string(b.size) + ", inode " + std::to_string(b.inode) + ", mtime " +
         std::to_string(b.mtime_ns) + " ns, ctime " + std::to_string(b.ctime_ns) + " ns";
}

// SHA-256 over the first and the last kHeadTailBytes of a regular file (the whole file when smaller),
// read with O_NOATIME where permitted.
constexpr std::uint64_t kHeadTailBytes = 1 << 20;

Result<std::string> HeadTailSha256(const std::string& path, std::uint64_t size) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
  int fd = ::open(path.c_str(), flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), flags);
  if (fd < 0) return Status::IOError(path + ": cannot open the evidence: " + std::strerror(errno));
  hashing::MultiDigester digester(hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  std::vector<std::byte> buffer(kHeadTailBytes);
  auto read_at = [&](std::uint64_t offset, std::uint64_t length) -> Status {
    while (length > 0) {
      const ssize_t n = ::pread(fd, buffer.data(), std::min<std::uint64_t>(length, buffer.size()),
                                static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(path + ": cannot read the evidence: " + std::strerror(errno));
      if (n == 0) break;
      digester.Update(std::span(buffer.data(), static_cast<std::size_t>(n)));
      offset += static_cast<std::uint64_t>(n);
      length -= static_cast<std::uint64_t>(n);
    }
    return Status::Ok();
  };
  Status status = read_at(0, std::min(size, kHeadTailBytes));
  if (status.ok() && size > kHeadTailBytes) {
    const std::uint64_t tail = std::max(kHeadTailBytes, size - kHeadTailBytes);
    status = read_at(tail, size - tail);
  }
  ::close(fd);
  HT_RETURN_IF_ERROR(status);
  return digester.Finish().sha256->hex();
}

std::string Sha256Hex(const std::string& text) {
  return hashing::DigestBytes(std::as_bytes(std::span(text.data(), text.size())),
                              hashing::DigestSet().Add(hashing::DigestKind::kSha256))
      .sha256->hex();
}

std::string Grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string EvidenceFingerprint::Id() const {
  const std::string canonical = kind + '\0' + std::to_string(dev) + '\0' + std::to_string(inode) + '\0' +
                                std::to_string(size) + '\0' + std::to_string(mtime_ns) + '\0' +
                                std::to_string(ctime_ns) + '\0' + head_tail_sha256 + '\0' + tree_sha256 + '\0' +
                                std::to_string(tree_entries);
  return Sha256Hex(canonical).substr(0, 16);
}

std::string EvidenceFingerprint::Describe() const {
  if (kind == "tree") {
    return "directory, " + Grouped(tree_entries) + " entries, listing sha256 " + tree_sha256.substr(0, 16) +
           ", fingerprint " + Id();
  }
  return "file, " + Grouped(size) + " bytes, inode " + std::to_string(inode) + ", modified " +
         FormatIso8601(mtime_ns / 1'000'000'000) + ", head/tail sha256 " + head_tail_sha256.substr(0, 16) +
         ", fingerprint " + Id();
}

Result<EvidenceFingerprint> TakeEvidenceFingerprint(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::IOError(path + ": cannot stat the evidence: " + std::strerror(errno));
  }
  EvidenceFingerprint b;
  b.dev = st.st_dev;
  b.inode = st.st_ino;
  b.size = static_cast<std::uint64_t>(st.st_size);
  b.mtime_ns = Nanos(st.st_mtim);
  b.ctime_ns = Nanos(st.st_ctim);
  if (!S_ISDIR(st.st_mode)) {
    b.kind = "file";
    if (S_ISREG(st.st_mode)) {
      HT_ASSIGN_OR_RETURN(b.head_tail_sha256, HeadTailSha256(path, b.size));
    }
    return b;
  }
  b.kind = "tree";
  const int fd = OpenDirectory(AT_FDCWD, path.c_str());
  if (fd < 0) return Status::IOError(path + ": cannot open the evidence directory: " + std::strerror(errno));
  hashing::MultiDigester digester(hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  TreeWalker walker(digester);
  walker.Visited(st.st_dev, st.st_ino);
  walker.Walk(fd, "", 0);
  ::close(fd);
  b.tree_entries = walker.entries();
  b.tree_sha256 = digester.Finish().sha256->hex();
  return b;
}

EvidenceVerification VerifyEvidenceAtEnd(const std::string& path, const EvidenceFingerprint& baseline,
                                         const ingest::EvidenceIntegrity* start_hash,
                                         std::uint64_t rehash_max_bytes) {
  EvidenceVerification v;
  v.method = baseline.kind == "tree" ? "tree metadata" : "metadata";
  auto now = TakeEvidenceFingerprint(path);
  if (!now.ok()) {
    v.state = "changed";
    v.detail = "the evidence can no longer be read: " + now.status().message();
    return v;
  }
  const bool same_file = now->kind == baseline.kind && now->dev == baseline.dev && now->inode == baseline.inode &&
                         now->size == baseline.size && now->mtime_ns == baseline.mtime_ns &&
                         now->ctime_ns == baseline.ctime_ns;
  if (!same_file) {
    v.state = "changed";
    v.detail = "at the start: " + Metadata(baseline) + "; now: " + Metadata(*now);
    return v;
  }
  if (baseline.kind == "tree") {
    if (now->tree_sha256 != baseline.tree_sha256) {
      v.state = "changed";
      v.detail = "files were added, removed, renamed or modified under the directory (" +
                 std::to_string(baseline.tree_entries) + " entries at the start, " +
                 std::to_string(now->tree_entries) + " now)";
      return v;
    }
    v.state = "yes";
    v.detail = std::to_string(now->tree_entries) + " entries unchanged (path, type, size, inode, mtime, ctime)";
    return v;
  }
  if (now->head_tail_sha256 != baseline.head_tail_sha256) {
    v.state = "changed";
    v.detail = "the first or last MiB changed (head/tail sha256 " + baseline.head_tail_sha256.substr(0, 16) +
               " at the start, " + now->head_tail_sha256.substr(0, 16) + " now)";
    return v;
  }
  if (start_hash == nullptr) {
    v.state = "yes";
    v.detail = "size, inode, mtime, ctime and head/tail hash unchanged; no start hash to compare";
    return v;
  }
  if (start_hash->bytes_hashed > rehash_max_bytes) {
    v.state = "yes";
    v.detail = "size, inode, mtime, ctime and head/tail hash unchanged; not re-hashed (" + std::to_string(start_hash->bytes_hashed) +
               " bytes is over the " + std::to_string(rehash_max_bytes) + "-byte re-hash limit)";
    return v;
  }
  v.method = "metadata+rehash";
  auto again = ingest::ComputeEvidenceIntegrity(path, start_hash->type);
  if (!again.ok()) {
    v.state = "changed";
    v.detail = "re-hashing at the end failed: " + again.status().message();
    return v;
  }
  if (again->md5 != start_hash->md5 || again->sha1 != start_hash->sha1 || again->bytes_hashed != start_hash->bytes_hashed) {
    v.state = "changed";
    v.detail = "md5 " + start_hash->md5.hex() + " at the start, " + again->md5.hex() + " at the end";
    return v;
  }
  v.state = "yes";
  v.detail = "re-hashed at the end: md5 and sha1 equal the start hashes";
  return v;
}

}  // namespace hashtriage::engine

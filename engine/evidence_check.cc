#include "engine/evidence_check.h"

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

std::string Describe(const EvidenceBaseline& b) {
  return "size " + std::to_string(b.size) + ", inode " + std::to_string(b.inode) + ", mtime " +
         std::to_string(b.mtime_ns) + " ns, ctime " + std::to_string(b.ctime_ns) + " ns";
}

}  // namespace

nlohmann::json EvidenceBaseline::ToJson() const {
  nlohmann::json j{{"kind", kind},       {"dev", dev},           {"inode", inode},
                   {"size", size},       {"mtime_ns", mtime_ns}, {"ctime_ns", ctime_ns}};
  if (kind == "tree") {
    j["tree_sha256"] = tree_sha256;
    j["tree_entries"] = tree_entries;
  }
  return j;
}

Result<EvidenceBaseline> EvidenceBaseline::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("kind")) return Status::Corruption("evidence baseline record is malformed");
  EvidenceBaseline b;
  b.kind = j.value("kind", "");
  b.dev = j.value("dev", std::uint64_t{0});
  b.inode = j.value("inode", std::uint64_t{0});
  b.size = j.value("size", std::uint64_t{0});
  b.mtime_ns = j.value("mtime_ns", std::int64_t{0});
  b.ctime_ns = j.value("ctime_ns", std::int64_t{0});
  b.tree_sha256 = j.value("tree_sha256", "");
  b.tree_entries = j.value("tree_entries", std::uint64_t{0});
  return b;
}

Result<EvidenceBaseline> RecordEvidenceBaseline(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::IOError(path + ": cannot stat the evidence: " + std::strerror(errno));
  }
  EvidenceBaseline b;
  b.dev = st.st_dev;
  b.inode = st.st_ino;
  b.size = static_cast<std::uint64_t>(st.st_size);
  b.mtime_ns = Nanos(st.st_mtim);
  b.ctime_ns = Nanos(st.st_ctim);
  if (!S_ISDIR(st.st_mode)) {
    b.kind = "file";
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

nlohmann::json EvidenceVerification::ToJson() const {
  return nlohmann::json{{"state", state}, {"method", method}, {"detail", detail}};
}

EvidenceVerification VerifyEvidenceAtEnd(const std::string& path, const EvidenceBaseline& baseline,
                                         const ingest::EvidenceIntegrity* start_hash,
                                         std::uint64_t rehash_max_bytes) {
  EvidenceVerification v;
  v.method = baseline.kind == "tree" ? "tree metadata" : "metadata";
  auto now = RecordEvidenceBaseline(path);
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
    v.detail = "at the start: " + Describe(baseline) + "; now: " + Describe(*now);
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
  if (start_hash == nullptr) {
    v.state = "yes";
    v.detail = "size, inode, mtime and ctime unchanged; no start hash to compare";
    return v;
  }
  if (start_hash->bytes_hashed > rehash_max_bytes) {
    v.state = "yes";
    v.detail = "size, inode, mtime and ctime unchanged; not re-hashed (" + std::to_string(start_hash->bytes_hashed) +
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

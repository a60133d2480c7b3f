#include "ingest/source_size.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hashtriage::ingest {
namespace {

// Opens a directory for listing without following a symlink and, where permitted, without updating
// its access time (O_NOATIME needs the owner or CAP_FOWNER; the scan falls back the same way).
int OpenDirectory(int parent, const char* name) {
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(parent, name, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(parent, name, flags);
  return fd;
}

}  // namespace

SourceSize MeasureDirectory(const std::filesystem::path& dir, std::uint64_t max_entries) {
  SourceSize size;
  const int root = OpenDirectory(AT_FDCWD, dir.c_str());
  if (root < 0) return size;
  // Directories still to list, by path below the root (not by descriptor: a wide tree would exhaust them).
  std::set<std::pair<dev_t, ino_t>> visited;
  std::vector<std::string> pending{"."};
  std::uint64_t entries = 0;
  while (!pending.empty() && size.complete) {
    const std::string rel = std::move(pending.back());
    pending.pop_back();
    const int fd = OpenDirectory(root, rel.c_str());
    if (fd < 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !visited.emplace(st.st_dev, st.st_ino).second) {
      ::close(fd);
      continue;
    }
    DIR* listing = ::fdopendir(fd);
    if (listing == nullptr) {
      ::close(fd);
      continue;
    }
    while (struct dirent* de = ::readdir(listing)) {
      if (std::strcmp(de->d_name, ".") == 0 || std::strcmp(de->d_name, "..") == 0) continue;
      if (++entries > max_entries) {
        size.complete = false;
        break;
      }
      struct stat entry {};
      if (::fstatat(::dirfd(listing), de->d_name, &entry, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISREG(entry.st_mode)) {
        ++size.files;
        size.bytes += static_cast<std::uint64_t>(entry.st_size);
      } else if (S_ISDIR(entry.st_mode)) {
        pending.push_back(rel + "/" + de->d_name);
      }
    }
    ::closedir(listing);
  }
  ::close(root);
  return size;
}

}  // namespace hashtriage::ingest

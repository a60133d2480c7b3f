#include "ingest/evidence_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ingest/internal/archive_frame.h"
#include "ingest/internal/content.h"
#include "ingest/internal/directory_frame.h"
#include "ingest/internal/expanding_source.h"
#include "ingest/internal/image_reader.h"
#include "ingest/internal/magic.h"
#include "ingest/internal/tsk_frame.h"
#include "ingest/internal/ufdr_frame.h"
#include "ingest/provenance.h"

namespace hashtriage::ingest {

using internal::SharedFd;

std::string_view ItemKindName(ItemKind kind) {
  switch (kind) {
    case ItemKind::kFile: return "file";
    case ItemKind::kSymlink: return "symlink";
    case ItemKind::kSpecial: return "special";
    case ItemKind::kError: return "error";
  }
  return "unknown";
}

std::string_view SourceTypeName(SourceType type) {
  switch (type) {
    case SourceType::kAuto: return "auto";
    case SourceType::kDirectory: return "directory";
    case SourceType::kArchive: return "archive";
    case SourceType::kDiskImage: return "disk";
    case SourceType::kEwf: return "ewf";
    case SourceType::kUfdr: return "ufdr";
    case SourceType::kFile: return "file";
  }
  return "unknown";
}

Result<SourceType> ParseSourceType(std::string_view name) {
  for (SourceType t : {SourceType::kAuto, SourceType::kDirectory, SourceType::kArchive, SourceType::kDiskImage,
                       SourceType::kEwf, SourceType::kUfdr, SourceType::kFile}) {
    if (name == SourceTypeName(t)) return t;
  }
  if (name == "raw" || name == "dd") return SourceType::kDiskImage;
  if (name == "e01" || name == "E01") return SourceType::kEwf;
  if (name == "dir") return SourceType::kDirectory;
  return Status::InvalidArgument("unknown source type '" + std::string(name) +
                                 "' (expected auto, directory, archive, disk, ewf, ufdr or file)");
}

namespace {

std::string BaseNameOf(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const std::size_t slash = p.rfind('/');
  std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
  if (base == "." || base == ".." || base.empty()) {
    // "." names nothing: use the directory's real name.
    char* real = ::realpath(path.c_str(), nullptr);
    if (real != nullptr) {
      const std::string r(real);
      std::free(real);
      const std::size_t s = r.rfind('/');
      base = (s == std::string::npos || s + 1 == r.size()) ? r : r.substr(s + 1);
    }
  }
  return base;
}

std::string DirNameOf(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const std::size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

// The evidence file, opened read-only without blocking on FIFOs; must be a regular file or block device.
struct EvidenceFile {
  std::shared_ptr<SharedFd> fd;
  std::uint64_t size = 0;
};

Result<EvidenceFile> OpenEvidenceFile(const std::string& path) {
  HT_ASSIGN_OR_RETURN(const int fd, internal::OpenEvidenceFd(AT_FDCWD, path, O_NONBLOCK));
  auto shared = std::make_shared<SharedFd>(fd, path);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::IOError(path + ": fstat failed: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return Status::InvalidArgument(path + ": not a regular file, block device or directory (FIFOs, sockets and "
                                          "character devices are never opened for reading)");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) return Status::IOError(path + ": cannot determine size");
  return EvidenceFile{std::move(shared), static_cast<std::uint64_t>(end)};
}

}  // namespace

Result<SourceType> DetectSourceType(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file or directory");
    return Status::IOError(path + ": cannot stat: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return SourceType::kDirectory;
  HT_ASSIGN_OR_RETURN(EvidenceFile file, OpenEvidenceFile(path));
  const std::shared_ptr<SharedFd>& fd = file.fd;
  std::vector<std::byte> prefix(internal::kSniffBytes);
  const ssize_t n = ::pread(fd->fd(), prefix.data(), prefix.size(), 0);
  if (n < 0) return Status::IOError(path + ": cannot read: " + std::strerror(errno));
  prefix.resize(static_cast<std::size_t>(n));
  switch (internal::SniffMagic(prefix)) {
    case internal::Magic::kEwf: return SourceType::kEwf;
    case internal::Magic::kArchive: return SourceType::kArchive;
    case internal::Magic::kZip: {
      auto content = internal::MakePreadContent(fd, file.size);
      auto ufdr = internal::IsUfdrPackage(*content, path);
      return ufdr.ok() && *ufdr ? SourceType::kUfdr : SourceType::kArchive;
    }
    case internal::Magic::kNone: break;
  }
  auto raw = internal::OpenRawImage(path);
  if (raw.ok() && internal::LooksLikeDiskImage(std::shared_ptr<internal::ImageReader>(std::move(raw).value()))) {
    return SourceType::kDiskImage;
  }
  return SourceType::kFile;
}

Result<std::unique_ptr<EvidenceSource>> OpenEvidenceSource(const std::string& path, const SourceOptions& options) {
  SourceType type = options.type;
  if (type == SourceType::kAuto) {
    HT_ASSIGN_OR_RETURN(type, DetectSourceType(path));
  }
  const std::string evidence_id = options.evidence_id.empty() ? EscapeName(BaseNameOf(path)) : options.evidence_id;
  auto make = [&](std::unique_ptr<internal::Frame> root, int depth, std::shared_ptr<internal::ArchiveBudget> budget) {
    return std::unique_ptr<EvidenceSource>(std::make_unique<internal::ExpandingSource>(
        type, evidence_id, options, std::move(root), depth, std::move(budget)));
  };
  switch (type) {
    case SourceType::kDirectory: {
      HT_ASSIGN_OR_RETURN(const int fd, internal::OpenEvidenceFd(AT_FDCWD, path, O_DIRECTORY));
      auto root = std::make_shared<SharedFd>(fd, path);
      return make(internal::MakeDirectoryFrame(std::move(root), evidence_id, options), 0, nullptr);
    }
    case SourceType::kFile: {
      const std::string dir = DirNameOf(path);
      HT_ASSIGN_OR_RETURN(const int fd, internal::OpenEvidenceFd(AT_FDCWD, dir, O_DIRECTORY));
      return make(internal::MakeSingleFileFrame(std::make_shared<SharedFd>(fd, dir), BaseNameOf(path), evidence_id), 0,
                  nullptr);
    }
    case SourceType::kArchive:
    case SourceType::kUfdr: {
      HT_ASSIGN_OR_RETURN(EvidenceFile file, OpenEvidenceFile(path));
      auto content = internal::MakePreadContent(file.fd, file.size);
      auto budget = internal::ArchiveBudget::For(evidence_id, file.size, options);
      internal::ArchiveFrameParams params{evidence_id, evidence_id, evidence_id, budget, {}};
      if (type == SourceType::kUfdr) {
        HT_ASSIGN_OR_RETURN(auto frame, internal::MakeUfdrFrame(content, path, std::move(params), options));
        return make(std::move(frame), 1, std::move(budget));
      }
      HT_ASSIGN_OR_RETURN(auto reader, content->Open());
      return make(internal::MakeArchiveFrame(std::move(reader), std::move(params), options), 1, std::move(budget));
    }
    case SourceType::kDiskImage:
    case SourceType::kEwf: {
      std::shared_ptr<internal::ImageReader> image;
      if (type == SourceType::kEwf) {
        HT_ASSIGN_OR_RETURN(image, internal::EwfImageReader::Open(path));
      } else {
        HT_ASSIGN_OR_RETURN(image, internal::OpenRawImage(path));
      }
      HT_ASSIGN_OR_RETURN(auto frame, internal::MakeDiskImageFrame(std::move(image), evidence_id, options));
      return make(std::move(frame), 0, nullptr);
    }
    case SourceType::kAuto: break;
  }
  return Status::Internal("unhandled source type");
}

}  // namespace hashtriage::ingest

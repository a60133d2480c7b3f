#include "ingest/internal/archive_frame.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "ingest/provenance.h"

namespace hashtriage::ingest::internal {

std::shared_ptr<ArchiveBudget> ArchiveBudget::For(std::string root_path, std::uint64_t compressed_size,
                                                  const SourceOptions& options) {
  auto b = std::make_shared<ArchiveBudget>();
  b->root_path = std::move(root_path);
  std::uint64_t by_ratio = compressed_size * options.max_expansion_ratio;
  if (options.max_expansion_ratio != 0 && by_ratio / options.max_expansion_ratio != compressed_size) {
    by_ratio = UINT64_MAX;  // overflow
  }
  b->limit = std::max(options.max_decompressed_bytes, by_ratio);
  return b;
}

namespace {

constexpr std::size_t kReadBlock = 1 << 16;

std::string FormatStep(struct archive* a) {
  switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_ZIP: return "zip";
    case ARCHIVE_FORMAT_TAR: return "tar";
    case ARCHIVE_FORMAT_7ZIP: return "7z";
    case ARCHIVE_FORMAT_ISO9660: return "iso9660";
    case ARCHIVE_FORMAT_CPIO: return "cpio";
    case ARCHIVE_FORMAT_RAR:
    case ARCHIVE_FORMAT_RAR_V5: return "rar";
    case ARCHIVE_FORMAT_AR: return "ar";
    case ARCHIVE_FORMAT_CAB: return "cab";
    case ARCHIVE_FORMAT_LHA: return "lha";
    case ARCHIVE_FORMAT_XAR: return "xar";
    case ARCHIVE_FORMAT_RAW:
      switch (archive_filter_code(a, 0)) {
        case ARCHIVE_FILTER_GZIP: return "gz";
        case ARCHIVE_FILTER_BZIP2: return "bz2";
        case ARCHIVE_FILTER_XZ: return "xz";
        case ARCHIVE_FILTER_LZMA: return "lzma";
        case ARCHIVE_FILTER_LZIP: return "lzip";
        case ARCHIVE_FILTER_ZSTD: return "zst";
        case ARCHIVE_FILTER_LZ4: return "lz4";
        case ARCHIVE_FILTER_COMPRESS: return "Z";
        default: return "raw";
      }
    default: return "archive";
  }
}

// The name of the single member of a compressed file: the container name without its extension.
std::string RawMemberName(const std::string& container_name) {
  const std::size_t dot = container_name.rfind('.');
  if (dot == std::string::npos || dot == 0) return container_name + ".data";
  std::string ext = container_name.substr(dot);
  if (ext == ".tgz" || ext == ".tbz" || ext == ".tbz2" || ext == ".txz") return container_name.substr(0, dot) + ".tar";
  return container_name.substr(0, dot);
}

class ArchiveFrame final : public Frame {
 public:
  ArchiveFrame(std::unique_ptr<ByteReader> reader, ArchiveFrameParams params, const SourceOptions& options)
      : reader_(std::move(reader)), p_(std::move(params)), options_(options), io_buffer_(kReadBlock), buffer_(kReadBlock) {}
  ~ArchiveFrame() override {
    if (a_ != nullptr) archive_read_free(a_);
  }

  std::optional<FrameEntry> Next() override {
    if (done_) return std::nullopt;
    if (p_.budget->exhausted) return Finish();
    if (a_ == nullptr) {
      if (auto err = Open()) return err;
    }
    for (;;) {
      struct archive_entry* entry = nullptr;
      const int r = archive_read_next_header(a_, &entry);
      if (r == ARCHIVE_EOF) return Finish();
      if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY || entry == nullptr) {
        auto e = Error(p_.container_path,
                       Status::Corruption(p_.container_path + ": archive unreadable after " +
                                          std::to_string(entries_) + " entries: " + LibError()));
        done_ = true;
        return e;
      }
      ++entries_;
      std::string warning = r == ARCHIVE_WARN ? LibError() : std::string();
      std::optional<FrameEntry> out = Build(entry, std::move(warning));
      if (out) return out;
      if (done_) return std::nullopt;
    }
  }

 private:
  std::optional<FrameEntry> Finish() {
    done_ = true;
    return std::nullopt;
  }

  std::string LibError() const {
    const char* s = a_ != nullptr ? archive_error_string(a_) : nullptr;
    return s != nullptr ? std::string(s) : std::string("unknown libarchive error");
  }

  FrameEntry Error(std::string path, Status status) const {
    return ErrorEntry(p_.evidence_id, std::move(path), std::move(status), /*inside_archive=*/true);
  }

  static la_ssize_t ReadCb(struct archive*, void* self, const void** buf) {
    auto* f = static_cast<ArchiveFrame*>(self);
    auto n = f->reader_->Read(f->io_buffer_);
    if (!n.ok()) {
      f->reader_error_ = n.status();
      return -1;
    }
    *buf = f->io_buffer_.data();
    return static_cast<la_ssize_t>(*n);
  }
  static la_int64_t SeekCb(struct archive*, void* self, la_int64_t offset, int whence) {
    auto* f = static_cast<ArchiveFrame*>(self);
    std::int64_t target = offset;
    if (whence == SEEK_CUR) target += f->position_;
    if (whence == SEEK_END) target += static_cast<std::int64_t>(f->reader_->size());
    if (target < 0) return ARCHIVE_FATAL;
    if (!f->reader_->Seek(static_cast<std::uint64_t>(target)).ok()) return ARCHIVE_FATAL;
    f->position_ = target;
    return target;
  }
  static la_ssize_t ReadCbTracked(struct archive* a, void* self, const void** buf) {
    auto* f = static_cast<ArchiveFrame*>(self);
    const la_ssize_t n = ReadCb(a, self, buf);
    if (n > 0) f->position_ += n;
    return n;
  }

  std::optional<FrameEntry> Open() {
    a_ = archive_read_new();
    // Explicit list: no mtree (its manifests name files outside the archive) and no external programs.
    archive_read_support_filter_gzip(a_);
    archive_read_support_filter_bzip2(a_);
    archive_read_support_filter_xz(a_);
    archive_read_support_filter_lzma(a_);
    archive_read_support_filter_lzip(a_);
    archive_read_support_filter_zstd(a_);
    archive_read_support_filter_lz4(a_);
    archive_read_support_filter_compress(a_);
    archive_read_support_format_zip(a_);
    archive_read_support_format_tar(a_);
    archive_read_support_format_gnutar(a_);
    archive_read_support_format_7zip(a_);
    archive_read_support_format_iso9660(a_);
    archive_read_support_format_cpio(a_);
    archive_read_support_format_rar(a_);
    archive_read_support_format_rar5(a_);
    archive_read_support_format_ar(a_);
    archive_read_support_format_cab(a_);
    archive_read_support_format_lha(a_);
    archive_read_support_format_xar(a_);
    archive_read_support_format_raw(a_);
    archive_read_set_callback_data(a_, this);
    archive_read_set_read_callback(a_, &ArchiveFrame::ReadCbTracked);
    archive_read_set_seek_callback(a_, &ArchiveFrame::SeekCb);
    if (archive_read_open1(a_) != ARCHIVE_OK) {
      std::string why = reader_error_.ok() ? LibError() : reader_error_.message();
      done_ = true;
      return Error(p_.container_path, Status::Corruption(p_.container_path + ": cannot open as an archive: " + why));
    }
    return std::nullopt;
  }

  // Reads the current entry's data, charging the budget. Returns the content or the reason it has none.
  Result<std::shared_ptr<ContentHandle>> ReadData(const std::string& path) {
    std::vector<std::byte> mem;
    std::shared_ptr<SharedFd> spill;
    std::uint64_t total = 0;
    bool over_memory = false;
    for (;;) {
      const la_ssize_t n = archive_read_data(a_, buffer_.data(), buffer_.size());
      if (n == 0) break;
      if (n < 0) {
        std::string why = reader_error_.ok() ? LibError() : reader_error_.message();
        return Status::Corruption(path + ": cannot decompress entry: " + why);
      }
      const auto un = static_cast<std::uint64_t>(n);
      p_.budget->used += un;
      if (p_.budget->used > p_.budget->limit) {
        p_.budget->exhausted = true;
        return Status::ResourceLimit(path + ": decompressed-size budget of " + std::to_string(p_.budget->limit) +
                                     " bytes exceeded for archive " + p_.budget->root_path +
                                     " (zip-bomb guard); the rest of that archive is not enumerated");
      }
      total += un;
      const std::span<const std::byte> chunk(buffer_.data(), static_cast<std::size_t>(n));
      if (!over_memory && total > options_.max_in_memory_entry_bytes) {
        over_memory = true;
        if (!options_.scratch_dir.empty()) {
          HT_ASSIGN_OR_RETURN(int fd, OpenAnonymousTempFile(options_.scratch_dir));
          spill = std::make_shared<SharedFd>(fd, path);
          HT_RETURN_IF_ERROR(WriteAll(*spill, mem));
        }
        mem.clear();
        mem.shrink_to_fit();
      }
      if (!over_memory) {
        mem.insert(mem.end(), chunk.begin(), chunk.end());
      } else if (spill) {
        HT_RETURN_IF_ERROR(WriteAll(*spill, chunk));
      }
    }
    if (over_memory && !spill) {
      return Status::ResourceLimit(path + ": entry of " + std::to_string(total) +
                                   " bytes is larger than max_in_memory_entry_bytes (" +
                                   std::to_string(options_.max_in_memory_entry_bytes) + ") and no scratch_dir is set");
    }
    if (spill) return MakePreadContent(std::move(spill), total);
    return MakeMemoryContent(std::make_shared<const std::vector<std::byte>>(std::move(mem)));
  }

  static Status WriteAll(const SharedFd& fd, std::span<const std::byte> data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd.fd(), data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(fd.name() + ": cannot write to scratch file: " + std::strerror(errno));
      }
      done += static_cast<std::size_t>(n);
    }
    return Status::Ok();
  }

  std::optional<FrameEntry> Build(struct archive_entry* entry, std::string warning) {
    const char* raw_c = archive_entry_pathname(entry);
    if (raw_c == nullptr) raw_c = archive_entry_pathname_utf8(entry);
    std::string raw = raw_c != nullptr ? std::string(raw_c) : std::string();
    const std::string fmt = FormatStep(a_);
    std::string step_name;
    if ((archive_format(a_) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW) {
      step_name = RawMemberName(p_.container_name);  // already escaped
      raw = UnescapeName(step_name);
    } else if (raw.empty()) {
      step_name = "%00entry" + std::to_string(entries_);
    } else {
      step_name = EscapeName(raw);
    }
    // Duplicate names are possible (hostile or appended archives): keep paths unique.
    if (!seen_.insert(std::hash<std::string>{}(step_name)).second) step_name += "#" + std::to_string(entries_);

    FrameEntry e;
    ItemInfo& info = e.info;
    info.evidence_id = p_.evidence_id;
    info.path = AppendStep(p_.container_path, fmt + ":" + step_name);
    info.original_path = EscapeName(raw);
    info.inside_archive = true;
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0) {
      info.size = static_cast<std::uint64_t>(archive_entry_size(entry));
    }
    if (archive_entry_mtime_is_set(entry)) info.modified = archive_entry_mtime(entry);
    if (archive_entry_atime_is_set(entry)) info.accessed = archive_entry_atime(entry);
    if (archive_entry_birthtime_is_set(entry)) info.created = archive_entry_birthtime(entry);
    if (IsUnsafeEntryName(raw)) {
      info.anomaly = "entry name is absolute or has a '..' step; recorded as data, never used as a path";
    }
    if (!warning.empty()) {
      info.anomaly += std::string(info.anomaly.empty() ? "" : "; ") + "libarchive warning: " + warning;
    }

    const mode_t type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    if (type == AE_IFDIR) return std::nullopt;
    if (hardlink != nullptr && type != AE_IFLNK) {
      info.kind = ItemKind::kSpecial;
      info.anomaly += std::string(info.anomaly.empty() ? "" : "; ") + "hard link to " + EscapeName(hardlink);
    } else if (type == AE_IFLNK) {
      info.kind = ItemKind::kSymlink;
    } else if (type == AE_IFREG || type == 0) {
      info.kind = ItemKind::kFile;
    } else {
      info.kind = ItemKind::kSpecial;
    }
    if (p_.annotator) p_.annotator(raw, info);
    if (info.kind != ItemKind::kFile) return e;

    auto content = ReadData(info.path);
    if (!content.ok()) {
      if (p_.budget->exhausted) {
        done_ = true;
        return Error(info.path, content.status());
      }
      info.status = content.status();
      return e;
    }
    e.content = std::move(content).value();
    info.size = e.content->size();
    return e;
  }

  std::unique_ptr<ByteReader> reader_;
  ArchiveFrameParams p_;
  const SourceOptions options_;
  std::vector<std::byte> io_buffer_;  // handed to libarchive by the read callback
  std::vector<std::byte> buffer_;     // decompressed entry data
  struct archive* a_ = nullptr;
  std::int64_t position_ = 0;
  Status reader_error_;
  std::uint64_t entries_ = 0;
  std::unordered_set<std::size_t> seen_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Frame> MakeArchiveFrame(std::unique_ptr<ByteReader> reader, ArchiveFrameParams params,
                                        const SourceOptions& options) {
  return std::make_unique<ArchiveFrame>(std::move(reader), std::move(params), options);
}

}  // namespace hashtriage::ingest::internal

#include "ingest/internal/tsk_frame.h"

#include <tsk/libtsk.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ingest/internal/carve_space.h"
#include "ingest/internal/picture_carver.h"
#include "ingest/internal/slice_content.h"
#include "ingest/internal/unreached_space.h"
#include "ingest/provenance.h"

namespace hashtriage::ingest::internal {
namespace {

std::string TskErrorText() {
  const char* e = tsk_error_get();
  std::string s = e != nullptr ? e : "unknown Sleuth Kit error";
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// The TSK_IMG_INFO of an external image: TSK requires it to be the first member.
struct ExternalImage {
  TSK_IMG_INFO info;
  ImageReader* reader;
};

// The Sleuth Kit (4.11) loses some image read errors: tsk_img_read, asked for more than its 64 KiB
// cache in a length that is not a multiple of the sector size, returns the full length with whatever
// its buffer held when our read fails (a deleted file's unreadable tail came back as zeros). TSK reads
// synchronously on the caller's thread, so ExternalRead also notes each failure on that thread, and a
// file read during which one happened fails with it (TskFileReader::Read).
struct ImageReadFailures {
  std::uint64_t count = 0;
  std::string last;
};
thread_local ImageReadFailures t_image_read_failures;

ssize_t ExternalRead(TSK_IMG_INFO* img, TSK_OFF_T off, char* buf, size_t len) {
  auto* ext = reinterpret_cast<ExternalImage*>(img);
  if (off < 0) return -1;
  auto n = ext->reader->ReadAt(static_cast<std::uint64_t>(off), std::span<std::byte>(reinterpret_cast<std::byte*>(buf), len));
  if (!n.ok()) {
    ++t_image_read_failures.count;
    t_image_read_failures.last = n.status().message();
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_IMG_READ);
    tsk_error_set_errstr("%s", n.status().message().c_str());
    return -1;
  }
  return static_cast<ssize_t>(*n);
}
void ExternalClose(TSK_IMG_INFO* img) { std::free(img); }
void ExternalStat(TSK_IMG_INFO*, FILE*) {}

// Owns the TSK image; keeps the ImageReader alive for as long as TSK may read it.
struct TskImage {
  std::shared_ptr<ImageReader> reader;
  TSK_IMG_INFO* img = nullptr;
  ~TskImage() {
    if (img != nullptr) tsk_img_close(img);
  }
};

// One opened file system. Every TSK call on `fs` holds `mu` (TSK_FS_INFO is shared by the enumerator and
// the readers on worker threads).
struct TskFs {
  std::shared_ptr<TskImage> image;
  TSK_FS_INFO* fs = nullptr;
  std::mutex mu;
  ~TskFs() {
    if (fs != nullptr) tsk_fs_close(fs);
  }
};

class TskFileReader final : public ByteReader {
 public:
  TskFileReader(std::shared_ptr<TskFs> fs, TSK_INUM_T addr, std::uint64_t size, std::string path)
      : fs_(std::move(fs)), addr_(addr), size_(size), path_(std::move(path)) {}
  ~TskFileReader() override {
    if (file_ != nullptr) {
      std::lock_guard<std::mutex> lock(fs_->mu);
      tsk_fs_file_close(file_);
    }
  }
  Result<std::size_t> Read(std::span<std::byte> out) override {
    if (!failure_.ok()) return failure_;
    const std::uint64_t want = std::min<std::uint64_t>(out.size(), size_ - pos_);
    if (want == 0) return std::size_t{0};
    std::lock_guard<std::mutex> lock(fs_->mu);
    if (file_ == nullptr) {
      tsk_error_reset();
      file_ = tsk_fs_file_open_meta(fs_->fs, nullptr, addr_);
      if (file_ == nullptr) return failure_ = Status::Corruption(path_ + ": cannot open metadata: " + TskErrorText());
    }
    std::size_t got = 0;
    while (got < want) {
      tsk_error_reset();
      const std::uint64_t failures_before = t_image_read_failures.count;
      const ssize_t n = tsk_fs_file_read(file_, static_cast<TSK_OFF_T>(pos_ + got), reinterpret_cast<char*>(out.data() + got),
                                         static_cast<size_t>(want - got), TSK_FS_FILE_READ_FLAG_NONE);
      if (t_image_read_failures.count != failures_before) {
        return failure_ = Status::Corruption(path_ + ": read failed at offset " + std::to_string(pos_ + got) + ": " +
                                             t_image_read_failures.last);
      }
      if (n <= 0) {
        return failure_ = Status::Corruption(path_ + ": read failed at offset " + std::to_string(pos_ + got) + ": " +
                                             (n < 0 ? TskErrorText() : std::string("unexpected end of data")));
      }
      got += static_cast<std::size_t>(n);
    }
    pos_ += got;
    return got;
  }
  std::uint64_t size() const override { return size_; }
  Status Seek(std::uint64_t offset) override {
    pos_ = std::min(offset, size_);
    return Status::Ok();
  }

 private:
  std::shared_ptr<TskFs> fs_;
  TSK_INUM_T addr_;
  std::uint64_t size_;
  std::string path_;
  TSK_FS_FILE* file_ = nullptr;
  std::uint64_t pos_ = 0;
  Status failure_;
};

class TskFileContent final : public ContentHandle {
 public:
  TskFileContent(std::shared_ptr<TskFs> fs, TSK_INUM_T addr, std::uint64_t size, std::string path)
      : fs_(std::move(fs)), addr_(addr), size_(size), path_(std::move(path)) {}
  Result<std::unique_ptr<ByteReader>> Open() const override {
    return std::unique_ptr<ByteReader>(std::make_unique<TskFileReader>(fs_, addr_, size_, path_));
  }
  std::uint64_t size() const override { return size_; }

 private:
  std::shared_ptr<TskFs> fs_;
  TSK_INUM_T addr_;
  std::uint64_t size_;
  std::string path_;
};

struct Volume {
  TSK_OFF_T offset;
  std::string step;  // "p<slot>", or "" for an unpartitioned file system
  std::string description;
};

// A directory entry copied out of TSK so no TSK_FS_DIR stays open between calls.
struct DirEntry {
  std::string name;
  TSK_INUM_T addr = 0;
  bool name_unalloc = false;
  bool has_meta = false;
  TSK_FS_META_TYPE_ENUM meta_type = TSK_FS_META_TYPE_UNDEF;
  TSK_FS_NAME_TYPE_ENUM name_type = TSK_FS_NAME_TYPE_UNDEF;
  bool meta_unalloc = false;
  std::uint64_t size = 0;
  std::int64_t crtime = 0, mtime = 0, atime = 0;
};

std::optional<std::int64_t> NonZero(std::int64_t t) { return t != 0 ? std::optional<std::int64_t>(t) : std::nullopt; }

class TskFrame final : public Frame {
 public:
  TskFrame(std::shared_ptr<TskImage> image, std::vector<Volume> volumes, std::string evidence_id,
           const SourceOptions& options)
      : image_(std::move(image)), volumes_(std::move(volumes)), evidence_id_(std::move(evidence_id)), options_(options) {}

  std::optional<FrameEntry> Next() override {
    for (;;) {
      if (fs_ == nullptr) {
        if (next_volume_ >= volumes_.size()) return std::nullopt;
        if (auto err = OpenVolume(volumes_[next_volume_++])) return err;
        continue;
      }
      if (stack_.empty()) {
        if (options_.carve && options_.include_deleted && carve_state_ != CarveStep::kDone) {
          if (auto e = NextCarved()) return e;
          continue;
        }
        Status unreached = Status::Ok();
        {
          std::lock_guard<std::mutex> lock(fs_->mu);
          unreached = unreached_->Check(volume_prefix_);
        }
        fs_.reset();
        unreached_.reset();
        if (!unreached.ok()) return Error(volume_prefix_, std::move(unreached));
        continue;
      }
      Dir& d = stack_.back();
      if (d.next >= d.entries.size()) {
        stack_.pop_back();
        continue;
      }
      const DirEntry entry = d.entries[d.next++];
      if (auto e = Visit(d, entry)) return e;
    }
  }

 private:
  struct Dir {
    std::string fs_path;  // raw, "" for the root
    int depth;
    bool deleted;  // reached through a deleted name or the orphan directory
    std::vector<DirEntry> entries;
    std::size_t next = 0;
  };

  enum class CarveStep { kNotStarted, kCarving, kDone };

  // After the volume's walk: the next carved picture (or an error), nullopt when carving is done.
  std::optional<FrameEntry> NextCarved() {
    if (carve_state_ == CarveStep::kNotStarted) {
      carve_state_ = CarveStep::kCarving;
      Result<CarveSpace> space = [this] {
        std::lock_guard<std::mutex> lock(fs_->mu);
        return FindCarveSpace(fs_->fs, deleted_files_);
      }();
      if (!space.ok()) {
        carve_state_ = CarveStep::kDone;
        return Error(volume_prefix_, Status::Corruption(volume_prefix_ + ": unallocated space not carved: " +
                                                        space.status().message()));
      }
      CarveProgress progress;
      if (options_.on_carve_progress) {
        progress = [report = options_.on_carve_progress, volume = volume_prefix_](std::uint64_t done, std::uint64_t total) {
          report(volume, done, total);
        };
      }
      carver_.emplace(image_->reader, std::move(space).value(), CarveLimits{options_.max_carve_bytes - std::min(options_.max_carve_bytes, carved_bytes_)}, std::move(progress));
    }
    auto picture = carver_->Next();
    if (picture.ok() && *picture) return CarvedEntry(**picture);
    carve_state_ = CarveStep::kDone;
    std::optional<FrameEntry> report;
    if (!picture.ok()) {
      report = Error(volume_prefix_, Status::Corruption(volume_prefix_ + ": carving stopped: " + picture.status().message()));
    } else if (carver_->budget_spent()) {
      report = Error(volume_prefix_, Status::ResourceLimit(fmt::format(
                                         "{}: carving stopped at the image's budget of {} MB: {} MB of {} MB of "
                                         "unallocated space not examined",
                                         volume_prefix_, options_.max_carve_bytes >> 20,
                                         (carver_->space().bytes - carver_->examined_bytes()) >> 20,
                                         carver_->space().bytes >> 20)));
    }
    carved_bytes_ += carver_->examined_bytes();
    carver_.reset();
    return report;
  }

  FrameEntry CarvedEntry(const CarvedPicture& p) const {
    FrameEntry e;
    ItemInfo& info = e.info;
    info.evidence_id = evidence_id_;
    info.path = AppendStep(volume_prefix_, fmt::format("carved:{}+{}.{}", p.offset, p.length, p.format == "jpeg" ? "jpg" : p.format));
    info.kind = ItemKind::kFile;
    info.carved = true;
    info.image_offset = p.offset;
    info.size = p.length;
    if (p.state != CarveState::kComplete) {
      info.anomaly = fmt::format("carved {} {}: {}", p.format, p.state == CarveState::kTruncated ? "truncated" : "corrupt", p.why);
    }
    e.content = MakeImageSlice(image_->reader, p.offset, p.length);
    return e;
  }

  FrameEntry Error(std::string path, Status s) const {
    return ErrorEntry(evidence_id_, std::move(path), std::move(s), /*inside_archive=*/false);
  }

  std::optional<FrameEntry> OpenVolume(const Volume& v) {
    volume_prefix_ = v.step.empty() ? evidence_id_ : AppendStep(evidence_id_, v.step);
    tsk_error_reset();
    TSK_FS_INFO* fs = tsk_fs_open_img(image_->img, v.offset, TSK_FS_TYPE_DETECT);
    if (fs == nullptr) {
      return Error(volume_prefix_, Status::NotSupported(volume_prefix_ + ": no file system The Sleuth Kit recognises (" +
                                                        v.description + "): " + TskErrorText()));
    }
    fs_ = std::make_shared<TskFs>();
    fs_->image = image_;
    fs_->fs = fs;
    unreached_.emplace(fs, *image_->reader, static_cast<std::uint64_t>(v.offset));
    visited_.clear();
    visited_.insert(fs->root_inum);
    deleted_files_.clear();
    carve_state_ = CarveStep::kNotStarted;
    item_paths_.clear();
    return Push(fs->root_inum, "", 0, false, volume_prefix_);
  }

  // Lists directory `addr` into a new stack level.
  std::optional<FrameEntry> Push(TSK_INUM_T addr, std::string fs_path, int depth, bool deleted, const std::string& path) {
    std::vector<DirEntry> entries;
    {
      std::lock_guard<std::mutex> lock(fs_->mu);
      tsk_error_reset();
      TSK_FS_DIR* dir = tsk_fs_dir_open_meta(fs_->fs, addr);
      if (dir == nullptr) {
        return Error(path, Status::Corruption(path + ": cannot list directory (inode " + std::to_string(addr) +
                                              "): " + TskErrorText()));
      }
      const std::size_t n = tsk_fs_dir_getsize(dir);
      for (std::size_t i = 0; i < n; ++i) {
        TSK_FS_FILE* f = tsk_fs_dir_get(dir, i);
        if (f == nullptr) continue;
        if (f->name != nullptr && f->name->name != nullptr && std::strcmp(f->name->name, ".") != 0 &&
            std::strcmp(f->name->name, "..") != 0) {
          DirEntry e;
          e.name = f->name->name;
          e.addr = f->name->meta_addr;
          e.name_unalloc = (f->name->flags & TSK_FS_NAME_FLAG_UNALLOC) != 0;
          e.name_type = f->name->type;
          if (f->meta != nullptr) {
            e.has_meta = true;
            e.meta_type = f->meta->type;
            e.meta_unalloc = (f->meta->flags & TSK_FS_META_FLAG_UNALLOC) != 0;
            e.size = f->meta->size > 0 ? static_cast<std::uint64_t>(f->meta->size) : 0;
            e.crtime = f->meta->crtime;
            e.mtime = f->meta->mtime;
            e.atime = f->meta->atime;
          }
          entries.push_back(std::move(e));
        }
        tsk_fs_file_close(f);
      }
      tsk_fs_dir_close(dir);
    }
    stack_.push_back(Dir{std::move(fs_path), depth, deleted, std::move(entries)});
    return std::nullopt;
  }

  std::optional<FrameEntry> Visit(const Dir& d, const DirEntry& entry) {
    const std::string fs_path = d.fs_path + "/" + entry.name;
    const bool deleted = d.deleted || entry.name_unalloc || entry.meta_unalloc;
    std::string path = AppendStep(volume_prefix_, "inode:" + std::to_string(entry.addr) + ":" + EscapeName(fs_path));
    const bool is_dir = entry.has_meta ? TSK_FS_IS_DIR_META(entry.meta_type) : TSK_FS_IS_DIR_NAME(entry.name_type);
    const bool is_orphan_dir = entry.has_meta && entry.meta_type == TSK_FS_META_TYPE_VIRT_DIR;
    if (deleted && !options_.include_deleted) return std::nullopt;
    if (is_dir) {
      if (!entry.has_meta) return std::nullopt;  // a deleted directory name whose metadata is gone
      if (d.depth + 1 > options_.max_directory_depth) {
        return Error(path, Status::ResourceLimit(path + ": directory nesting limit (" +
                                                 std::to_string(options_.max_directory_depth) + ") reached"));
      }
      if (!visited_.insert(entry.addr).second) return std::nullopt;  // loops through deleted or reused entries
      if (!deleted && !is_orphan_dir) unreached_->Reached(entry.name, entry.size, false);
      return Push(entry.addr, fs_path, d.depth + 1, deleted || is_orphan_dir, path);  // invalidates `d`
    }
    if (entry.has_meta && entry.meta_type == TSK_FS_META_TYPE_VIRT) {  // $MBR, $FAT1, $ALLOC_BITMAP...
      if (!deleted) unreached_->Reached(entry.name, entry.size, true);
      return std::nullopt;
    }

    FrameEntry e;
    ItemInfo& info = e.info;
    // A corrupt file system can list the same inode under the same path twice (cross-linked directories
    // with equal or empty names): every item keeps a path of its own, and the repeat says why.
    if (!item_paths_.insert(path).second) {
      const std::string listed_again = path;
      for (int n = 2; !item_paths_.insert(path = listed_again + "#" + std::to_string(n)).second; ++n) {
      }
      info.anomaly = "listed again under the same path (a corrupt or cross-linked directory): the same inode";
    }
    info.evidence_id = evidence_id_;
    info.path = path;
    info.original_path = EscapeName(fs_path);
    info.deleted = deleted;
    info.size = entry.size;
    info.created = NonZero(entry.crtime);
    info.modified = NonZero(entry.mtime);
    info.accessed = NonZero(entry.atime);
    if (entry.name_unalloc && entry.has_meta && !entry.meta_unalloc) {
      info.anomaly += std::string(info.anomaly.empty() ? "" : "; ") +
                      "deleted name whose metadata was reallocated: the content may belong to another file";
    }
    const auto type = entry.has_meta ? static_cast<int>(entry.meta_type) : -1;
    if (!entry.has_meta) {
      if (entry.name_type == TSK_FS_NAME_TYPE_LNK) {
        info.kind = ItemKind::kSymlink;
        return e;
      }
      info.kind = ItemKind::kFile;
      info.status = Status::NotFound(path + ": deleted name without recoverable metadata");
      return e;
    }
    if (type == TSK_FS_META_TYPE_LNK) {
      info.kind = ItemKind::kSymlink;
      return e;
    }
    if (type != TSK_FS_META_TYPE_REG) {
      info.kind = ItemKind::kSpecial;
      return e;
    }
    info.kind = ItemKind::kFile;
    if (!deleted) unreached_->Reached(entry.name, entry.size, false);
    if (deleted) deleted_files_.push_back(entry.addr);
    e.content = std::make_shared<TskFileContent>(fs_, entry.addr, entry.size, path);
    return e;
  }

  std::shared_ptr<TskImage> image_;
  std::vector<Volume> volumes_;
  std::string evidence_id_;
  SourceOptions options_;
  std::size_t next_volume_ = 0;
  std::shared_ptr<TskFs> fs_;
  std::string volume_prefix_;
  std::vector<Dir> stack_;
  std::set<TSK_INUM_T> visited_;
  std::unordered_set<std::string> item_paths_;  // every item path given out in this volume
  std::optional<UnreachedSpace> unreached_;  // for the open file system
  std::vector<TSK_INUM_T> deleted_files_;     // deleted regular files yielded from it (not carved again)
  CarveStep carve_state_ = CarveStep::kNotStarted;
  std::optional<PictureCarver> carver_;
  std::uint64_t carved_bytes_ = 0;  // carve space examined in the image's earlier volumes (one budget per image)
};

Result<std::shared_ptr<TskImage>> OpenTskImage(std::shared_ptr<ImageReader> reader) {
  auto* ext = static_cast<ExternalImage*>(std::calloc(1, sizeof(ExternalImage)));
  if (ext == nullptr) return Status::ResourceLimit("out of memory opening a disk image");
  ext->reader = reader.get();
  tsk_error_reset();
  TSK_IMG_INFO* img = tsk_img_open_external(ext, static_cast<TSK_OFF_T>(reader->size()), 512, ExternalRead,
                                            ExternalClose, ExternalStat);
  if (img == nullptr) {
    std::free(ext);
    return Status::Internal(reader->name() + ": tsk_img_open_external: " + TskErrorText());
  }
  auto image = std::make_shared<TskImage>();
  image->reader = std::move(reader);
  image->img = img;
  return image;
}

// An unpartitioned file system first (as fls does), else the allocated partitions of a volume system.
Result<std::vector<Volume>> FindVolumes(TskImage& image) {
  const std::uint64_t failures_before = t_image_read_failures.count;
  tsk_error_reset();
  if (TSK_FS_INFO* fs = tsk_fs_open_img(image.img, 0, TSK_FS_TYPE_DETECT)) {
    tsk_fs_close(fs);
    return std::vector<Volume>{Volume{0, "", "whole image"}};
  }
  tsk_error_reset();
  TSK_VS_INFO* vs = tsk_vs_open(image.img, 0, TSK_VS_TYPE_DETECT);
  if (vs == nullptr) {
    // Detection tries every format and keeps none of their read errors: an unreadable image (a truncated
    // E01) must not be reported as one holding no file system.
    if (t_image_read_failures.count != failures_before) {
      return Status::Corruption(image.reader->name() + ": cannot read the image to look for a file system: " +
                                t_image_read_failures.last);
    }
    return Status::NotSupported(image.reader->name() + ": neither a partition table nor a file system The Sleuth Kit recognises");
  }
  std::vector<Volume> volumes;
  for (TSK_PNUM_T i = 0; i < vs->part_count; ++i) {
    const TSK_VS_PART_INFO* part = tsk_vs_part_get(vs, i);
    if (part == nullptr || (part->flags & TSK_VS_PART_FLAG_ALLOC) == 0) continue;
    volumes.push_back(Volume{static_cast<TSK_OFF_T>(part->start) * vs->block_size, "p" + std::to_string(part->addr),
                             part->desc != nullptr ? part->desc : "partition"});
  }
  tsk_vs_close(vs);
  return volumes;
}

}  // namespace

Result<std::unique_ptr<Frame>> MakeDiskImageFrame(std::shared_ptr<ImageReader> reader, std::string evidence_id,
                                                  const SourceOptions& options) {
  HT_ASSIGN_OR_RETURN(std::shared_ptr<TskImage> image, OpenTskImage(std::move(reader)));
  HT_ASSIGN_OR_RETURN(std::vector<Volume> volumes, FindVolumes(*image));
  return std::unique_ptr<Frame>(std::make_unique<TskFrame>(std::move(image), std::move(volumes), std::move(evidence_id), options));
}

bool LooksLikeDiskImage(std::shared_ptr<ImageReader> reader) {
  auto image = OpenTskImage(std::move(reader));
  return image.ok() && FindVolumes(**image).ok();
}

}  // namespace hashtriage::ingest::internal

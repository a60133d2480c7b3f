// SourceType and SourceOptions: how an evidence source is chosen and the caps that keep hostile evidence
// (zip bombs, endless nesting, huge entries) from exhausting the machine. Plain values, copyable.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::ingest {

// Persistent format: stored with evidence records. Append only.
enum class SourceType : std::uint8_t {
  kAuto = 0,       // detect from content (magic bytes), see DetectSourceType
  kDirectory = 1,  // a directory tree
  kArchive = 2,    // zip, tar (plain or gz/bz2/xz/zstd), 7z, iso9660, cpio, rar, a single compressed file
  kDiskImage = 3,  // raw/dd image or block device: partition table and/or file system read by The Sleuth Kit
  kEwf = 4,        // EnCase E01 segments (E02... found next to it), read by libewf, then as kDiskImage
  kUfdr = 5,       // Cellebrite-style reader package: a zip with report.xml at its root
  kFile = 6,       // any other single file: one item
};
// "auto", "directory", "archive", "disk", "ewf", "ufdr", "file".
std::string_view SourceTypeName(SourceType type);
// Accepts the names above (and "raw"/"dd" for disk, "e01" for ewf); InvalidArgument otherwise.
Result<SourceType> ParseSourceType(std::string_view name);

struct SourceOptions {
  // The source type; kAuto detects it from the content. Default: kAuto.
  SourceType type = SourceType::kAuto;

  // First step of every provenance path and ItemInfo::evidence_id.
  // Default: empty, meaning the file name of the evidence path.
  std::string evidence_id;

  // Expand archives found inside any source (directory files, disk image files, archive entries), nested.
  // Default: true.
  bool recurse_into_archives = true;

  // Archive nesting limit. An archive given as the evidence, or found in a directory or disk image, is
  // depth 1; an archive inside it is depth 2. An archive that would be deeper is still yielded as a file
  // (so it is hashed) plus a kError item (ResourceLimit) saying it was not expanded. Default: 4.
  int max_archive_depth = 4;

  // Zip-bomb guard: decompressed bytes allowed for one outermost archive together with everything nested in
  // it. The budget is max(max_decompressed_bytes, max_expansion_ratio * compressed size of the outermost
  // archive), so a 200 GB UFDR is never cut short while a 10 KB bomb stops at 16 GiB. Crossing it ends
  // that archive tree with a kError item (ResourceLimit) naming the archive and the budget.
  // 16 GiB is well above any legitimate nested photo/video archive found on a device and takes seconds,
  // not hours, to reach. Default: 16 GiB.
  std::uint64_t max_decompressed_bytes = std::uint64_t{16} << 30;
  // See max_decompressed_bytes. Photo archives compress ~1:1 and text ~1:10; bombs reach 1:1000 and more.
  // Default: 200.
  std::uint64_t max_expansion_ratio = 200;

  // Archive entries are read into memory while the (sequential) archive is enumerated, so their readers
  // work on any thread later. Entries larger than this spill to an anonymous temporary file in
  // scratch_dir; without scratch_dir they are reported with ResourceLimit. Bytes. Default: 256 MiB.
  std::uint64_t max_in_memory_entry_bytes = std::uint64_t{256} << 20;
  // A directory outside the evidence where large archive entries spill (O_TMPFILE, never named, gone when
  // the last reader closes). Default: empty (no spilling, nothing is ever written).
  std::string scratch_dir;

  // Yield deleted files (and TSK's orphan files) from disk images. UFDR items keep report.xml's deleted flag
  // either way (the package holds only what the extraction kept). Default: true.
  bool include_deleted = true;

  // Carve JPEG and PNG pictures from the unallocated space of each file system of a disk image (after its
  // files), skipping the blocks of deleted files already yielded. Carved pictures are deleted content:
  // without include_deleted nothing is carved. Default: true.
  bool carve = true;
  // Bytes of unallocated space examined per disk image (all its volumes together); past it carving stops
  // with a kError item (ResourceLimit) saying how much was left unexamined. Default: 1 TiB (no practical
  // limit).
  std::uint64_t max_carve_bytes = std::uint64_t{1} << 40;
  // Called from the enumeration thread while a volume is carved: at its start, about every 64 MiB of
  // unallocated space examined, and at its end, with the volume's provenance path, the bytes examined and
  // the bytes to examine. Default: none.
  std::function<void(const std::string& volume, std::uint64_t examined, std::uint64_t total)> on_carve_progress;

  // Yield the thumbnails embedded in JPEG files (EXIF, JFIF extension), the previews of HEIF files and the
  // pictures of thumbnail caches as items of their own, after their parent. Default: true.
  bool extract_thumbnails = true;

  // Directory nesting limit for directory trees and file systems (guards corrupt file systems whose
  // deleted directories point at each other). Default: 512.
  int max_directory_depth = 512;
};

}  // namespace hashtriage::ingest

// Item and ByteReader: what every evidence source yields. An Item is the metadata of one thing found
// in the evidence (ItemInfo) plus, for readable files, a ByteReader that streams its bytes.
// Invariants: info.path is valid UTF-8 and names the item uniquely within one scan (see provenance.h);
// `reader` is non-null exactly when info.kind == kFile and info.status is OK. A ByteReader is used by
// one thread at a time, but it owns (or shares ownership of) everything it needs, so it may be read on
// any thread, after the source has moved on to later items, and even after the source is destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"

namespace hashtriage::ingest {

// Persistent format: stored in case-store records. Append only.
enum class ItemKind : std::uint8_t {
  kFile = 0,     // a regular file (allocated or deleted); has bytes
  kSymlink = 1,  // a symbolic link: recorded, never followed, target not read (readlink changes atime)
  kSpecial = 2,  // FIFO, socket, character/block device, hard-link entry of a tar: never opened
  kError = 3,    // not an item but a report: enumerating `path` failed (unreadable directory, corrupt
                 // archive, depth or size limit hit...); `status` says why
};
std::string_view ItemKindName(ItemKind kind);

struct ItemInfo {
  // The evidence this item came from (SourceOptions::evidence_id; default: the evidence file name).
  std::string evidence_id;
  // Provenance: the evidence id then one step per layer, e.g. "case.E01/p2/inode:1234:/DCIM/a.zip/zip:b.jpg".
  std::string path;
  // The item's own path in the layer that holds it, as the original device knew it: the path relative to
  // the directory root, the path inside the file system ("/DCIM/a.jpg"), the archive entry name, or for
  // UFDR the device path from report.xml. Escaped like `path`.
  std::string original_path;
  // Size in bytes as recorded by the layer (stat, inode, archive header). For kFile the reader yields
  // exactly this many bytes or fails.
  std::uint64_t size = 0;
  // Unix seconds UTC; nullopt when the layer does not record the time.
  std::optional<std::int64_t> created;
  std::optional<std::int64_t> modified;
  std::optional<std::int64_t> accessed;
  bool deleted = false;         // found through a deleted name or unallocated metadata
  bool carved = false;          // recovered by carving unallocated space of a disk image
  // Carved items: where their bytes start in the disk image (the length is `size`).
  std::optional<std::uint64_t> image_offset;
  // An embedded preview (EXIF or JFIF thumbnail, a HEIF thumbnail item re-wrapped as a file, a thumbnail
  // cache's picture) of the file the path's previous step names, not a file of its own: it is hashed and
  // matched like one and its hits are its parent's evidence.
  bool thumbnail = false;
  bool inside_archive = false;  // some layer of `path` is an archive entry
  ItemKind kind = ItemKind::kFile;
  // Non-OK when this item could not be enumerated or read: the pipeline records it as a per-file error.
  Status status;
  // Something odd that did not stop the item being read, e.g. an archive entry name with a ".." step or
  // an absolute path, a deleted name whose metadata was reallocated. Empty when nothing is odd.
  std::string anomaly;
};

// A forward stream over one item's bytes. Used by one thread at a time.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to out.size() bytes; returns 0 only at the end of the data. An error is final: later calls
  // fail too. A reader that finds its file changed while reading (shrunk, grew, replaced) fails.
  virtual Result<std::size_t> Read(std::span<std::byte> out) = 0;
  // Total number of bytes the reader yields from offset 0.
  virtual std::uint64_t size() const = 0;
  // Moves the read position; NotSupported when the reader cannot seek. All readers made by the sources in
  // this module can seek.
  virtual Status Seek(std::uint64_t offset);

  // Convenience: everything from the current position to the end; ResourceLimit past max_bytes.
  Result<std::vector<std::byte>> ReadAll(std::uint64_t max_bytes);
};

struct Item {
  ItemInfo info;
  std::unique_ptr<ByteReader> reader;  // non-null iff info.kind == kFile && info.status.ok()
};

}  // namespace hashtriage::ingest

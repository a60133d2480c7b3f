// ImageReader: random access to the media of a disk image: a raw/dd file or block device (pread), or an
// EWF (E01/E02...) set read through libewf. Thread-safe: ReadAt may be called from many threads (libewf
// handles are not, so EWF reads are serialised by a mutex). Read-only; the raw image is opened O_NOATIME
// where permitted. libewf opens the segment files itself (read-only; their atime may change).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "hashing/digest_types.h"
#include "hashing/status.h"

namespace hashtriage::ingest::internal {

class ImageReader {
 public:
  virtual ~ImageReader() = default;
  // Reads up to out.size() bytes at `offset`; fewer only at the end of the media.
  virtual Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::byte> out) = 0;
  virtual std::uint64_t size() const = 0;
  virtual const std::string& name() const = 0;
};

Result<std::unique_ptr<ImageReader>> OpenRawImage(const std::string& path);

struct EwfStoredHashes {
  std::optional<hashing::Md5Digest> md5;
  std::optional<hashing::Sha1Digest> sha1;
};

class EwfImageReader : public ImageReader {
 public:
  // `path` is the first segment (E01); the others are found by libewf's naming rules.
  static Result<std::unique_ptr<EwfImageReader>> Open(const std::string& path);
  virtual EwfStoredHashes StoredHashes() = 0;
};

}  // namespace hashtriage::ingest::internal

// HashFile / HashContent: everything hashtriage computes for one file's bytes in one pass: the
// requested exact digests and, for images (sniffed by magic bytes), the PDQ hashes. Non-images
// stream through a fixed buffer; images are read whole (up to a cap) because decoders need it.
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "hashing/status.h"
#include "hashing/video_hasher.h"

namespace hashtriage::engine {

struct FileHashRequest {
  hashing::DigestSet digests;
  // Compute PDQ for files that look like images. Default: false.
  bool pdq = false;
  // A file that is not a decodable image is an error (set when the user asked for --pdq).
  bool pdq_required = false;
  hashing::ImageHashOptions image;
  // Images larger than this many bytes are digested but not decoded. Default: 1 GiB.
  std::uint64_t max_image_bytes = std::uint64_t{1} << 30;
  // Asked with an image's digests before it is decoded; returning false skips decoding (the caller
  // already knows this content). Default: always decode.
  std::function<bool(const hashing::DigestValues&)> should_decode;
  // Say whether the content looks like a video (FileHashes::video_container). Default: false.
  bool sniff_video = false;
};

struct FileHashes {
  std::optional<std::uint64_t> size;
  hashing::DigestValues digests;
  std::optional<hashing::ImageHashes> image;
  // With sniff_video: the video container the first bytes name (kNone for anything else). Its frames
  // are hashed by the caller, which can seek the content (hashing::HashVideo).
  hashing::VideoContainer video_container = hashing::VideoContainer::kNone;
  // Non-OK when the image part failed (corrupt, over the pixel limit...) while digests succeeded.
  Status status;
};

// A non-OK Result means the file could not be opened or read at all.
Result<FileHashes> HashFile(const std::string& path, const FileHashRequest& request);

// Reads into the span; returns the number of bytes read, 0 only at the end.
using ReadFunction = std::function<Result<std::size_t>(std::span<std::byte>)>;
// The same as HashFile over any byte stream (archive entries, files inside disk images...).
// A non-OK Result means the stream failed; image decode failures are in FileHashes::status.
Result<FileHashes> HashStream(const ReadFunction& read, const FileHashRequest& request);

// The frame hashes of the video at `path` (hash --vpdq). InvalidArgument when it is not a video
// hashtriage decodes (by magic bytes).
Result<hashing::VideoHashes> HashVideoFile(const std::string& path, const hashing::VideoHashOptions& options);

// Digests of `bytes` and, when requested and it is an image, its PDQ hashes.
FileHashes HashContent(std::span<const std::byte> bytes, const FileHashRequest& request);

}  // namespace hashtriage::engine

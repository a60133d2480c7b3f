// Slice content: an item whose bytes are a range of other bytes — an embedded thumbnail inside its
// parent file, or a carved picture inside a disk image's unallocated space. The slice keeps what it
// reads from alive (the parent's ContentHandle, the ImageReader), so its readers work on any thread after
// the source has moved on, like every ContentHandle.
#pragma once

#include <cstdint>
#include <memory>

#include "ingest/internal/content.h"
#include "ingest/internal/image_reader.h"

namespace hashtriage::ingest::internal {

// Bytes [offset, offset + size) of `parent`'s content (a fresh parent reader, seeked).
std::shared_ptr<ContentHandle> MakeContentSlice(std::shared_ptr<const ContentHandle> parent, std::uint64_t offset,
                                                std::uint64_t size);

// Bytes [offset, offset + size) of a disk image's media (ImageReader::ReadAt, thread-safe).
std::shared_ptr<ContentHandle> MakeImageSlice(std::shared_ptr<ImageReader> image, std::uint64_t offset,
                                              std::uint64_t size);

// The bytes of `content` as an ImageReader (a reader seeked per read, under a mutex), so a container file
// (a thumbnail cache) is carved like a disk image's unallocated space, in windows, never read whole.
std::shared_ptr<ImageReader> MakeContentImage(std::shared_ptr<const ContentHandle> content, std::string name);

}  // namespace hashtriage::ingest::internal

// PictureCarver: finds JPEG and PNG pictures in byte runs of a disk image (carve_space.h) by their
// signatures at block starts, and finds where each ends by walking its structure — JPEG marker segments
// and entropy-coded data up to the end-of-image marker (the walk bulk_extractor and PhotoRec describe),
// PNG chunks up to IEND. A candidate is complete when its end lies inside the run it starts in; it is
// truncated when the run ends first (the picture was fragmented or partly overwritten) and corrupt when
// its structure breaks. Carved bytes are never trusted further than that: the scan decodes a complete
// candidate to hash it, which is the final check. The work is bounded by a byte budget.
// Reads the image through ImageReader (thread-safe); one carver is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ingest/internal/carve_space.h"
#include "ingest/internal/image_reader.h"

namespace hashtriage::ingest::internal {

enum class CarveState { kComplete, kTruncated, kCorrupt };

struct CarvedPicture {
  std::string format;        // "jpeg" or "png"
  std::uint64_t offset = 0;  // in the disk image
  std::uint64_t length = 0;  // complete: the whole picture; otherwise the bytes up to where the walk stopped
  CarveState state = CarveState::kComplete;
  std::string why;  // truncated or corrupt: what the walk found, in words
};

struct CarveLimits {
  // Bytes of carve space this carver may examine; past it the carver stops (budget_spent()).
  std::uint64_t budget_bytes = std::uint64_t{1} << 40;
  // A picture longer than this is reported as corrupt (no end found). Default: 64 MiB.
  std::uint64_t max_picture_bytes = std::uint64_t{64} << 20;
};

// Told (examined, total) bytes of carve space: at the first Next(), about every 64 MiB, and at the end.
using CarveProgress = std::function<void(std::uint64_t examined, std::uint64_t total)>;

class PictureCarver {
 public:
  PictureCarver(std::shared_ptr<ImageReader> image, CarveSpace space, CarveLimits limits, CarveProgress progress = {});

  // The next candidate in image order, or nullopt when the space is done or the budget spent.
  // A read error of the image ends the carve: the error is returned.
  Result<std::optional<CarvedPicture>> Next();

  bool budget_spent() const { return budget_spent_; }
  std::uint64_t examined_bytes() const { return examined_; }
  const CarveSpace& space() const { return space_; }

 private:
  Result<CarvedPicture> WalkJpeg(const ByteRun& run, std::uint64_t start);
  Result<CarvedPicture> WalkPng(const ByteRun& run, std::uint64_t start);
  // The byte at image offset `at` (within the current run), or -1 past `end`.
  Result<int> ByteAt(std::uint64_t at, std::uint64_t end);

  std::shared_ptr<ImageReader> image_;
  CarveSpace space_;
  CarveLimits limits_;
  CarveProgress progress_;
  std::uint64_t reported_ = 0;  // examined_ at the last progress report
  bool started_ = false;
  std::size_t run_ = 0;
  std::uint64_t next_ = 0;  // image offset of the next block start to look at
  std::uint64_t examined_ = 0;
  bool budget_spent_ = false;
  // A window of the image, for the walks and the signature checks.
  std::vector<std::byte> window_;
  std::uint64_t window_offset_ = 0;
};

}  // namespace hashtriage::ingest::internal

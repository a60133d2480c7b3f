#include "ingest/internal/picture_carver.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace hashtriage::ingest::internal {
namespace {

constexpr std::size_t kWindowBytes = std::size_t{1} << 20;
constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

bool IsFrameHeader(int m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }
bool IsStandalone(int m) { return m == 0x01 || (m >= 0xD0 && m <= 0xD7); }
bool IsChunkLetter(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// One structure walk: how far it may read (the end of the run it starts in, or the size cap) and how it
// ends. Reaching the run's end first means truncated; reaching the cap, corrupt (no end found).
struct Walk {
  Walk(const char* format, const char* end_mark, const ByteRun& run, std::uint64_t start, std::uint64_t max_bytes)
      : picture{format, start, 0, CarveState::kComplete, ""},
        end_mark(end_mark),
        run_end(run.offset + run.length),
        capped(start + max_bytes < run_end),
        end(capped ? start + max_bytes : run_end),
        max_bytes(max_bytes) {}
  CarvedPicture Stop(std::uint64_t at, CarveState state, std::string why) {
    picture.length = std::min(at, end) - picture.offset;
    picture.state = state;
    picture.why = std::move(why);
    return picture;
  }
  CarvedPicture PastEnd(std::uint64_t at) {
    if (capped) return Stop(at, CarveState::kCorrupt, fmt::format("no {} within {} MiB", end_mark, max_bytes >> 20));
    return Stop(at, CarveState::kTruncated,
                fmt::format("no {} before the unallocated run ends at image offset {} (fragmented or partly overwritten)",
                            end_mark, run_end));
  }
  CarvedPicture picture;
  const char* end_mark;
  std::uint64_t run_end;
  bool capped;
  std::uint64_t end;
  std::uint64_t max_bytes;
};

}  // namespace

PictureCarver::PictureCarver(std::shared_ptr<ImageReader> image, CarveSpace space, CarveLimits limits,
                             CarveProgress progress)
    : image_(std::move(image)), space_(std::move(space)), limits_(limits), progress_(std::move(progress)) {}

Result<int> PictureCarver::ByteAt(std::uint64_t at, std::uint64_t end) {
  if (at >= end) return -1;
  if (at < window_offset_ || at >= window_offset_ + window_.size()) {
    window_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kWindowBytes, end - at)));
    HT_ASSIGN_OR_RETURN(std::size_t n, image_->ReadAt(at, window_));
    window_.resize(n);
    window_offset_ = at;
    if (n == 0) return -1;
  }
  return static_cast<int>(static_cast<std::uint8_t>(window_[static_cast<std::size_t>(at - window_offset_)]));
}

Result<std::optional<CarvedPicture>> PictureCarver::Next() {
  constexpr std::uint64_t kReportEvery = std::uint64_t{64} << 20;
  if (progress_ && !started_) progress_(0, space_.bytes);
  started_ = true;
  while (run_ < space_.runs.size()) {
    if (progress_ && examined_ - reported_ >= kReportEvery) {
      reported_ = examined_;
      progress_(examined_, space_.bytes);
    }
    const ByteRun& run = space_.runs[run_];
    const std::uint64_t run_end = run.offset + run.length;
    next_ = std::max(next_, run.offset);
    if (next_ >= run_end) {
      ++run_;
      continue;
    }
    if (examined_ >= limits_.budget_bytes) {
      budget_spent_ = true;
      return std::optional<CarvedPicture>();
    }
    if (space_.block_bytes == 1) {
      // Pictures at any byte (inside a container file): jump to the next byte that can start one.
      HT_ASSIGN_OR_RETURN(int first, ByteAt(next_, run_end));
      if (first != 0xFF && first != 0x89) {
        const std::size_t in = static_cast<std::size_t>(next_ - window_offset_);
        std::size_t skip = window_.size() - in;
        for (std::size_t i = in; i < window_.size(); ++i) {
          const auto b = static_cast<std::uint8_t>(window_[i]);
          if (b == 0xFF || b == 0x89) {
            skip = i - in;
            break;
          }
        }
        examined_ += skip;
        next_ += skip;
        continue;
      }
    }
    const std::uint64_t start = next_;
    int head[8];
    for (int i = 0; i < 8; ++i) {
      HT_ASSIGN_OR_RETURN(head[i], ByteAt(start + static_cast<std::uint64_t>(i), run_end));
    }
    std::optional<CarvedPicture> found;
    if (head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF && head[3] >= 0xC0 && head[3] != 0xFF) {
      HT_ASSIGN_OR_RETURN(found, WalkJpeg(run, start));
    } else if (std::equal(std::begin(kPngSignature), std::end(kPngSignature), head,
                          [](std::uint8_t s, int b) { return b == s; })) {
      HT_ASSIGN_OR_RETURN(found, WalkPng(run, start));
    }
    const std::uint64_t block = space_.block_bytes;
    std::uint64_t after = start + block;
    if (found && found->state == CarveState::kComplete) {
      after = std::max(after, (start + found->length + block - 1) / block * block);  // the picture's blocks
    }
    after = std::min(after, run_end);
    examined_ += after - start;
    next_ = after;
    if (found) return found;
  }
  if (progress_ && reported_ != space_.bytes) {
    reported_ = space_.bytes;
    progress_(space_.bytes, space_.bytes);
  }
  return std::optional<CarvedPicture>();
}

// JPEG: marker segments (FF xx + big-endian length) up to the end-of-image marker; after each start-of-
// scan header, entropy-coded data in which FF is followed only by 00 (stuffing), D0-D7 (restarts) or FF
// (fill) until the next marker.
Result<CarvedPicture> PictureCarver::WalkJpeg(const ByteRun& run, std::uint64_t start) {
  Walk w("jpeg", "end-of-image marker", run, start, limits_.max_picture_bytes);
  const std::uint64_t end = w.end;
  const auto stop = [&w](std::uint64_t at, CarveState state, std::string why) { return w.Stop(at, state, std::move(why)); };
  const auto past_end = [&w](std::uint64_t at) { return w.PastEnd(at); };
  std::uint64_t pos = start + 2;
  bool seen_frame = false;
  for (;;) {
    HT_ASSIGN_OR_RETURN(int b, ByteAt(pos, end));
    if (b < 0) return past_end(pos);
    if (b != 0xFF) return stop(pos, CarveState::kCorrupt, fmt::format("no marker where one must be, at +{}", pos - start));
    HT_ASSIGN_OR_RETURN(int m, ByteAt(pos + 1, end));
    while (m == 0xFF) {
      ++pos;
      HT_ASSIGN_OR_RETURN(m, ByteAt(pos + 1, end));
    }
    if (m < 0) return past_end(pos);
    if (m == 0xD9) return stop(pos + 2, CarveState::kComplete, "");
    if (IsStandalone(m)) {
      pos += 2;
      continue;
    }
    if (m < 0xC0 || m == 0xD8) {
      return stop(pos, CarveState::kCorrupt, fmt::format("invalid marker FF{:02X} at +{}", m, pos - start));
    }
    HT_ASSIGN_OR_RETURN(int hi, ByteAt(pos + 2, end));
    HT_ASSIGN_OR_RETURN(int lo, ByteAt(pos + 3, end));
    if (hi < 0 || lo < 0) return past_end(pos);
    const std::uint64_t length = static_cast<std::uint64_t>(hi << 8 | lo);
    if (length < 2) return stop(pos, CarveState::kCorrupt, fmt::format("segment length {} at +{}", length, pos - start));
    seen_frame = seen_frame || IsFrameHeader(m);
    pos += 2 + length;
    if (m != 0xDA) continue;
    if (!seen_frame) return stop(pos, CarveState::kCorrupt, "scan data before any frame header");
    for (;;) {  // entropy-coded data
      HT_ASSIGN_OR_RETURN(int e, ByteAt(pos, end));
      if (e < 0) return past_end(pos);
      if (e != 0xFF) {
        // Skip to the next FF inside the window (the common case: no call per byte).
        const std::size_t in = static_cast<std::size_t>(pos - window_offset_);
        const void* ff = std::memchr(window_.data() + in, 0xFF, window_.size() - in);
        pos = ff != nullptr ? window_offset_ + static_cast<std::uint64_t>(static_cast<const std::byte*>(ff) - window_.data())
                            : window_offset_ + window_.size();
        continue;
      }
      HT_ASSIGN_OR_RETURN(int n, ByteAt(pos + 1, end));
      if (n < 0) return past_end(pos);
      if (n == 0x00 || (n >= 0xD0 && n <= 0xD7)) {
        pos += 2;
      } else if (n == 0xFF) {
        ++pos;
      } else {
        break;  // a marker: back to the segment walk
      }
    }
  }
}

// PNG: the signature, then chunks (big-endian length, four letters, data, CRC) from IHDR to IEND.
Result<CarvedPicture> PictureCarver::WalkPng(const ByteRun& run, std::uint64_t start) {
  Walk w("png", "IEND chunk", run, start, limits_.max_picture_bytes);
  const std::uint64_t end = w.end;
  const auto stop = [&w](std::uint64_t at, CarveState state, std::string why) { return w.Stop(at, state, std::move(why)); };
  const auto past_end = [&w](std::uint64_t at) { return w.PastEnd(at); };
  std::uint64_t pos = start + 8;
  for (bool first = true;; first = false) {
    int h[8];
    for (int i = 0; i < 8; ++i) {
      HT_ASSIGN_OR_RETURN(h[i], ByteAt(pos + static_cast<std::uint64_t>(i), end));
    }
    if (h[7] < 0) return past_end(pos);
    const std::uint64_t length = static_cast<std::uint64_t>(h[0]) << 24 | static_cast<std::uint64_t>(h[1]) << 16 |
                                 static_cast<std::uint64_t>(h[2]) << 8 | static_cast<std::uint64_t>(h[3]);
    if (length > 0x7FFFFFFF || !IsChunkLetter(h[4]) || !IsChunkLetter(h[5]) || !IsChunkLetter(h[6]) ||
        !IsChunkLetter(h[7])) {
      return stop(pos, CarveState::kCorrupt, fmt::format("not a PNG chunk at +{}", pos - start));
    }
    const std::string type{static_cast<char>(h[4]), static_cast<char>(h[5]), static_cast<char>(h[6]), static_cast<char>(h[7])};
    if (first && type != "IHDR") return stop(pos, CarveState::kCorrupt, "the first chunk is not IHDR");
    const std::uint64_t next = pos + 12 + length;
    if (next > end) return past_end(end);
    if (type == "IEND") return stop(next, CarveState::kComplete, "");
    pos = next;
  }
}

}  // namespace hashtriage::ingest::internal

// Video decoding, which every video a scan meets reaches: container sniffing, FFmpeg's demuxers behind
// our read/seek callbacks, the declared-size and decoder pixel limits, frame sampling and PDQ.
// Invariants: decoding ends (bounded by the time limit) without a crash; frames come in order with
// qualities in 0..100 and timestamps that never go back; no more frames than were sampled.
#include <algorithm>
#include <cstring>

#include "hashing/video_hasher.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzVideoDecode(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  const hashing::VideoContainer container = hashing::SniffVideoContainer(bytes);
  if (container == hashing::VideoContainer::kNone) return 0;
  std::size_t position = 0;
  auto read = [&](std::span<std::byte> out) -> Result<std::size_t> {
    const std::size_t n = std::min(out.size(), size - position);
    std::memcpy(out.data(), data + position, n);
    position += n;
    return n;
  };
  auto seek = [&](std::uint64_t offset) -> Status {
    if (offset > size) return Status::InvalidArgument("seek past the end");
    position = static_cast<std::size_t>(offset);
    return Status::Ok();
  };
  hashing::VideoHashOptions options;
  options.max_pixels = 1 << 20;  // 1 MP keeps each run fast; the check is the same
  options.time_limit_seconds = 2;
  options.max_sampled_frames = 50;
  options.seconds_per_frame = size % 2 == 0 ? 1.0 : 0.1;
  auto hashed = hashing::HashVideo(read, seek, size, container, options);
  if (!hashed.ok()) return 0;
  HT_FUZZ_CHECK(static_cast<std::int64_t>(hashed->frames.size()) <= hashed->frames_sampled);
  HT_FUZZ_CHECK(hashed->frames_sampled <= hashed->frames_decoded);
  double last = -1;
  for (const hashing::VideoFrameHash& f : hashed->frames) {
    HT_FUZZ_CHECK(f.quality >= 0 && f.quality <= 100);
    HT_FUZZ_CHECK(f.timestamp >= last);
    last = f.timestamp;
  }
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzVideoDecode)

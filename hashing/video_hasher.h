// HashVideo: a video's frame hashes in the manner of Meta's vPDQ. Frames are sampled at one per
// `seconds_per_frame` of video (vPDQ's rule: decoded frame i when i % floor(seconds_per_frame * fps) == 0,
// timestamp i / fps), scaled to fit max_side, turned into luma and PDQ-hashed with the same PDQ as
// still images; consecutive frames within `collapse_distance` bits of the last kept frame are collapsed
// into it. A frame with uniform borders (a picture letterboxed into the video) also gets the hash of
// its content without them (the centred box: hashing/robust_variants.h SymmetricBox), so a known still
// shown in a slideshow is found. Decoding is done by FFmpeg's libraries in a plugin loaded on first use
// (hashing/video_decoder_plugin.h). The caller supplies the bytes through a seekable reader, so a video
// inside an archive or a disk image is decoded where it is. Hashes only: no frame outlives the call.
// Thread-safe; a video is hostile input (bounded time, frame size and frame count).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/pdq_hash.h"
#include "hashing/status.h"

namespace hashtriage::hashing {

// The containers hashtriage decodes, by magic bytes: ISO base media (MP4, MOV, 3GP, M4V), AVI, and
// Matroska (MKV, WebM).
enum class VideoContainer : std::uint8_t { kNone = 0, kIsoMedia, kAvi, kMatroska };
VideoContainer SniffVideoContainer(std::span<const std::byte> head);
inline bool LooksLikeVideo(std::span<const std::byte> head) { return SniffVideoContainer(head) != VideoContainer::kNone; }

struct VideoHashOptions {
  // Sampling interval in seconds of video. Default: 1 (vPDQ's default).
  double seconds_per_frame = 1.0;
  // Sampled frames are scaled (area average) to fit this many pixels on their longer side before
  // hashing; smaller frames keep their size, as vPDQ hashes them (scaling 720p to 1024 moved
  // some frames 20+ bits from vPDQ's). Default: 1920 (1080p is hashed as it is; 4K at half size).
  int max_side = 1920;
  // Frames (declared or decoded) over this many pixels are refused. Default: 8192 x 8192.
  std::int64_t max_pixels = std::int64_t{8192} * 8192;
  // Wall time for one video; past it the frames so far are kept and the result says it stopped.
  // Default: 300 s (a 2-hour 1080p video decodes in well under that on one core).
  double time_limit_seconds = 300;
  // At most this many sampled frames (36,000: ten hours at one per second). Default: 36000.
  std::int64_t max_sampled_frames = 36000;
  // A sampled frame within this many bits of the last kept frame is collapsed into it (-1: keep every
  // sampled frame, as vPDQ's reference does). Default: 2.
  int collapse_distance = 2;
};

struct VideoFrameHash {
  std::int64_t frame_number = 0;  // decoded frame index, 0-based
  double timestamp = 0;           // seconds: frame_number / fps
  PdqHash hash;
  int quality = 0;
  // The PDQ of the frame without its uniform borders (letterbox or pillarbox bars around a picture
  // shown in the video), when it has any: what a known still is matched with. Not part of vPDQ.
  std::optional<PdqHash> trimmed;
  friend bool operator==(const VideoFrameHash&, const VideoFrameHash&) = default;
};

struct VideoHashes {
  std::string container;  // FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;      // decoder name, e.g. "h264"
  int width = 0;          // as declared
  int height = 0;
  double fps = 0;
  double duration = 0;    // declared, seconds; 0 when unknown
  std::int64_t frames_decoded = 0;
  std::int64_t frames_sampled = 0;
  std::vector<VideoFrameHash> frames;  // the kept (not collapsed) sampled frames, in order
  // Why not all of the video was hashed, or what was odd ("" when all went well): a time or frame
  // limit, corrupt packets skipped, an end earlier than the declared duration.
  std::string incomplete;
  std::string warning;
};

// Reads up to out.size() bytes at the current position: the count, 0 only at the end.
using VideoReadFunction = std::function<Result<std::size_t>(std::span<std::byte> out)>;
// Moves the read position to an absolute offset.
using VideoSeekFunction = std::function<Status(std::uint64_t offset)>;

// Hashes the video of `size` bytes. `container` is what SniffVideoContainer said of its first bytes:
// only that container's demuxer parses it. Corruption (with the reason) when it cannot be decoded at
// all; NotSupported when the decoder plugin cannot be loaded.
Result<VideoHashes> HashVideo(const VideoReadFunction& read, const VideoSeekFunction& seek, std::uint64_t size,
                              VideoContainer container, const VideoHashOptions& options = {});

// The frames of a vPDQ hash-list line (`frame_number,quality,hash,timestamp`) as written by Meta's
// vpdq-hash-video, for `hash --vpdq`.
std::string VpdqLine(const VideoFrameHash& frame);

}  // namespace hashtriage::hashing

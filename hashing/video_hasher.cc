#include "hashing/video_hasher.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <vector>

#include "hashing/image_format.h"
#include "hashing/luma_convert.h"
#include "hashing/luma_image.h"
#include "hashing/pdq.h"
#include "hashing/plugin_loader.h"
#include "hashing/robust_variants.h"
#include "hashing/video_decoder_plugin.h"

namespace hashtriage::hashing {

namespace {

constexpr const char* kVideoPluginName = "hashtriage_video_decoder.so";

struct VideoPlugin {
  HashtriageVideoDecode decode = nullptr;
  std::string error;
};

const VideoPlugin& LoadVideoPlugin() {
  static const VideoPlugin plugin = [] {
    const LoadedPlugin loaded = LoadPlugin(kVideoPluginName, {"hashtriage_video_decode"}, "the video decoder plugin");
    return VideoPlugin{reinterpret_cast<HashtriageVideoDecode>(loaded.symbols[0]), loaded.error};
  }();
  return plugin;
}

bool HasTag(std::span<const std::byte> head, std::size_t at, const char* tag) {
  const std::size_t n = std::strlen(tag);
  return head.size() >= at + n && std::memcmp(head.data() + at, tag, n) == 0;
}

// ISO base media files that are not videos: HEIF/AVIF stills (the image sniffer's brands) and Canon
// CR3 raw photos.
bool IsImageBrand(std::span<const std::byte> head) {
  return SniffImageFormat(head) == ImageFormat::kHeif || HasTag(head, 8, "crx ");
}

const char* DemuxersOf(VideoContainer c) {
  switch (c) {
    case VideoContainer::kIsoMedia: return "mov";
    case VideoContainer::kAvi: return "avi";
    case VideoContainer::kMatroska: return "matroska";
    case VideoContainer::kNone: break;
  }
  return "";
}

// What the decoder's callbacks read through, and where the frames' hashes go.
struct Context {
  const VideoReadFunction* read = nullptr;
  const VideoSeekFunction* seek = nullptr;
  std::uint64_t size = 0;
  std::uint64_t position = 0;
  const VideoHashOptions* options = nullptr;
  VideoHashes* out = nullptr;
  std::string failure;
  LumaImage luma;
};

int ReadVideoBytes(void* opaque, unsigned char* buf, int size) {
  auto* c = static_cast<Context*>(opaque);
  auto n = (*c->read)(std::span<std::byte>(reinterpret_cast<std::byte*>(buf), static_cast<std::size_t>(size)));
  if (!n.ok()) {
    c->failure = n.status().message();
    return -1;
  }
  c->position += *n;
  return static_cast<int>(*n);
}

std::int64_t SeekVideoBytes(void* opaque, std::int64_t offset, int whence) {
  auto* c = static_cast<Context*>(opaque);
  std::int64_t target = offset;
  if (whence == SEEK_CUR) target = static_cast<std::int64_t>(c->position) + offset;
  if (whence == SEEK_END) target = static_cast<std::int64_t>(c->size) + offset;
  if (target < 0 || static_cast<std::uint64_t>(target) > c->size) return -1;
  const Status s = (*c->seek)(static_cast<std::uint64_t>(target));
  if (!s.ok()) {
    c->failure = s.message();
    return -1;
  }
  c->position = static_cast<std::uint64_t>(target);
  return target;
}

int FrameCallback(void* user, const HashtriageVideoFrame* frame) {
  auto* c = static_cast<Context*>(user);
  try {
    LumaImage& luma = c->luma;
    luma.width = frame->width;
    luma.height = frame->height;
    luma.pixels.resize(static_cast<std::size_t>(frame->width) * frame->height);
    for (int y = 0; y < frame->height; ++y) {
      RgbRowToLuma(frame->rgb + static_cast<std::size_t>(y) * frame->stride,
                   luma.pixels.data() + static_cast<std::size_t>(y) * frame->width, frame->width, false);
    }
    const PdqResult pdq = ComputePdq(luma);
    std::vector<VideoFrameHash>& kept = c->out->frames;
    const int collapse = c->options->collapse_distance;
    if (collapse >= 0 && !kept.empty() && HammingDistance(kept.back().hash, pdq.hash) <= collapse) return 0;
    VideoFrameHash hashed{frame->frame_number, frame->timestamp, pdq.hash, pdq.quality, std::nullopt};
    // Players and slideshows centre what they letterbox: the symmetric box keeps a picture's dark edge.
    const TrimBox box = SymmetricBox(luma, FindUniformBorders(luma));
    if (box.width() != luma.width || box.height() != luma.height) hashed.trimmed = ComputePdq(CropLuma(luma, box)).hash;
    kept.push_back(hashed);
    return 0;
  } catch (const std::exception& e) {
    c->failure = std::string("hashing a frame failed: ") + e.what();
    return 1;
  }
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

}  // namespace

VideoContainer SniffVideoContainer(std::span<const std::byte> head) {
  if (head.size() >= 4 && std::to_integer<int>(head[0]) == 0x1A && std::to_integer<int>(head[1]) == 0x45 &&
      std::to_integer<int>(head[2]) == 0xDF && std::to_integer<int>(head[3]) == 0xA3) {
    return VideoContainer::kMatroska;
  }
  if (HasTag(head, 0, "RIFF") && (HasTag(head, 8, "AVI ") || HasTag(head, 8, "AVIX"))) return VideoContainer::kAvi;
  if (HasTag(head, 4, "ftyp")) return IsImageBrand(head) ? VideoContainer::kNone : VideoContainer::kIsoMedia;
  // Older QuickTime files start with a movie, media-data or padding atom instead of "ftyp".
  if (head.size() >= 8 && (HasTag(head, 4, "moov") || HasTag(head, 4, "mdat") || HasTag(head, 4, "wide"))) {
    const auto size = (std::to_integer<std::uint32_t>(head[0]) << 24) | (std::to_integer<std::uint32_t>(head[1]) << 16) |
                      (std::to_integer<std::uint32_t>(head[2]) << 8) | std::to_integer<std::uint32_t>(head[3]);
    if (size == 1 || size >= 8) return VideoContainer::kIsoMedia;
  }
  return VideoContainer::kNone;
}

Result<VideoHashes> HashVideo(const VideoReadFunction& read, const VideoSeekFunction& seek, std::uint64_t size,
                              VideoContainer container, const VideoHashOptions& options) {
  if (container == VideoContainer::kNone) return Status::InvalidArgument("not a recognised video container");
  if (!(options.seconds_per_frame > 0)) return Status::InvalidArgument("seconds per frame must be positive");
  const VideoPlugin& plugin = LoadVideoPlugin();
  if (plugin.decode == nullptr) return Status::NotSupported(plugin.error);
  HT_RETURN_IF_ERROR(seek(0));
  VideoHashes out;
  Context context;
  context.read = &read;
  context.seek = &seek;
  context.size = size;
  context.options = &options;
  context.out = &out;
  HashtriageVideoSource source{&context, ReadVideoBytes, SeekVideoBytes, static_cast<std::int64_t>(size),
                               DemuxersOf(container)};
  HashtriageVideoLimits limits{options.seconds_per_frame, options.max_side, options.max_pixels,
                               options.time_limit_seconds, options.max_sampled_frames};
  HashtriageVideoResult result;
  const int rc = plugin.decode(&source, &limits, FrameCallback, &context, &result);
  out.container = result.container;
  out.codec = result.codec;
  out.width = result.width;
  out.height = result.height;
  out.fps = result.fps;
  out.duration = result.duration;
  out.frames_decoded = result.frames_decoded;
  out.frames_sampled = result.frames_sampled;
  out.warning = result.warning;
  if (!context.failure.empty() && result.stopped == 3) return Status::Internal(context.failure);
  if (rc != 0) {
    std::string why = result.error;
    if (!context.failure.empty()) why += " (" + context.failure + ")";
    return Status::Corruption("video not decodable: " + why);
  }
  const double decoded_seconds = out.fps > 0 ? static_cast<double>(out.frames_decoded) / out.fps : 0;
  if (result.stopped == 1) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g s", options.time_limit_seconds);
    out.incomplete = "stopped at the " + std::string(limit) + " time limit after " +
                     Seconds(decoded_seconds) + " of video";
  } else if (result.stopped == 2) {
    out.incomplete = "stopped at the " + std::to_string(options.max_sampled_frames) + "-frame limit after " +
                     Seconds(decoded_seconds) + " of video";
  } else if (out.duration > 0 && decoded_seconds + std::max(2.0, 2 * options.seconds_per_frame) < out.duration) {
    out.incomplete = "decoded " + Seconds(decoded_seconds) + " of the " + Seconds(out.duration) +
                     " the container declares (truncated or corrupt)";
  }
  if (!context.failure.empty()) {
    out.warning += (out.warning.empty() ? "" : "; ") + context.failure;
  }
  return out;
}

std::string VpdqLine(const VideoFrameHash& frame) {
  char timestamp[32];
  std::snprintf(timestamp, sizeof timestamp, "%.3f", frame.timestamp);
  return std::to_string(frame.frame_number) + "," + std::to_string(frame.quality) + "," + frame.hash.hex() + "," +
         timestamp;
}

}  // namespace hashtriage::hashing

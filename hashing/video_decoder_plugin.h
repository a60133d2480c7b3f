// The C interface between hashtriage and its video decoder plugin (hashtriage_video_decoder.so, built
// from video_decoder_plugin.cc over FFmpeg's libavformat, libavcodec and libswscale). Linked into the
// binary, libavformat's ~130 shared libraries would cost every hashtriage process their loading before
// main; the plugin is loaded on the first video a scan meets (hashing/video_hasher.h), like the OpenCV
// codec plugin. Plain C types only: the two sides are built together but loaded apart.
//
// The plugin reads the video through the caller's read/seek callbacks (never a path: evidence may be
// inside an archive or a disk image), decodes its best video stream and hands every sampled frame to a
// callback as RGB24, scaled to fit max_side. Sampling follows Meta's vPDQ: decoded frame i (0-based,
// in output order) is sampled when i % max(1, floor(seconds_per_frame * fps)) == 0, and its timestamp
// is i / fps.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

// Reads up to `size` bytes into `buf`: the count read, 0 at the end, negative on error.
typedef int (*HashtriageVideoRead)(void* opaque, unsigned char* buf, int size);
// Moves to `offset` (whence: SEEK_SET, SEEK_CUR, SEEK_END) and returns the new position, or returns the
// total size when whence is 0x10000 (AVSEEK_SIZE); negative on error.
typedef std::int64_t (*HashtriageVideoSeek)(void* opaque, std::int64_t offset, int whence);

struct HashtriageVideoSource {
  void* opaque;
  HashtriageVideoRead read;
  HashtriageVideoSeek seek;
  std::int64_t size;
  // The demuxers allowed, comma-separated FFmpeg names (e.g. "mov,mp4,m4a,3gp,3g2,mj2"): only the
  // container the magic bytes named is ever parsed.
  const char* formats;
};

struct HashtriageVideoLimits {
  double seconds_per_frame;     // vPDQ sampling interval (> 0)
  int max_side;                 // sampled frames are scaled to fit max_side x max_side (aspect kept)
  std::int64_t max_pixels;      // a declared or decoded frame larger than this is refused
  double time_limit_seconds;    // wall time for the whole video; past it decoding stops (partial result)
  std::int64_t max_sampled_frames;  // past this many sampled frames decoding stops (partial result)
};

struct HashtriageVideoFrame {
  std::int64_t frame_number;  // decoded frame index, 0-based
  double timestamp;           // frame_number / fps, seconds
  int width;
  int height;
  int stride;                 // bytes per row; every row readable for 4 bytes past width * 3
  const unsigned char* rgb;   // valid only during the callback
};

// Called for each sampled frame; a non-zero return stops decoding.
typedef int (*HashtriageVideoFrameCallback)(void* user, const HashtriageVideoFrame* frame);

struct HashtriageVideoResult {
  char container[64];
  char codec[32];
  int width;                 // as declared by the stream
  int height;
  double fps;
  double duration;           // seconds as declared by the container; 0 when unknown
  std::int64_t frames_decoded;
  std::int64_t frames_sampled;
  std::int64_t packets_rejected;  // packets the decoder refused (corrupt data), skipped
  int stopped;               // 1: the time limit, 2: the frame limit, 3: the callback
  char error[256];           // why the video could not be decoded at all (return value non-zero)
  char warning[256];         // something that did not stop decoding: read errors, rejected packets
};

// Decodes `source` within `limits`, calling `on_frame` for each sampled frame. Returns 0 when the video
// was opened and decoded (possibly partly: see stopped and warning), non-zero with `error` set when it
// could not be opened or no frame could be decoded.
typedef int (*HashtriageVideoDecode)(const HashtriageVideoSource* source, const HashtriageVideoLimits* limits,
                                     HashtriageVideoFrameCallback on_frame, void* user, HashtriageVideoResult* out);

}  // extern "C"

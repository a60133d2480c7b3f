// hashtriage_video_decoder.so: FFmpeg's libavformat/libavcodec/libswscale behind the C interface of
// video_decoder_plugin.h. Every video is treated as hostile: only the sniffed container's demuxer may
// parse it, declared and decoded frame sizes are checked against max_pixels before any frame buffer is
// allocated, decoding runs on one thread under a wall-time limit (checked in the read callback, the
// interrupt callback and between packets), and a corrupt packet is skipped, not fatal.
#include "hashing/video_decoder_plugin.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/imgutils.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kIoBufferBytes = 64 * 1024;

struct Session {
  const HashtriageVideoSource* source = nullptr;
  Clock::time_point deadline;
  bool timed_out = false;
  bool read_failed = false;

  bool Expired() {
    if (!timed_out && Clock::now() > deadline) timed_out = true;
    return timed_out;
  }
};

int ReadPacket(void* opaque, std::uint8_t* buf, int size) {
  auto* s = static_cast<Session*>(opaque);
  if (s->Expired()) return AVERROR_EXIT;
  const int n = s->source->read(s->source->opaque, buf, size);
  if (n < 0) {
    s->read_failed = true;
    return AVERROR(EIO);
  }
  return n == 0 ? AVERROR_EOF : n;
}

std::int64_t SeekPacket(void* opaque, std::int64_t offset, int whence) {
  auto* s = static_cast<Session*>(opaque);
  if (whence == AVSEEK_SIZE) return s->source->size;
  whence &= ~AVSEEK_FORCE;
  return s->source->seek(s->source->opaque, offset, whence);
}

int Interrupted(void* opaque) { return static_cast<Session*>(opaque)->Expired() ? 1 : 0; }

void SetText(char* out, std::size_t size, const std::string& text) {
  std::snprintf(out, size, "%s", text.c_str());
}

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof text);
  return text;
}

// Everything the decoder allocates, released in one place whatever path decoding leaves by.
struct Resources {
  AVIOContext* io = nullptr;
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  AVPacket* packet = nullptr;
  AVFrame* frame = nullptr;
  SwsContext* scaler = nullptr;
  std::uint8_t* rgb = nullptr;
  ~Resources() {
    av_free(rgb);
    sws_freeContext(scaler);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&codec);
    avformat_close_input(&format);  // does not free a custom AVIOContext
    if (io != nullptr) av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

class Decoder {
 public:
  Decoder(const HashtriageVideoLimits& limits, HashtriageVideoFrameCallback on_frame, void* user,
          HashtriageVideoResult& out)
      : limits_(limits), on_frame_(on_frame), user_(user), out_(out) {}

  // 0 when decoded (maybe partly); otherwise `error` says why not.
  int Run(const HashtriageVideoSource& source) {
    session_.source = &source;
    session_.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(limits_.time_limit_seconds));
    if (int rc = Open(source); rc != 0) return rc;
    if (int rc = Decode(); rc != 0) return rc;
    if (out_.frames_decoded == 0 && out_.stopped == 0) return Fail("no frame could be decoded" + Because());
    return 0;
  }

 private:
  int Fail(const std::string& why) {
    SetText(out_.error, sizeof out_.error, why);
    return 1;
  }
  std::string Because() const {
    if (!last_error_.empty()) return " (" + last_error_ + ")";
    return "";
  }

  int Open(const HashtriageVideoSource& source) {
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
    if (buffer == nullptr) return Fail("out of memory");
    r_.io = avio_alloc_context(buffer, kIoBufferBytes, 0, &session_, ReadPacket, nullptr, SeekPacket);
    if (r_.io == nullptr) {
      av_free(buffer);
      return Fail("out of memory");
    }
    r_.format = avformat_alloc_context();
    if (r_.format == nullptr) return Fail("out of memory");
    r_.format->pb = r_.io;
    r_.format->flags |= AVFMT_FLAG_CUSTOM_IO;
    r_.format->interrupt_callback = {Interrupted, &session_};
    r_.format->format_whitelist = av_strdup(source.formats);
    int rc = avformat_open_input(&r_.format, nullptr, nullptr, nullptr);
    if (rc < 0) {
      r_.format = nullptr;  // freed by avformat_open_input on failure
      if (session_.timed_out) return TimedOutOpening();
      return Fail("not a readable video container: " + AvError(rc));
    }
    SetText(out_.container, sizeof out_.container, r_.format->iformat->name);
    // What the container's headers declare, before probing replaces it with what the stream holds.
    std::string declared;
    for (unsigned i = 0; i < r_.format->nb_streams; ++i) {
      const AVCodecParameters* par = r_.format->streams[i]->codecpar;
      if (par->codec_type == AVMEDIA_TYPE_VIDEO && TooLarge(par->width, par->height)) {
        declared = std::to_string(par->width) + "x" + std::to_string(par->height);
      }
    }
    // Probing decodes a few frames: its decoders get the same pixel limit.
    std::vector<AVDictionary*> probe_options(r_.format->nb_streams, nullptr);
    for (AVDictionary*& d : probe_options) av_dict_set_int(&d, "max_pixels", limits_.max_pixels, 0);
    rc = avformat_find_stream_info(r_.format, probe_options.empty() ? nullptr : probe_options.data());
    for (AVDictionary*& d : probe_options) av_dict_free(&d);
    if (session_.timed_out) return TimedOutOpening();
    if (rc < 0) return Fail("cannot read the streams: " + AvError(rc));
    stream_ = av_find_best_stream(r_.format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (stream_ < 0) return Fail("no video stream");
    const AVStream* stream = r_.format->streams[stream_];
    const AVCodecParameters* par = stream->codecpar;
    out_.width = par->width;
    out_.height = par->height;
    if (r_.format->duration > 0) out_.duration = static_cast<double>(r_.format->duration) / AV_TIME_BASE;
    if (TooLarge(par->width, par->height)) {
      return Fail("declared frame size " + std::to_string(par->width) + "x" + std::to_string(par->height) +
                  " is over the " + std::to_string(limits_.max_pixels) + "-pixel limit; not decoded");
    }
    if (!declared.empty()) {
      // The header lied; the stream's own frames are within the limit and are what gets decoded.
      header_note_ = "the container declares " + declared + " frames; the stream's are " + std::to_string(par->width) +
                     "x" + std::to_string(par->height);
    }
    AVRational rate = stream->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) rate = stream->r_frame_rate;
    out_.fps = (rate.num > 0 && rate.den > 0) ? av_q2d(rate) : 0;
    if (!(out_.fps > 0.01 && out_.fps < 1000)) out_.fps = 25;  // unknown or absurd: assume 25 (stated in the record)
    const double per = limits_.seconds_per_frame * out_.fps;
    frame_mod_ = per >= 1 ? static_cast<std::int64_t>(per) : 1;

    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (decoder == nullptr) return Fail("no decoder for codec " + std::string(avcodec_get_name(par->codec_id)));
    SetText(out_.codec, sizeof out_.codec, decoder->name);
    r_.codec = avcodec_alloc_context3(decoder);
    if (r_.codec == nullptr) return Fail("out of memory");
    if ((rc = avcodec_parameters_to_context(r_.codec, par)) < 0) return Fail("bad codec parameters: " + AvError(rc));
    r_.codec->thread_count = 1;  // the scan parallelises across files
    r_.codec->max_pixels = limits_.max_pixels;
    if ((rc = avcodec_open2(r_.codec, decoder, nullptr)) < 0) return Fail("cannot open the decoder: " + AvError(rc));
    r_.packet = av_packet_alloc();
    r_.frame = av_frame_alloc();
    if (r_.packet == nullptr || r_.frame == nullptr) return Fail("out of memory");
    return 0;
  }

  bool TooLarge(int width, int height) const {
    return width < 0 || height < 0 || static_cast<double>(width) * height > static_cast<double>(limits_.max_pixels);
  }

  int TimedOutOpening() {
    char text[96];
    std::snprintf(text, sizeof text, "stopped at the %g s time limit while opening the video",
                  limits_.time_limit_seconds);
    return Fail(text);
  }

  int Decode() {
    bool more = true;
    while (more && out_.stopped == 0) {
      if (session_.Expired()) {
        out_.stopped = 1;
        break;
      }
      const int rc = av_read_frame(r_.format, r_.packet);
      if (rc < 0) {
        if (rc != AVERROR_EOF && !session_.timed_out) last_error_ = "reading stopped: " + AvError(rc);
        if (session_.timed_out) out_.stopped = 1;
        more = false;
        avcodec_send_packet(r_.codec, nullptr);  // flush
      } else if (r_.packet->stream_index == stream_) {
        const int sent = avcodec_send_packet(r_.codec, r_.packet);
        av_packet_unref(r_.packet);
        if (sent < 0 && sent != AVERROR(EAGAIN)) {
          ++out_.packets_rejected;
          last_error_ = AvError(sent);
          continue;
        }
      } else {
        av_packet_unref(r_.packet);
        continue;
      }
      if (int rc2 = Receive(); rc2 != 0) return rc2;
    }
    std::string warning = header_note_;
    if (!last_error_.empty()) warning += (warning.empty() ? "" : "; ") + last_error_;
    if (out_.packets_rejected > 0) {
      warning += (warning.empty() ? "" : "; ") + std::to_string(out_.packets_rejected) + " corrupt packet(s) skipped";
    }
    if (session_.read_failed) warning += (warning.empty() ? "" : "; ") + std::string("the evidence could not be read");
    SetText(out_.warning, sizeof out_.warning, warning);
    return 0;
  }

  int Receive() {
    while (out_.stopped == 0) {
      const int rc = avcodec_receive_frame(r_.codec, r_.frame);
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
      if (rc < 0) {
        ++out_.packets_rejected;
        last_error_ = AvError(rc);
        return 0;
      }
      const std::int64_t index = out_.frames_decoded++;
      if (index % frame_mod_ == 0) {
        if (int sampled = Sample(index); sampled != 0) return sampled;
      }
      av_frame_unref(r_.frame);
    }
    return 0;
  }

  int Sample(std::int64_t index) {
    const AVFrame* f = r_.frame;
    if (f->width <= 0 || f->height <= 0 ||
        static_cast<double>(f->width) * f->height > static_cast<double>(limits_.max_pixels)) {
      return Fail("decoded frame size " + std::to_string(f->width) + "x" + std::to_string(f->height) +
                  " is over the pixel limit");
    }
    int w = f->width, h = f->height;
    if (w > limits_.max_side || h > limits_.max_side) {
      const double scale = static_cast<double>(limits_.max_side) / (w > h ? w : h);
      w = w * scale < 1 ? 1 : static_cast<int>(w * scale + 0.5);
      h = h * scale < 1 ? 1 : static_cast<int>(h * scale + 0.5);
    }
    const bool resized = w != f->width || h != f->height;
    // Accurate rounding keeps libswscale off its fast SIMD YUV->RGB paths, whose output for frames of
    // some widths (seen: 340 px) changed from run to run with the heap's layout, by up to 10 bits of PDQ.
    // The cost: up to 6 bits from Meta's vpdq-hash-video on the same frames (bench/RESULTS.md).
    r_.scaler = sws_getCachedContext(r_.scaler, f->width, f->height, static_cast<AVPixelFormat>(f->format), w, h,
                                     AV_PIX_FMT_RGB24, (resized ? SWS_AREA : SWS_BICUBIC) | SWS_BITEXACT | SWS_ACCURATE_RND, nullptr, nullptr, nullptr);
    if (r_.scaler == nullptr) return Fail("cannot convert frames of pixel format " + std::to_string(f->format));
    const int stride = (w * 3 + 4 + 63) / 64 * 64;
    if (w != rgb_width_ || h != rgb_height_) {
      av_freep(&r_.rgb);
      r_.rgb = static_cast<std::uint8_t*>(av_malloc(static_cast<std::size_t>(stride) * h + 64));
      if (r_.rgb == nullptr) return Fail("out of memory");
      rgb_width_ = w;
      rgb_height_ = h;
    }
    std::uint8_t* planes[4] = {r_.rgb, nullptr, nullptr, nullptr};
    int strides[4] = {stride, 0, 0, 0};
    sws_scale(r_.scaler, f->data, f->linesize, 0, f->height, planes, strides);
    ++out_.frames_sampled;
    HashtriageVideoFrame frame{index, static_cast<double>(index) / out_.fps, w, h, stride, r_.rgb};
    if (on_frame_(user_, &frame) != 0) out_.stopped = 3;
    if (out_.frames_sampled >= limits_.max_sampled_frames) out_.stopped = 2;
    return 0;
  }

  const HashtriageVideoLimits& limits_;
  HashtriageVideoFrameCallback on_frame_;
  void* user_;
  HashtriageVideoResult& out_;
  Session session_;
  Resources r_;
  int stream_ = -1;
  std::int64_t frame_mod_ = 1;
  int rgb_width_ = 0, rgb_height_ = 0;
  std::string last_error_;
  std::string header_note_;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) int hashtriage_video_decode(
    const HashtriageVideoSource* source, const HashtriageVideoLimits* limits, HashtriageVideoFrameCallback on_frame,
    void* user, HashtriageVideoResult* out) {
  std::memset(out, 0, sizeof *out);
  av_log_set_level(AV_LOG_QUIET);  // problems are returned, never printed over a scan's progress
  try {
    Decoder decoder(*limits, on_frame, user, *out);
    return decoder.Run(*source);
  } catch (const std::exception& e) {
    SetText(out->error, sizeof out->error, std::string("decoder failed: ") + e.what());
    return 1;
  }
}

// vPDQ hash lists (Meta's vpdq-hash-video output): one file per video, one line per sampled frame,
// `frame_number,quality,pdq_hash,timestamp_seconds`. The video's media id is the file name without
// its extension. Every distinct frame hash becomes a PDQ entry of the set flagged as a video frame
// (so a scanned video finds its candidate videos by PDQ search), and the video's distinct frames are
// kept whole with the set (SetInfo::videos) for the vPDQ comparison.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "index/internal/line_reader.h"
#include "index/internal/record_sink.h"
#include "ingest/csv_reader.h"

namespace hashtriage::index::internal {

namespace {

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  text = Trim(text);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Status ReadVpdqList(const std::string& path, const std::string& name, RecordSink& sink, std::vector<KnownVideo>& videos) {
  HT_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
  KnownVideo video;
  video.media_id = std::filesystem::path(name).stem().string();
  std::map<hashing::PdqHash, std::size_t> seen;  // hash -> index in video.frames
  std::string bytes;
  while (auto raw = reader->Next()) {
    const std::string_view line = Trim(*raw);
    if (line.empty() || line.front() == '#') continue;
    sink.CountRecord(reader->offset());
    auto fields = ingest::ParseCsvRecord(line);
    if (!fields.ok()) {
      HT_RETURN_IF_ERROR(sink.Reject(reader->line(), reader->offset(), "malformed CSV record", fields.status().message()));
      continue;
    }
    const std::vector<std::string>& f = *fields;
    std::int64_t frame = 0;
    int quality = 0;
    double timestamp = 0;
    std::string reason;
    if (f.size() != 4) {
      reason = "expected 4 fields (frame_number,quality,pdq_hash,timestamp), found " + std::to_string(f.size());
    } else if (!ParseNumber(f[0], frame) || frame < 0) {
      reason = "malformed frame number '" + std::string(Trim(f[0]).substr(0, 20)) + "'";
    } else if (!ParseNumber(f[1], quality) || quality < 0 || quality > 100) {
      reason = "malformed quality '" + std::string(Trim(f[1]).substr(0, 20)) + "' (0..100)";
    } else if (!RecordSink::DecodeHash(HashType::kPdq, f[2], bytes)) {
      reason = "malformed pdq '" + std::string(Trim(f[2]).substr(0, 80)) + "' (expected 64 hex)";
    } else if (!ParseNumber(f[3], timestamp) || !(timestamp >= 0)) {
      reason = "malformed timestamp '" + std::string(Trim(f[3]).substr(0, 20)) + "'";
    }
    if (!reason.empty()) {
      HT_RETURN_IF_ERROR(sink.Reject(reader->line(), reader->offset(), "malformed vpdq frame", reason));
      continue;
    }
    auto hash = hashing::PdqHash::FromHex(Trim(f[2]));
    if (!hash.ok()) return hash.status();
    if (auto it = seen.find(*hash); it != seen.end()) {
      // A repeated frame (a still scene): one entry; the best quality it was seen with.
      int& kept = video.frames[it->second].quality;
      kept = std::max(kept, quality);
      continue;
    }
    seen.emplace(*hash, video.frames.size());
    video.frames.push_back({*hash, quality});
    EntryInfo info;
    info.category = *sink.options().category;  // required by CheckImportOptions
    info.pdq_quality = quality;
    info.flags = kFlagVideoFrame;
    if (quality < hashing::kPdqMinGoodQuality) info.flags |= kFlagLowQuality;
    info.media_id = video.media_id;
    HT_RETURN_IF_ERROR(sink.Add(HashType::kPdq, bytes, info, reader->line(), reader->offset()));
  }
  HT_RETURN_IF_ERROR(reader->status());
  if (!video.frames.empty()) videos.push_back(std::move(video));
  return Status::Ok();
}

}  // namespace hashtriage::index::internal

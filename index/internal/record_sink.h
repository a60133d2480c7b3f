// RecordSink: what every format reader feeds (internal to index/). Validates hashes, turns
// problems into counted, located rejections (fatal under --strict) and stages good entries in the
// SetWriter. The per-format readers are declared at the bottom. One thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "index/importer.h"
#include "index/set_writer.h"

namespace hashtriage::index::internal {

class RecordSink {
 public:
  // `unchanged` says what failing leaves ("set 'x' left unchanged"), for strict rejections.
  RecordSink(SetWriter& writer, const ImportOptions& options, ImportSummary& summary, std::string unchanged)
      : writer_(writer), options_(options), summary_(summary), unchanged_(std::move(unchanged)) {}

  // `bytes_before`: the sizes of the files already read (for progress reports).
  void BeginFile(std::uint32_t index, std::string name, std::uint64_t bytes_before) {
    file_index_ = index;
    file_ = std::move(name);
    bytes_before_ = bytes_before;
  }
  const std::string& file() const { return file_; }
  const ImportOptions& options() const { return options_; }

  // Counts one record starting at byte `offset` of the current file; reports progress now and then.
  void CountRecord(std::uint64_t offset) {
    ++summary_.records_read;
    if (options_.on_progress && summary_.records_read % 4096 == 0) {
      options_.on_progress(summary_.records_read, bytes_before_ + offset);
    }
  }
  // Counts a rejected record; an error under --strict. `reason_class` groups the summary counts.
  Status Reject(std::uint64_t line, std::uint64_t offset, std::string_view reason_class, std::string detail);
  // Decodes the hash text for `type` (hex; PhotoDNA also base64) into `out`; false if malformed.
  static bool DecodeHash(HashType type, std::string_view text, std::string& out);
  // Stages one decoded hash of the record at `line` starting at byte `offset`.
  Status Add(HashType type, std::string_view bytes, const EntryInfo& info, std::uint64_t line, std::uint64_t offset);

 private:
  SetWriter& writer_;
  const ImportOptions& options_;
  ImportSummary& summary_;
  std::string unchanged_;
  std::uint32_t file_index_ = 0;
  std::string file_;
  std::uint64_t bytes_before_ = 0;
};

// One reader per format; each reads the whole file, returning a non-OK status only for problems
// that stop the file (I/O, structure, strict rejections).
Status ReadVics(const std::string& path, RecordSink& sink, const CategoryMap& categories);
Status ReadHashList(const std::string& path, HashType type, RecordSink& sink);  // md5sum/sha1sum/sha256sum
Status ReadPdqList(const std::string& path, RecordSink& sink);
// vPDQ: one video per file (`name` gives its media id); its distinct frames are appended to `videos`.
Status ReadVpdqList(const std::string& path, const std::string& name, RecordSink& sink, std::vector<KnownVideo>& videos);
Status ReadIcse(const std::string& path, RecordSink& sink);
Status ReadNsrl(const std::string& path, RecordSink& sink);
Status ReadCsv(const std::string& path, RecordSink& sink, const CategoryMap& categories);

// "true"/"yes"/"1"/"y" (any case) -> true.
bool ParseTruthy(std::string_view text);

}  // namespace hashtriage::index::internal

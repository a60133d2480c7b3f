// LineReader: streaming line access to the line-based hash lists (md5sum/sha1sum/sha256sum lists, PDQ
// lists) with line numbers and byte offsets for error messages. Constant memory: one buffer plus the
// current line. One thread at a time. CSV files (ICSE, NSRL, mapped CSV) are read by ingest::CsvReader,
// whose quoted fields may span lines.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::index::internal {

class LineReader {
 public:
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();

  // The next line without its "\n" or "\r\n" (and without a leading UTF-8 BOM on line 1);
  // nullopt at end of file. Valid until the next call.
  std::optional<std::string_view> Next();
  std::uint64_t line() const { return line_; }      // 1-based number of the last line returned
  std::uint64_t offset() const { return offset_; }  // byte offset where it starts
  // Set when reading stopped on an I/O error rather than at end of file.
  const Status& status() const { return status_; }

 private:
  LineReader() = default;
  bool Fill();

  int fd_ = -1;
  std::string path_;
  std::string buffer_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t buffer_offset_ = 0;
  bool eof_ = false;
  std::string long_line_;
  std::uint64_t line_ = 0, offset_ = 0;
  Status status_;
};

// Lowercased, trimmed of spaces and quotes: for matching header names.
std::string NormalizeHeader(std::string_view name);
std::string_view Trim(std::string_view s);

}  // namespace hashtriage::index::internal

// TextInput: a read-only, buffered, byte-at-a-time view of one intake file with line counting, so the
// referral parsers can split records in constant memory and name the line of every bad record.
// Skips a leading UTF-8 byte-order mark. One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hashing/status.h"

namespace hashtriage::ingest::referral_internal {

class TextInput {
 public:
  static constexpr int kEof = -1;

  static Result<std::unique_ptr<TextInput>> Open(const std::string& path);
  ~TextInput();
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;

  // The next byte (0..255), or kEof at the end of the file or after a read error (see status()).
  int Get() {
    if (pos_ == end_ && !Fill()) return kEof;
    const int c = static_cast<unsigned char>(buffer_[pos_++]);
    if (c == '\n') ++line_;
    return c;
  }
  // The next byte without consuming it.
  int Peek() {
    if (pos_ == end_ && !Fill()) return kEof;
    return static_cast<unsigned char>(buffer_[pos_]);
  }
  // 1-based line of the next byte.
  std::uint64_t line() const { return line_; }
  // Bytes of the file consumed so far (for progress displays).
  std::uint64_t offset() const { return buffer_offset_ + pos_; }
  const std::string& path() const { return path_; }
  // Not OK when reading stopped on an I/O error.
  const Status& status() const { return status_; }

 private:
  TextInput(int fd, std::string path);
  bool Fill();

  int fd_;
  std::string path_;
  std::unique_ptr<char[]> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  bool first_fill_ = true;
  std::uint64_t line_ = 1;
  Status status_;
};

}  // namespace hashtriage::ingest::referral_internal

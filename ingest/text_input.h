// TextInput: a read-only, buffered, byte-at-a-time view of one text file (or of bytes in memory) with
// line counting, so the CSV and JSON readers can split records in constant memory and name the line
// and byte offset of every bad record. Skips a leading UTF-8 byte-order mark (its bytes still count in
// offset()). One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hashing/status.h"

namespace hashtriage::ingest {

class TextInput {
 public:
  static constexpr int kEof = -1;

  // A regular file, opened read-only (without updating its access time where allowed).
  static Result<std::unique_ptr<TextInput>> Open(const std::string& path);
  // `bytes` held in memory; `name` stands for the path in messages.
  static std::unique_ptr<TextInput> FromMemory(std::string bytes, std::string name);
  ~TextInput();
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;

  // The next byte (0..255), or kEof at the end of the input or after a read error (see status()).
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
  // Back to the first byte (after the byte-order mark), line 1, offset 0 of a fresh start.
  Status Rewind();
  // 1-based line of the next byte.
  std::uint64_t line() const { return line_; }
  // Byte offset in the input of the next byte (bytes consumed so far, the byte-order mark included).
  std::uint64_t offset() const { return buffer_offset_ + pos_; }
  const std::string& path() const { return path_; }
  // Not OK when reading stopped on an I/O error.
  const Status& status() const { return status_; }

 private:
  TextInput(int fd, std::string path, std::string buffer);
  bool Fill();
  void SkipByteOrderMark();

  int fd_;  // -1 for bytes in memory
  std::string path_;
  std::string buffer_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t buffer_offset_ = 0;  // input offset of buffer_[0]
  bool first_fill_ = true;
  std::uint64_t line_ = 1;
  Status status_;
};

}  // namespace hashtriage::ingest

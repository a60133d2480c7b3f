// JsonReader: a streaming pull parser for JSON files of any size (VICS exports are several GB).
// Holds one read buffer and the current token, never the document; reports the line and byte
// offset of every token so import errors can point into the file. One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"

namespace hashtriage::index::internal {

class JsonReader {
 public:
  enum class Token { kBeginObject, kEndObject, kBeginArray, kEndArray, kKey, kString, kNumber, kTrue, kFalse, kNull, kEnd };

  static Result<std::unique_ptr<JsonReader>> Open(const std::string& path);
  // Parses from memory (tests).
  static std::unique_ptr<JsonReader> FromString(std::string text);
  ~JsonReader();

  // The next token; kKey is an object member name (the ':' is consumed). kEnd after the top value.
  // A syntax error is a Corruption status naming the line and byte offset.
  Result<Token> Next();
  // Text of the last kKey, kString (unescaped) or kNumber token.
  std::string_view text() const { return text_; }
  // Where the last token started: 1-based line, 0-based byte offset.
  std::uint64_t line() const { return token_line_; }
  std::uint64_t offset() const { return token_offset_; }
  // Skips the rest of a value whose first token was `first` (a whole object or array).
  Status Skip(Token first);
  // "PATH:LINE (byte N): message" as a Corruption status, for callers' own errors too.
  Status ErrorAt(std::string_view message) const;

 private:
  JsonReader() = default;
  int Peek() {
    if (pos_ == end_ && !Refill()) return -1;
    return static_cast<unsigned char>(*pos_);
  }
  void Advance() {
    ++pos_;
  }
  bool Refill();
  void SkipSpace();
  std::uint64_t Offset() const { return buffer_offset_ + static_cast<std::uint64_t>(pos_ - buffer_.data()); }
  void MarkToken() {
    token_line_ = line_;
    token_offset_ = Offset();
  }
  Result<Token> ReadValue();
  Result<Token> ReadKey();
  Status ReadString();
  Status ReadLiteral(std::string_view word);
  Result<Token> Close(char c, Token token);

  enum class State : std::uint8_t { kStart, kNeedValue, kAfterValue, kAfterComma };
  struct Frame {
    bool object;
    State state;
  };

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  std::uint64_t buffer_offset_ = 0;
  bool eof_ = false;
  std::uint64_t line_ = 1;
  std::uint64_t token_line_ = 1;
  std::uint64_t token_offset_ = 0;
  std::vector<Frame> stack_;
  bool top_done_ = false;
  std::string text_;
};

}  // namespace hashtriage::index::internal

#include "index/internal/json_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hashtriage::index::internal {

namespace {
constexpr std::size_t kJsonBufferSize = 1u << 20;

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}
}  // namespace

Result<std::unique_ptr<JsonReader>> JsonReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  std::unique_ptr<JsonReader> r(new JsonReader());
  r->path_ = path;
  r->fd_ = fd;
  r->buffer_.resize(kJsonBufferSize);
  r->pos_ = r->end_ = r->buffer_.data();
  // Skip a UTF-8 byte order mark.
  if (r->Peek() == 0xef && r->end_ - r->pos_ >= 3 && std::memcmp(r->pos_, "\xef\xbb\xbf", 3) == 0) r->pos_ += 3;
  return r;
}

std::unique_ptr<JsonReader> JsonReader::FromString(std::string text) {
  std::unique_ptr<JsonReader> r(new JsonReader());
  r->path_ = "<string>";
  r->buffer_ = std::move(text);
  r->pos_ = r->buffer_.data();
  r->end_ = r->pos_ + r->buffer_.size();
  r->eof_ = true;
  return r;
}

JsonReader::~JsonReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool JsonReader::Refill() {
  if (eof_ || fd_ < 0) return false;
  buffer_offset_ += static_cast<std::uint64_t>(end_ - buffer_.data());
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.data(), buffer_.size());
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    eof_ = true;  // a read error ends the stream; the parser then reports a truncated document
    pos_ = end_ = buffer_.data();
    return false;
  }
  pos_ = buffer_.data();
  end_ = pos_ + n;
  return true;
}

Status JsonReader::ErrorAt(std::string_view message) const {
  return Status::Corruption(path_ + ":" + std::to_string(token_line_) + " (byte " + std::to_string(token_offset_) +
                            "): " + std::string(message));
}

void JsonReader::SkipSpace() {
  for (;;) {
    const int c = Peek();
    if (c == '\n') {
      ++line_;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return;
    }
    Advance();
  }
}

Result<JsonReader::Token> JsonReader::Next() {
  SkipSpace();
  MarkToken();
  if (stack_.empty()) {
    if (top_done_) {
      if (Peek() == -1) return Token::kEnd;
      return ErrorAt("unexpected text after the end of the JSON document");
    }
    if (Peek() == -1) return ErrorAt("empty file, expected a JSON document");
    return ReadValue();
  }
  Frame& f = stack_.back();
  const int c = Peek();
  if (c == -1) return ErrorAt("unexpected end of file (truncated JSON?)");
  switch (f.state) {
    case State::kStart:
      if (f.object && c == '}') return Close('}', Token::kEndObject);
      if (!f.object && c == ']') return Close(']', Token::kEndArray);
      return f.object ? ReadKey() : ReadValue();
    case State::kNeedValue:
      return ReadValue();
    case State::kAfterValue:
      if (c == ',') {
        Advance();
        SkipSpace();
        MarkToken();
        return f.object ? ReadKey() : ReadValue();
      }
      if (f.object && c == '}') return Close('}', Token::kEndObject);
      if (!f.object && c == ']') return Close(']', Token::kEndArray);
      return ErrorAt(f.object ? "expected ',' or '}'" : "expected ',' or ']'");
    case State::kAfterComma:
      break;
  }
  return ErrorAt("internal parser state");
}

Result<JsonReader::Token> JsonReader::Close(char, Token token) {
  Advance();
  stack_.pop_back();
  if (stack_.empty()) top_done_ = true;
  return token;
}

Result<JsonReader::Token> JsonReader::ReadKey() {
  if (Peek() != '"') return ErrorAt("expected a member name in double quotes");
  HT_RETURN_IF_ERROR(ReadString());
  SkipSpace();
  if (Peek() != ':') return ErrorAt("expected ':' after member name");
  Advance();
  stack_.back().state = State::kNeedValue;
  return Token::kKey;
}

Result<JsonReader::Token> JsonReader::ReadValue() {
  if (!stack_.empty()) stack_.back().state = State::kAfterValue;
  const int c = Peek();
  switch (c) {
    case '{':
      Advance();
      stack_.push_back({true, State::kStart});
      return Token::kBeginObject;
    case '[':
      Advance();
      stack_.push_back({false, State::kStart});
      return Token::kBeginArray;
    case '"':
      HT_RETURN_IF_ERROR(ReadString());
      if (stack_.empty()) top_done_ = true;
      return Token::kString;
    case 't':
      HT_RETURN_IF_ERROR(ReadLiteral("true"));
      if (stack_.empty()) top_done_ = true;
      return Token::kTrue;
    case 'f':
      HT_RETURN_IF_ERROR(ReadLiteral("false"));
      if (stack_.empty()) top_done_ = true;
      return Token::kFalse;
    case 'n':
      HT_RETURN_IF_ERROR(ReadLiteral("null"));
      if (stack_.empty()) top_done_ = true;
      return Token::kNull;
    default:
      break;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    text_.clear();
    for (int d = Peek(); d != -1 && (std::strchr("0123456789+-.eE", d) != nullptr); d = Peek()) {
      text_.push_back(static_cast<char>(d));
      Advance();
    }
    if (stack_.empty()) top_done_ = true;
    return Token::kNumber;
  }
  if (c == -1) return ErrorAt("unexpected end of file, expected a value");
  return ErrorAt(std::string("unexpected character '") + static_cast<char>(c) + "', expected a value");
}

Status JsonReader::ReadLiteral(std::string_view word) {
  for (char w : word) {
    if (Peek() != static_cast<unsigned char>(w)) return ErrorAt("invalid literal, expected " + std::string(word));
    Advance();
  }
  return Status::Ok();
}

Status JsonReader::ReadString() {
  Advance();  // opening quote
  text_.clear();
  for (;;) {
    if (pos_ == end_ && !Refill()) return ErrorAt("unterminated string");
    // Fast path: copy the run up to the next quote, backslash or control character.
    const char* run = pos_;
    while (pos_ < end_ && *pos_ != '"' && *pos_ != '\\' && static_cast<unsigned char>(*pos_) >= 0x20) ++pos_;
    text_.append(run, static_cast<std::size_t>(pos_ - run));
    if (pos_ == end_) continue;
    const char c = *pos_;
    if (c == '"') {
      Advance();
      return Status::Ok();
    }
    if (c != '\\') return ErrorAt("control character inside a string");
    Advance();
    const int e = Peek();
    if (e == -1) return ErrorAt("unterminated string");
    Advance();
    switch (e) {
      case '"': text_.push_back('"'); break;
      case '\\': text_.push_back('\\'); break;
      case '/': text_.push_back('/'); break;
      case 'b': text_.push_back('\b'); break;
      case 'f': text_.push_back('\f'); break;
      case 'n': text_.push_back('\n'); break;
      case 'r': text_.push_back('\r'); break;
      case 't': text_.push_back('\t'); break;
      case 'u': {
        auto hex4 = [this]() -> int {
          int v = 0;
          for (int i = 0; i < 4; ++i) {
            const int h = Peek();
            int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0) return -1;
            Advance();
            v = v << 4 | d;
          }
          return v;
        };
        int cp = hex4();
        if (cp < 0) return ErrorAt("bad \\u escape");
        if (cp >= 0xd800 && cp < 0xdc00 && Peek() == '\\') {
          Advance();
          if (Peek() != 'u') return ErrorAt("bad surrogate pair");
          Advance();
          const int lo = hex4();
          if (lo < 0xdc00 || lo > 0xdfff) return ErrorAt("bad surrogate pair");
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        AppendUtf8(text_, static_cast<std::uint32_t>(cp));
        break;
      }
      default:
        return ErrorAt("bad escape in string");
    }
  }
}

Status JsonReader::Skip(Token first) {
  if (first != Token::kBeginObject && first != Token::kBeginArray) return Status::Ok();
  int depth = 1;
  while (depth > 0) {
    HT_ASSIGN_OR_RETURN(const Token t, Next());
    if (t == Token::kBeginObject || t == Token::kBeginArray) ++depth;
    if (t == Token::kEndObject || t == Token::kEndArray) --depth;
    if (t == Token::kEnd) return ErrorAt("unexpected end of document");
  }
  return Status::Ok();
}

}  // namespace hashtriage::index::internal

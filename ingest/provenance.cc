#include "ingest/provenance.h"

#include <cstdint>

namespace hashtriage::ingest {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

void AppendEscapedByte(std::string& out, unsigned char c) {
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xF]);
}

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 if it is not valid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len;
  std::uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string EscapeName(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == '%' || c < 0x20 || c == 0x7F) {
      AppendEscapedByte(out, c);
      ++i;
      continue;
    }
    const std::size_t len = Utf8SequenceLength(raw, i);
    if (len == 0) {
      AppendEscapedByte(out, c);
      ++i;
      continue;
    }
    out.append(raw.substr(i, len));
    i += len;
  }
  return out;
}

std::string UnescapeName(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '%' && i + 2 < escaped.size()) {
      const int hi = HexValue(escaped[i + 1]);
      const int lo = HexValue(escaped[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(escaped[i]);
  }
  return out;
}

std::string AppendStep(std::string_view parent, std::string_view step) {
  std::string out;
  out.reserve(parent.size() + 1 + step.size());
  out.append(parent);
  out.push_back('/');
  out.append(step);
  return out;
}

bool IsUnsafeEntryName(std::string_view raw) {
  if (raw.empty()) return false;
  if (raw.front() == '/' || raw.front() == '\\') return true;
  if (raw.size() >= 2 && raw[1] == ':' &&
      ((raw[0] >= 'A' && raw[0] <= 'Z') || (raw[0] >= 'a' && raw[0] <= 'z'))) {
    return true;
  }
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t end = raw.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = raw.size();
    if (raw.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace hashtriage::ingest

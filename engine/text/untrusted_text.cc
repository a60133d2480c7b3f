#include "engine/text/untrusted_text.h"

#include <cstdint>

namespace hashtriage::engine {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// One well-formed UTF-8 sequence at the start of `s` (Unicode table 3-7): its scalar value and length,
// or length 0 when the first byte does not begin one.
struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 0;
};

Utf8Char DecodeUtf8(std::string_view s) {
  if (s.empty()) return {};
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  std::uint8_t second_min = 0x80, second_max = 0xbf;
  char32_t value = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    value = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    value = lead & 0x0f;
    if (lead == 0xe0) second_min = 0xa0;  // no overlong forms
    if (lead == 0xed) second_max = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    value = lead & 0x07;
    if (lead == 0xf0) second_min = 0x90;  // no overlong forms
    if (lead == 0xf4) second_max = 0x8f;  // nothing beyond U+10FFFF
  } else {
    return {};
  }
  if (s.size() < length) return {};
  for (std::size_t i = 1; i < length; ++i) {
    const std::uint8_t b = byte(i);
    const std::uint8_t min = i == 1 ? second_min : 0x80, max = i == 1 ? second_max : 0xbf;
    if (b < min || b > max) return {};
    value = (value << 6) | (b & 0x3f);
  }
  return {value, length};
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Code points above U+007F that TerminalText writes as \uNNNN: C1 controls, bidirectional controls
// (they reorder what follows: "gpj.exe" shown as "exe.jpg") and the line/paragraph separators.
bool EscapedCodePoint(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void AppendByteEscape(std::string& out, std::uint8_t b) {
  out += "\\x";
  out += kHexDigits[b >> 4];
  out += kHexDigits[b & 0xf];
}

void AppendCodePointEscape(std::string& out, char32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHexDigits[(cp >> shift) & 0xf];
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of the `digits` hex digits at text[at...], or -1.
long HexNumber(std::string_view text, std::size_t at, std::size_t digits) {
  if (text.size() < at + digits) return -1;
  long value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const int v = HexValue(text[at + i]);
    if (v < 0) return -1;
    value = value * 16 + v;
  }
  return value;
}

// The length of the escape at the start of `text` (which starts with a backslash), or 0.
std::size_t EscapeLength(std::string_view text) {
  if (text.size() < 2) return 0;
  switch (text[1]) {
    case '\\': case 'n': case 'r': case 't': return 2;
    case 'x': return HexNumber(text, 2, 2) >= 0 ? 4 : 0;
    case 'u': return HexNumber(text, 2, 4) >= 0 ? 6 : 0;
    default: return 0;
  }
}

// True when `cell` would be read by a spreadsheet as a formula (OWASP CSV injection).
bool LooksLikeFormula(std::string_view cell) {
  if (!cell.empty() && (cell[0] == '\t' || cell[0] == '\r')) return true;
  const std::size_t first = cell.find_first_not_of(' ');
  if (first == std::string_view::npos) return false;
  const char c = cell[first];
  if (c == '=' || c == '+' || c == '-' || c == '@') return true;
  const Utf8Char u = DecodeUtf8(cell.substr(first));
  return u.code_point == 0xff1d || u.code_point == 0xff0b || u.code_point == 0xff0d || u.code_point == 0xff20;
}

}  // namespace

std::string TerminalText(std::string_view untrusted) {
  std::string out;
  out.reserve(untrusted.size());
  std::size_t i = 0;
  while (i < untrusted.size()) {
    const auto b = static_cast<std::uint8_t>(untrusted[i]);
    if (b < 0x80) {
      if (b == '\\') out += "\\\\";
      else if (b == '\n') out += "\\n";
      else if (b == '\r') out += "\\r";
      else if (b == '\t') out += "\\t";
      else if (b < 0x20 || b == 0x7f) AppendByteEscape(out, b);
      else out += static_cast<char>(b);
      ++i;
      continue;
    }
    const Utf8Char u = DecodeUtf8(untrusted.substr(i));
    if (u.length == 0) {
      AppendByteEscape(out, b);
      ++i;
    } else {
      if (EscapedCodePoint(u.code_point)) AppendCodePointEscape(out, u.code_point);
      else out.append(untrusted.substr(i, u.length));
      i += u.length;
    }
  }
  return out;
}

Result<std::string> UnescapeTerminalText(std::string_view terminal_text) {
  std::string out;
  out.reserve(terminal_text.size());
  std::size_t i = 0;
  while (i < terminal_text.size()) {
    if (terminal_text[i] != '\\') {
      out += terminal_text[i++];
      continue;
    }
    const std::size_t length = EscapeLength(terminal_text.substr(i));
    if (length == 0) {
      return Status::InvalidArgument("not an escape at offset " + std::to_string(i) +
                                     ": expected \\\\ \\n \\r \\t \\xNN or \\uNNNN");
    }
    switch (terminal_text[i + 1]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'x': out += static_cast<char>(HexNumber(terminal_text, i + 2, 2)); break;
      default: {
        const auto cp = static_cast<char32_t>(HexNumber(terminal_text, i + 2, 4));
        if (cp >= 0xd800 && cp <= 0xdfff) {
          return Status::InvalidArgument("\\u escape of a surrogate at offset " + std::to_string(i));
        }
        AppendUtf8(out, cp);
      }
    }
    i += length;
  }
  return out;
}

std::string FitTerminalText(std::string_view terminal_text, std::size_t max_chars) {
  if (max_chars < 4) max_chars = 4;
  // Units that are never split: an escape, or one UTF-8 sequence (a stray byte counts as one).
  const auto unit_length = [&](std::size_t at) -> std::size_t {
    const std::string_view rest = terminal_text.substr(at);
    if (rest[0] == '\\') {
      const std::size_t escape = EscapeLength(rest);
      return escape > 0 ? escape : 1;
    }
    const Utf8Char u = DecodeUtf8(rest);
    return u.length > 0 ? u.length : 1;
  };
  const auto chars_in = [&](std::size_t at, std::size_t length) {
    return terminal_text[at] == '\\' ? length : 1;  // an escape shows as its characters
  };
  std::size_t total = 0;
  for (std::size_t at = 0; at < terminal_text.size();) {
    const std::size_t length = unit_length(at);
    total += chars_in(at, length);
    at += length;
  }
  if (total <= max_chars) return std::string(terminal_text);
  std::size_t shown = 0, at = 0;
  while (at < terminal_text.size()) {
    const std::size_t length = unit_length(at);
    if (shown + chars_in(at, length) > max_chars - 3) break;
    shown += chars_in(at, length);
    at += length;
  }
  return std::string(terminal_text.substr(0, at)) + "...";
}

std::string CsvTextCell(std::string_view untrusted) {
  std::string cell = TerminalText(untrusted);
  if (LooksLikeFormula(cell)) cell.insert(0, 1, '\'');
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string HtmlText(std::string_view untrusted) {
  const std::string text = TerminalText(untrusted);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace hashtriage::engine

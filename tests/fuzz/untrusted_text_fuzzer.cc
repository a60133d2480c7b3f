// engine/text/untrusted_text.h on arbitrary bytes: the terminal form is valid UTF-8 without any C0
// control, DEL or C1 control and un-escapes to exactly the input; the CSV cell, parsed back as one
// RFC 4180 field (by the small parser below, written for this check), holds no raw control byte and
// never starts with a formula character; the HTML text holds no control byte and no raw markup.
#include <string>
#include <string_view>

#include "engine/text/untrusted_text.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

namespace {

// Code points of `text` when it is well-formed UTF-8 (RFC 3629: shortest form, no surrogates,
// at most U+10FFFF), std::u32string{} with ok = false otherwise.
std::u32string CodePoints(std::string_view text, bool& ok) {
  std::u32string out;
  ok = false;
  for (std::size_t i = 0; i < text.size();) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    const std::size_t n = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xe ? 3 : (b0 >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > text.size()) return {};
    char32_t cp = n == 1 ? b0 : b0 & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b >> 6) != 0x2) return {};
      cp = (cp << 6) | (b & 0x3f);
    }
    const char32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < shortest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {};
    out += cp;
    i += n;
  }
  ok = true;
  return out;
}

// One RFC 4180 field that must make up the whole of `cell`: unquoted (no comma, quote, CR or LF) or
// quoted with doubled quotes inside. ok = false when it is not one field.
std::string ParseCsvField(std::string_view cell, bool& ok) {
  ok = false;
  if (cell.empty() || cell[0] != '"') {
    if (cell.find_first_of(",\"\r\n") != std::string_view::npos) return {};
    ok = true;
    return std::string(cell);
  }
  std::string out;
  for (std::size_t i = 1; i < cell.size(); ++i) {
    if (cell[i] != '"') {
      out += cell[i];
    } else if (i + 1 < cell.size() && cell[i + 1] == '"') {
      out += '"';
      ++i;
    } else {
      ok = i + 1 == cell.size();  // the closing quote ends the cell
      return out;
    }
  }
  return {};  // no closing quote
}

bool IsControl(char32_t cp) { return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f); }

}  // namespace

int FuzzUntrustedText(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const std::string terminal = engine::TerminalText(input);
  bool utf8 = false;
  const std::u32string cps = CodePoints(terminal, utf8);
  HT_FUZZ_CHECK(utf8);
  for (char32_t cp : cps) HT_FUZZ_CHECK(!IsControl(cp));
  const auto back = engine::UnescapeTerminalText(terminal);
  HT_FUZZ_CHECK(back.ok());
  HT_FUZZ_CHECK(*back == input);

  bool one_field = false;
  const std::string cell = ParseCsvField(engine::CsvTextCell(input), one_field);
  HT_FUZZ_CHECK(one_field);
  for (char c : cell) HT_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  const std::size_t first = cell.find_first_not_of(' ');
  if (first != std::string::npos) HT_FUZZ_CHECK(std::string_view("=+-@").find(cell[first]) == std::string_view::npos);
  // What follows the neutralising quote is the terminal form, unchanged.
  HT_FUZZ_CHECK(cell == terminal || cell == "'" + terminal);

  const std::string html = engine::HtmlText(input);
  (void)CodePoints(html, utf8);
  HT_FUZZ_CHECK(utf8);
  for (char c : html) {
    HT_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '<' && c != '>' && c != '"' && c != '\'');
  }
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzUntrustedText)

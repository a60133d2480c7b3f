// Untrusted text on output: the one rule every output site applies to text chosen outside hashtriage
// (names in referrals, file names on seized devices) for a terminal, a CSV cell or HTML. Invariant: no
// control character, escape sequence or formula reaches a terminal, spreadsheet or browser, and nothing
// is cut short (a NUL is shown as "\x00"). Pure functions; thread-safe.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::engine {

// The terminal form of `untrusted`: valid UTF-8 without any control character, in which every byte of
// the input stays visible. Printable UTF-8 (any script) passes through unchanged; the rest is escaped:
//   backslash          -> \\   (doubled, so that the form un-escapes to exactly the input)
//   LF, CR, TAB        -> \n  \r  \t
//   other C0 and DEL   -> \xNN (lowercase hex): NUL is \x00, ESC \x1b, BEL \x07, DEL \x7f
//   C1 controls U+0080-U+009F, bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
//   U+2066-U+2069) and the line/paragraph separators U+2028, U+2029 -> \uNNNN
//   a byte that is not part of well-formed UTF-8 (Unicode table 3-7: overlong forms, surrogates,
//   beyond U+10FFFF, stray continuation bytes) -> \xNN
// Apply it to each field from outside (not to a whole line hashtriage built: its own newlines stay).
std::string TerminalText(std::string_view untrusted);

// The inverse of TerminalText: TerminalText(x) un-escapes to x for every byte string x. Accepts the
// escapes above (\uNNNN for any scalar value); InvalidArgument for anything else after a backslash.
Result<std::string> UnescapeTerminalText(std::string_view terminal_text);

// `terminal_text` (a TerminalText result) cut to at most `max_chars` characters (code points) for a
// table column: when longer, the first characters that fit in max_chars - 3 followed by "...". Never
// splits a UTF-8 sequence or an escape such as \x1b. max_chars below 4 is treated as 4.
std::string FitTerminalText(std::string_view terminal_text, std::size_t max_chars);

// One CSV cell holding text from outside (RFC 4180 output, for every CSV hashtriage writes):
// 1. the text is put in its terminal form (TerminalText), so no C0 control (NUL, CR, LF, TAB...), DEL
//    or invalid UTF-8 is ever written raw and nothing is lost (a spreadsheet shows "\x00");
// 2. spreadsheet formulas are defused (OWASP CSV injection): when the first character that is not a
//    space is = + - @ (or its full-width form U+FF1D, U+FF0B, U+FF0D, U+FF20), or the cell starts
//    with TAB or CR, a single quote ' is put in front ("-2+3" -> "'-2+3", "=cmd" -> "'=cmd");
// 3. the cell is quoted when it holds a comma, a double quote, CR or LF, with quotes doubled.
// Numbers hashtriage computes itself (ranks, scores, counts, sizes) are not text: write them with
// CsvNumberCell, so a genuine "-2" stays a number while a "-2" from outside is neutralised.
std::string CsvTextCell(std::string_view untrusted);

// A CSV cell for a number hashtriage computed: the decimal digits, never quoted nor neutralised
// (a formatted integer cannot hold a formula).
template <std::integral Number>
std::string CsvNumberCell(Number number) {
  return std::to_string(number);
}

// Text from outside as HTML character data or an attribute value: the terminal form (no raw control
// character can reach the page) with & < > " ' written as entities.
std::string HtmlText(std::string_view untrusted);

}  // namespace hashtriage::engine

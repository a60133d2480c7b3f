// engine/text/untrusted_text.h: the terminal form, CSV cells and HTML text of bytes from outside.
// The independent truth is Python: its strict UTF-8 codec decides what is well-formed (surrogateescape
// marks every other byte), its csv module parses the cells back, html.escape escapes the markup; it
// checks every 1- and 2-byte string, the 3- and 4-byte sequences around every boundary of Unicode
// table 3-7 and random strings mixing controls, formula characters, quotes and multi-byte text.
#include "engine/text/untrusted_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace hashtriage::engine {
namespace {

using namespace std::string_literals;

// The rule of untrusted_text.h restated in Python, on top of Python's own UTF-8 decoder, csv parser and
// html.escape. Input: lines "INPUT_HEX TERMINAL_HEX CSV_ROW_HEX HTML_HEX"; the CSV row is
// CsvTextCell(input),CsvNumberCell(-7),CsvTextCell(input) and must parse as one record. Prints one
// line per disagreement and "checked N" at the end.
constexpr char kOracle[] = R"PY(
import csv, html, io, sys
FORMULA = "=+-@\uff1d\uff0b\uff0d\uff20"
SHOWN_AS_U = set(range(0x80, 0xa0)) | {0x061c, 0x200e, 0x200f} | set(range(0x2028, 0x202f)) | set(range(0x2066, 0x206a))
SHORT = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
def terminal(data):
    out = []
    for ch in data.decode("utf-8", "surrogateescape"):
        o = ord(ch)
        if 0xdc80 <= o <= 0xdcff: out.append("\\x%02x" % (o - 0xdc00))  # a byte Python could not decode
        elif ch in SHORT: out.append(SHORT[ch])
        elif o < 0x20 or o == 0x7f: out.append("\\x%02x" % o)
        elif o in SHOWN_AS_U: out.append("\\u%04x" % o)
        else: out.append(ch)
    return "".join(out)
bad = checked = 0
for line in open(sys.argv[1]):
    data, term, row, page = (bytes.fromhex(f) for f in line.split())
    want = terminal(data)
    problems = []
    if term.decode("utf-8") != want: problems.append("terminal %r, want %r" % (term, want))
    stripped = want.lstrip(" ")
    cell = "'" + want if want[:1] in ("\t", "\r") or (stripped and stripped[0] in FORMULA) else want
    records = list(csv.reader(io.StringIO(row.decode("utf-8"), newline="")))
    if records != [[cell, "-7", cell]]: problems.append("csv %r parses as %r, want %r" % (row, records, cell))
    for c in records[0] if records else []:
        if c != "-7" and c.lstrip(" ")[:1] in tuple(FORMULA) and c[:1] != "'": problems.append("formula cell %r" % c)
    if page.decode("utf-8") != html.escape(want, quote=True).replace("&#x27;", "&#39;"):
        problems.append("html %r" % page)
    if problems:
        bad += 1
        if bad <= 20: print(data.hex(), "; ".join(problems))
    checked += 1
print("checked", checked)
)PY";

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out.empty() ? "-" : out;  // Python's bytes.fromhex("-") fails: never empty on the line
}

// Every 1- and 2-byte string; 3- and 4-byte strings over each lead byte class with continuation bytes at
// and beyond their limits; random strings of pieces that matter here.
std::vector<std::string> Corpus() {
  std::vector<std::string> corpus;
  for (int a = 0; a < 256; ++a) {
    corpus.push_back(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) corpus.push_back({static_cast<char>(a), static_cast<char>(b)});
  }
  const int edges[] = {0x00, 0x0a, 0x1b, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
  for (int lead : {0xe0, 0xe1, 0xe2, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff}) {
    for (int second = 0; second < 256; ++second) {
      for (int third : edges) {
        corpus.push_back({static_cast<char>(lead), static_cast<char>(second), static_cast<char>(third)});
        if (lead >= 0xf0) {
          for (int fourth : {0x41, 0x80, 0xbf, 0xc0}) {
            corpus.push_back({static_cast<char>(lead), static_cast<char>(second), static_cast<char>(third),
                              static_cast<char>(fourth)});
          }
        }
      }
    }
  }
  const std::vector<std::string> pieces = {
      "\0"s, "\x1b[31m", "\x1b]0;title\x07", "\n", "\r", "\t", "\x7f", "\\", "\\x00", "\\n", "=", "+", "-", "@",
      " ", "'", "\"", ",", "a", "Z", "0", "7", "/", "<", ">", "&", "|", "!",
      // C1 controls, bidirectional controls, separators, full-width formula signs, text in other scripts
      "\u0085", "\u009b", "\u202e", "\u2028", "\u200f", "\u061c", "\u2066", "\uff1d", "\uff0d", "\u00e9", "\u4e2d",
      "\u0627", "\U0001f600", "\ufeff", "\u200d", "\u0301", "\u3000", "\u00a0", "\U0010ffff",
      // not UTF-8: a lone lead byte, a surrogate, beyond U+10FFFF, overlong forms, a stray continuation
      "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xe0\x80\x80", "\x80"};
  std::mt19937 random(20261121);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int n = static_cast<int>(random() % 12);
    for (int k = 0; k < n; ++k) {
      if (random() % 5 == 0) {
        s += static_cast<char>(random() % 256);
      } else {
        s += pieces[random() % pieces.size()];
      }
    }
    corpus.push_back(s);
  }
  return corpus;
}

TEST(UntrustedTextTest, AgreesWithPythonsUtf8DecoderCsvModuleAndHtmlEscape) {
  testing::TempDir dir;
  testing::WriteText(dir / "oracle.py", kOracle);
  std::string lines;
  std::size_t cases = 0;
  for (const std::string& input : Corpus()) {
    if (input.empty()) continue;  // checked below
    const std::string terminal = TerminalText(input);
    // The round trip is checked here, where the bytes are.
    auto back = UnescapeTerminalText(terminal);
    ASSERT_TRUE(back.ok()) << Hex(input) << ": " << back.status().ToString();
    ASSERT_EQ(*back, input) << Hex(input);
    const std::string row = CsvTextCell(input) + "," + CsvNumberCell(-7) + "," + CsvTextCell(input) + "\r\n";
    lines += Hex(input) + " " + Hex(terminal) + " " + Hex(row) + " " + Hex(HtmlText(input)) + "\n";
    ++cases;
  }
  // The empty string is left out of the file (no hex for it) and checked here.
  EXPECT_EQ(TerminalText(""), "");
  EXPECT_EQ(CsvTextCell(""), "");
  testing::WriteText(dir / "cases.txt", lines);
  const auto r = testing::RunCommand("python3 " + testing::Q(dir / "oracle.py") + " " + testing::Q(dir / "cases.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "checked " + std::to_string(cases) + "\n");
}

TEST(UntrustedTextTest, NulAndTerminalEscapesAreShownNotObeyed) {
  EXPECT_EQ(TerminalText("Alpha\0Hidden"s), "Alpha\\x00Hidden");  // nothing after the NUL is lost
  EXPECT_EQ(TerminalText("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(TerminalText("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  EXPECT_EQ(TerminalText("a\nb\r\tc\x7f"), "a\\nb\\r\\tc\\x7f");
  EXPECT_EQ(TerminalText("C:\\x\\a.jpg"), "C:\\\\x\\\\a.jpg");  // doubled: "\x" in a path is not an escape
  EXPECT_EQ(TerminalText("\xc2\x9b" "2J"), "\\u009b2J");       // C1 CSI
  EXPECT_EQ(TerminalText("gpj\xe2\x80\xae" "exe"), "gpj\\u202eexe");  // right-to-left override
  EXPECT_EQ(TerminalText("\xff\xfe"), "\\xff\\xfe");
}

TEST(UntrustedTextTest, PrintableTextInAnyScriptPassesThroughUnchanged) {
  for (const char* text : {"plain ascii ~!#$%^&*()_+{}|:<>?", "Ελληνικά", "Кириллица", "中文名字", "日本語のテキスト",
                           "العربية", "עברית", "हिन्दी", "한국어", "emoji \xf0\x9f\x98\x80 family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9",
                           "e\xcc\x81", "\xef\xbf\xbd"}) {
    EXPECT_EQ(TerminalText(text), text);
  }
}

TEST(UntrustedTextTest, UnescapeRefusesWhatTerminalTextNeverWrites) {
  for (const char* bad : {"\\", "a\\", "\\q", "\\x", "\\x1", "\\xg0", "\\u12", "\\u12g4", "\\ud800", "\\udfff"}) {
    EXPECT_FALSE(UnescapeTerminalText(bad).ok()) << bad;
  }
  EXPECT_EQ(*UnescapeTerminalText("\\u00e9\\x00\\\\\\t"), "\xc3\xa9" "\0\\\t"s);
}

TEST(UntrustedTextTest, CsvCellsDefuseFormulasAndQuoteOnlyWhenNeeded) {
  EXPECT_EQ(CsvTextCell("+cmd"), "'+cmd");
  EXPECT_EQ(CsvTextCell("-2+3"), "'-2+3");
  EXPECT_EQ(CsvTextCell("-2"), "'-2");  // text from outside, even when it looks like a number
  EXPECT_EQ(CsvTextCell("@SUM(1)"), "'@SUM(1)");
  EXPECT_EQ(CsvTextCell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  EXPECT_EQ(CsvTextCell("  =1"), "'  =1");
  EXPECT_EQ(CsvTextCell("\t=1"), "\\t=1");  // the tab is escaped first: nothing left to evaluate
  EXPECT_EQ(CsvTextCell("=a,\"b\""), "\"'=a,\"\"b\"\"\"");
  EXPECT_EQ(CsvTextCell("a\nb"), "a\\nb");  // one physical line per record
  EXPECT_EQ(CsvTextCell("name\0.jpg"s), "name\\x00.jpg");
  EXPECT_EQ(CsvTextCell("2026-11-21"), "2026-11-21");
  EXPECT_EQ(CsvNumberCell(-2), "-2");  // hashtriage's own numbers stay numbers
  EXPECT_EQ(CsvNumberCell(std::uint64_t{18446744073709551615u}), "18446744073709551615");
}

TEST(UntrustedTextTest, FitCutsAtWholeCharactersAndEscapes) {
  EXPECT_EQ(FitTerminalText("short", 24), "short");
  EXPECT_EQ(FitTerminalText(std::string(24, 'a'), 24), std::string(24, 'a'));
  EXPECT_EQ(FitTerminalText(std::string(25, 'a'), 24), std::string(21, 'a') + "...");
  // 21 two-byte characters fit, bytes do not matter.
  std::string greek;
  for (int i = 0; i < 30; ++i) greek += "\xce\xb1";
  EXPECT_EQ(FitTerminalText(greek, 24), greek.substr(0, 42) + "...");
  // An escape is never split: "aaaaaaaaaaaaaaaaaaa\x1b" would be 23 characters, more than 21.
  EXPECT_EQ(FitTerminalText(TerminalText(std::string(19, 'a') + "\x1b[31m and more"), 24),
            std::string(19, 'a') + "...");
  EXPECT_EQ(FitTerminalText(TerminalText(std::string(17, 'a') + "\x1b[31m and more"), 24),
            std::string(17, 'a') + "\\x1b...");
}

}  // namespace
}  // namespace hashtriage::engine

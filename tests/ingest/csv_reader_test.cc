// ingest::CsvReader against Python's csv module as the independent truth: files Python writes (commas,
// quotes, CR, LF, CRLF inside fields, BOM, Unicode, three delimiters) come back field for field with
// each record's first line and byte offset; malformed records cost exactly themselves (an unclosed
// quote is one error at its line and nothing inside it becomes a record); the size cap holds.
#include "ingest/csv_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage::ingest {
namespace {

using hashtriage::testing::Q;
using hashtriage::testing::RunCommand;
using hashtriage::testing::TempDir;
using hashtriage::testing::WriteText;

struct CsvRead {
  std::vector<CsvRecord> records;
  Status status;
};

CsvRead ReadAllRecords(const std::filesystem::path& path, const CsvReaderOptions& options = {}) {
  CsvRead out;
  auto reader = CsvReader::Open(path.string(), options);
  out.status = reader.status();
  while (out.status.ok()) {
    auto next = (*reader)->Next();
    out.status = next.status();
    if (!next.ok() || *next == nullptr) break;
    out.records.push_back(**next);
  }
  return out;
}

std::string ReadText(const std::filesystem::path& path) {
  const auto bytes = hashtriage::testing::ReadBytes(path);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

CsvRead ReadString(const TempDir& dir, const std::string& text, const CsvReaderOptions& options = {}) {
  WriteText(dir / "in.csv", text);
  return ReadAllRecords(dir / "in.csv", options);
}

// Writes random rows with Python's csv module and, as JSON, each row's fields and where it starts (line
// and byte offset, counted by Python over the encoded bytes). Python's own reader must read the file
// back to the same rows, so the file is one Python agrees with.
constexpr const char* kWriter = R"PY(
import csv, io, json, random, sys
out, truth, seed, delimiter, terminator, quoting, bom = sys.argv[1:8]
terminator = {'crlf': '\r\n', 'lf': '\n'}[terminator]
rng = random.Random(int(seed))
alphabet = ['a', 'b', 'Z', '0', ' ', ',', ';', '\t', '"', '""', '\r', '\n', '\r\n', 'é', 'ß', '中', '😀', "'", '#', '\\']
def field():
    return ''.join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
rows = [[field() for _ in range(rng.randrange(1, 7))] for _ in range(400)]
rows.append([''])  # a record of one empty field ("")
text = io.StringIO()
writer = csv.writer(text, delimiter=delimiter, lineterminator=terminator, quoting=int(quoting))
prefix = b'\xef\xbb\xbf' if bom == '1' else b''
records = []
for row in rows:
    before = prefix + text.getvalue().encode('utf-8')
    records.append({'fields': row, 'line': before.count(b'\n') + 1, 'offset': len(before)})
    writer.writerow(row)
data = prefix + text.getvalue().encode('utf-8')
back = list(csv.reader(io.StringIO(data.decode('utf-8-sig'), newline=''), delimiter=delimiter))
assert back == rows, 'python does not read back its own file'
open(out, 'wb').write(data)
json.dump(records, open(truth, 'w'))
)PY";

TEST(CsvReaderTest, FilesWrittenByPythonReadBackFieldForFieldWithLinesAndOffsets) {
  TempDir dir;
  WriteText(dir / "writer.py", kWriter);
  struct Variant {
    char delimiter;
    const char* terminator;
    int quoting;  // csv.QUOTE_MINIMAL 0, QUOTE_ALL 1
    bool bom;
  };
  // Python 3.11 leaves a CR unquoted when the line terminator is a bare LF, so that file is written
  // with every field quoted (its reader could not read the minimal form back either).
  const Variant variants[] = {{',', "crlf", 0, false}, {',', "crlf", 0, true}, {';', "crlf", 1, false},
                              {'\t', "crlf", 0, true}, {',', "lf", 1, false},   {'|', "lf", 1, true}};
  int seed = 1;
  for (const Variant& v : variants) {
    SCOPED_TRACE("delimiter " + std::string(1, v.delimiter) + " terminator " + v.terminator);
    const auto r = RunCommand("python3 " + Q(dir / "writer.py") + " " + Q(dir / "py.csv") + " " + Q(dir / "truth.json") +
                              " " + std::to_string(seed++) + " " +
                              hashtriage::testing::ShellQuote(std::string(1, v.delimiter)) + " " + v.terminator + " " +
                              std::to_string(v.quoting) + " " + (v.bom ? "1" : "0"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto truth = nlohmann::json::parse(ReadText(dir / "truth.json"));
    CsvReaderOptions options;
    options.delimiter = v.delimiter;
    const CsvRead read = ReadAllRecords(dir / "py.csv", options);
    ASSERT_TRUE(read.status.ok()) << read.status.ToString();
    ASSERT_EQ(read.records.size(), truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) {
      const CsvRecord& record = read.records[i];
      ASSERT_TRUE(record.status.ok()) << "record " << i << ": " << record.status.ToString();
      EXPECT_EQ(record.fields, truth[i]["fields"].get<std::vector<std::string>>()) << "record " << i;
      EXPECT_EQ(record.line, truth[i]["line"].get<std::uint64_t>()) << "record " << i;
      EXPECT_EQ(record.offset, truth[i]["offset"].get<std::uint64_t>()) << "record " << i;
    }
  }
}

TEST(CsvReaderTest, BareQuoteInsideAnUnquotedFieldIsDataAsPythonReadsIt) {
  TempDir dir;
  const std::string text = "a\"b,c\"\"d,e\"\nx,5\" screen,\"q\"\n";
  WriteText(dir / "in.csv", text);
  const auto py = RunCommand("python3 -c " + hashtriage::testing::ShellQuote(
                                                 "import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], "
                                                 "newline='')))))") +
                             " " + Q(dir / "in.csv"));
  ASSERT_EQ(py.exit_code, 0) << py.err;
  const auto truth = nlohmann::json::parse(py.out).get<std::vector<std::vector<std::string>>>();
  const CsvRead read = ReadAllRecords(dir / "in.csv");
  ASSERT_EQ(read.records.size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ASSERT_TRUE(read.records[i].status.ok());
    EXPECT_EQ(read.records[i].fields, truth[i]);
  }
}

TEST(CsvReaderTest, UnclosedQuoteIsOneErrorAtItsLineAndNothingInsideBecomesARecord) {
  TempDir dir;
  const CsvRead read = ReadString(dir,
                             "h1,h2\n"
                             "ok,1\n"
                             "bad,\"never closed\n"
                             "fake,2\n"
                             "fake,3\n");
  ASSERT_TRUE(read.status.ok());
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_TRUE(read.records[1].status.ok());
  const CsvRecord& bad = read.records[2];
  EXPECT_FALSE(bad.status.ok());
  EXPECT_EQ(bad.line, 3u);
  EXPECT_NE(bad.status.message().find("opened on line 3"), std::string::npos) << bad.status.message();
  EXPECT_NE(bad.status.message().find("end of the file"), std::string::npos) << bad.status.message();
  EXPECT_TRUE(bad.fields.empty());
}

TEST(CsvReaderTest, TextAfterAClosingQuoteCostsExactlyThatRecord) {
  TempDir dir;
  const CsvRead read = ReadString(dir,
                             "a,b\n"
                             "1,\"x\"y\n"
                             "2,\"spans\nlines\"junk,z\n"
                             "3,ok\n");
  ASSERT_TRUE(read.status.ok());
  ASSERT_EQ(read.records.size(), 4u);
  EXPECT_FALSE(read.records[1].status.ok());
  EXPECT_EQ(read.records[1].line, 2u);
  EXPECT_NE(read.records[1].status.message().find("text after the closing quote of field 2"), std::string::npos)
      << read.records[1].status.message();
  EXPECT_FALSE(read.records[2].status.ok());
  EXPECT_EQ(read.records[2].line, 3u);
  ASSERT_TRUE(read.records[3].status.ok());
  EXPECT_EQ(read.records[3].line, 5u);
  EXPECT_EQ(read.records[3].fields, (std::vector<std::string>{"3", "ok"}));
}

TEST(CsvReaderTest, CrLfLfAndLoneCrEndRecordsAndEmptyLinesAreSkippedButCounted) {
  TempDir dir;
  const CsvRead read = ReadString(dir, "\xEF\xBB\xBFh,i\r\n\r\na,\"b\r\nc\"\r\nd,e\n\nf,g\rh,\"\"\r\n");
  ASSERT_TRUE(read.status.ok());
  ASSERT_EQ(read.records.size(), 5u);
  const std::vector<std::vector<std::string>> want = {{"h", "i"}, {"a", "b\r\nc"}, {"d", "e"}, {"f", "g"}, {"h", ""}};
  const std::uint64_t lines[] = {1, 3, 5, 7, 7};
  const std::uint64_t offsets[] = {3, 10, 20, 25, 29};
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(read.records[i].status.ok()) << i;
    EXPECT_EQ(read.records[i].fields, want[i]) << i;
    EXPECT_EQ(read.records[i].line, lines[i]) << i;
    EXPECT_EQ(read.records[i].offset, offsets[i]) << i;
  }
}

TEST(CsvReaderTest, ARecordOverTheSizeCapIsOneErrorAndItsLinesNeverBecomeRecords) {
  TempDir dir;
  CsvReaderOptions options;
  options.max_record_bytes = 64;
  std::string inside;  // a quoted field of fake rows, far over the cap
  for (int i = 0; i < 20; ++i) inside += "fake," + std::to_string(i) + "\n";
  const CsvRead read = ReadString(dir, "a,b\n1," + std::string(100, 'x') + "\n2,\"" + inside + "\"\n3,last\n", options);
  ASSERT_TRUE(read.status.ok());
  ASSERT_EQ(read.records.size(), 4u);
  EXPECT_TRUE(read.records[0].status.ok());
  for (std::size_t i : {1u, 2u}) {
    EXPECT_FALSE(read.records[i].status.ok()) << i;
    EXPECT_NE(read.records[i].status.message().find("longer than 64 bytes"), std::string::npos)
        << read.records[i].status.message();
    EXPECT_TRUE(read.records[i].fields.empty());
  }
  EXPECT_EQ(read.records[1].line, 2u);
  EXPECT_EQ(read.records[2].line, 3u);
  EXPECT_EQ(read.records[3].fields, (std::vector<std::string>{"3", "last"}));
  EXPECT_EQ(read.records[3].line, 24u);
  // Exactly at the cap is fine.
  options.max_record_bytes = 4;
  const CsvRead exact = ReadString(dir, "ab,c\nabcde\n", options);
  ASSERT_EQ(exact.records.size(), 2u);
  EXPECT_TRUE(exact.records[0].status.ok());
  EXPECT_FALSE(exact.records[1].status.ok());
}

TEST(CsvReaderTest, DelimiterSniffingAndSingleRecordParsing) {
  auto sniff = [](const std::string& text) {
    auto input = TextInput::FromMemory(text, "mem");
    auto d = SniffCsvDelimiter(*input, ",\t;");
    EXPECT_TRUE(d.ok());
    EXPECT_EQ(input->Get(), static_cast<unsigned char>(text[text.find_first_not_of("\xEF\xBB\xBF")]));  // rewound
    return d.ok() ? *d : '?';
  };
  EXPECT_EQ(sniff("\n \na;b,c\n"), ',');
  EXPECT_EQ(sniff("\xEF\xBB\xBF" "a\tb;c\n"), '\t');
  EXPECT_EQ(sniff("MD5;SHA1\n"), ';');
  EXPECT_EQ(sniff("single\n"), ',');

  EXPECT_EQ(*ParseCsvRecord("a,\"b,c\",\"d\"\"e\""), (std::vector<std::string>{"a", "b,c", "d\"e"}));
  EXPECT_FALSE(ParseCsvRecord("a,\"b").ok());
  EXPECT_FALSE(ParseCsvRecord("a\nb").ok());
  CsvReaderOptions bad;
  bad.delimiter = '"';
  EXPECT_FALSE(ParseCsvRecord("a", bad).ok());
}

}  // namespace
}  // namespace hashtriage::ingest

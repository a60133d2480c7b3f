// ingest::CsvReader, the RFC 4180 reader behind every CSV input. The first byte picks the delimiter
// and the record size cap, the rest is the file. Checks: reading ends (at most one record per byte),
// records start at increasing offsets on non-decreasing lines, a bad record has a reason and no
// fields; and a round trip: the good records, written back by a minimal RFC 4180 writer, read back
// identical.
#include <string>
#include <string_view>
#include <vector>

#include "ingest/csv_reader.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

namespace {

// RFC 4180 writing: a field is quoted (quotes doubled) when it holds the delimiter, a quote, CR or
// LF, or starts with 0xEF (it could pass for a byte-order mark at the start of the file); a record of
// one empty field is written "" so that it is not an empty line. Records end with CRLF.
std::string WriteCsv(const std::vector<std::vector<std::string>>& records, char delimiter) {
  std::string out;
  for (const auto& fields : records) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string& f = fields[i];
      if (i > 0) out += delimiter;
      const bool quote = f.find_first_of(std::string{delimiter, '"', '\r', '\n'}) != std::string::npos ||
                         (!f.empty() && f.front() == '\xEF') || (fields.size() == 1 && f.empty());
      if (!quote) {
        out += f;
        continue;
      }
      out += '"';
      for (char c : f) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

// Reads every record of `text`; checks the per-record invariants. Returns the fields of the good ones.
std::vector<std::vector<std::string>> ReadChecked(std::string text, const ingest::CsvReaderOptions& options,
                                                  std::size_t* bad) {
  const std::size_t size = text.size();
  auto reader = ingest::CsvReader::Make(ingest::TextInput::FromMemory(std::move(text), "fuzz.csv"), options);
  HT_FUZZ_CHECK(reader.ok());
  std::vector<std::vector<std::string>> good;
  std::uint64_t last_line = 0, last_offset = 0;
  bool first = true;
  for (std::size_t guard = 0; guard <= size + 1; ++guard) {
    auto next = (*reader)->Next();
    HT_FUZZ_CHECK(next.ok());  // bytes in memory never fail to read
    const ingest::CsvRecord* record = *next;
    if (record == nullptr) return good;
    HT_FUZZ_CHECK(record->line >= 1 && record->line >= last_line);
    HT_FUZZ_CHECK(first || record->offset > last_offset);
    HT_FUZZ_CHECK(record->offset < size);
    first = false;
    last_line = record->line;
    last_offset = record->offset;
    if (record->status.ok()) {
      HT_FUZZ_CHECK(!record->fields.empty());
      good.push_back(record->fields);
    } else {
      HT_FUZZ_CHECK(!record->status.message().empty() && record->fields.empty());
      ++*bad;
    }
  }
  HT_FUZZ_CHECK(false && "the reader returned more records than the input has bytes");
  return good;
}

}  // namespace

int FuzzCsvReader(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  ingest::CsvReaderOptions options;
  options.delimiter = kDelimiters[data[0] & 3];
  options.max_record_bytes = (data[0] & 4) ? 16 : 1u << 16;  // small, so that the cap is reachable
  std::size_t bad = 0;
  const auto good = ReadChecked(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), options, &bad);

  ingest::CsvReaderOptions roomy = options;
  roomy.max_record_bytes = 1u << 24;
  std::size_t bad_again = 0;
  const auto again = ReadChecked(WriteCsv(good, options.delimiter), roomy, &bad_again);
  HT_FUZZ_CHECK(bad_again == 0);
  HT_FUZZ_CHECK(again == good);
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzCsvReader)

// CsvReader: the one streaming reader of every CSV input (P2P monitoring and generic referral CSV,
// `subject attr import`, the index's ICSE, NSRL and mapped-CSV importers), implementing RFC 4180 as
// Python's csv module writes it. Memory is constant except for the current record (capped). Every
// record carries its first line and byte offset; a record that cannot be parsed comes back once, with
// its line and a reason, and never turns into other records. One thread at a time per reader.
//
// Grammar (what a reader of these files may rely on):
//  - Records end at LF, CRLF or a lone CR outside quotes; a UTF-8 byte-order mark at the start is
//    skipped; empty lines are skipped (they still count as lines).
//  - A field that starts with '"' is quoted: it ends at the next '"' not doubled; inside it "" is one
//    '"', and the delimiter, CR and LF are data, so a quoted field may span lines.
//  - A '"' anywhere else in an unquoted field is data (a"b is the three bytes a"b, as Python reads it).
//    A quote opens a quoted field only as the first byte of a field: ` "a"` (leading space) is data.
//  - Text between a closing quote and the next delimiter or end of record ("ab"c) makes the record bad
//    ("text after the closing quote of field N"); the record is consumed to where Python's reader
//    would end it (the rest of the field as unquoted data) and reported once.
//  - A quoted field still open at the end of the input makes one bad record naming the line where the
//    quote opened: the lines after it are never read as records.
//  - A record longer than max_record_bytes is bad ("longer than N bytes"); it is consumed to its end
//    by the same grammar without being stored, so memory stays bounded and its lines do not become
//    records either.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"
#include "ingest/text_input.h"

namespace hashtriage::ingest {

struct CsvReaderOptions {
  // Separates fields. Any byte except '"', CR and LF. Default: ','.
  char delimiter = ',';
  // A record of more bytes than this (delimiters and quotes included) is reported as bad and its
  // fields are not kept. Default: 16 MiB.
  std::size_t max_record_bytes = 16u << 20;
};

struct CsvRecord {
  std::vector<std::string> fields;  // unquoted; empty when `status` is not OK
  std::uint64_t line = 0;           // 1-based line where the record starts
  std::uint64_t offset = 0;         // byte offset in the input where the record starts
  Status status;                    // not OK: the record is malformed and `fields` must not be used
  // One field of nothing but spaces and tabs (a whitespace-only line).
  bool blank() const;
};

class CsvReader {
 public:
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, const CsvReaderOptions& options = {});
  // Reads `input` from where it stands. InvalidArgument for an unusable delimiter.
  static Result<std::unique_ptr<CsvReader>> Make(std::unique_ptr<TextInput> input, const CsvReaderOptions& options);

  // The next record (valid until the next call), nullptr at the end of the input; an error only when
  // the input cannot be read on.
  Result<const CsvRecord*> Next();
  const TextInput& input() const { return *input_; }

 private:
  CsvReader(std::unique_ptr<TextInput> input, const CsvReaderOptions& options)
      : input_(std::move(input)), options_(options) {}
  void ReadRecord();

  std::unique_ptr<TextInput> input_;
  CsvReaderOptions options_;
  CsvRecord record_;
};

// The delimiter of a file: the first of `candidates` found in its first non-blank line, else
// candidates[0]. Reads that line and rewinds `input` to its start.
Result<char> SniffCsvDelimiter(TextInput& input, std::string_view candidates);

// Exactly one record from `text` (e.g. one line of a line-based list): its fields, or the record's
// error; text holding more than one record is InvalidArgument.
Result<std::vector<std::string>> ParseCsvRecord(std::string_view text, const CsvReaderOptions& options = {});

}  // namespace hashtriage::ingest

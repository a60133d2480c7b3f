// JsonRecordSplitter: cuts a JSON intake file into the texts of its top-level records without parsing
// the whole file: one object, a top-level array of objects, concatenated objects or JSON Lines. Only
// one record's bytes are held at a time. A record cut short (a line of JSON Lines ending inside an
// object, a new object starting where a key was due, a mismatched bracket, end of file) is returned
// with a non-OK status and the splitter carries on with the next record. One thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashing/status.h"
#include "ingest/text_input.h"

namespace hashtriage::ingest::referral_internal {

struct JsonRecordText {
  std::uint64_t number = 0;  // 1-based
  std::uint64_t line = 0;    // line where the record starts
  Status status;             // not OK: `text` is not a complete record
  std::string text;
};

class JsonRecordSplitter {
 public:
  // `json_lines`: records are single lines (a line ending inside an object cuts the record short).
  // When false the splitter decides from the first record: it is JSON Lines if that record starts and
  // ends on one line and is not inside an array.
  JsonRecordSplitter(TextInput& input, std::size_t max_record_bytes, bool json_lines);

  // The next record, or nullopt at the end of the input (check TextInput::status() then).
  std::optional<JsonRecordText> Next();

 private:
  // Consumes one element that starts with `first` (already read) into `out`.
  void ReadElement(int first, JsonRecordText& out);
  void Append(JsonRecordText& out, int c);

  TextInput& input_;
  std::size_t max_record_bytes_;
  bool json_lines_;
  bool decided_;
  bool in_array_ = false;
  bool array_closed_ = false;
  bool started_ = false;
  std::uint64_t number_ = 0;
  int pending_ = TextInput::kEof;  // a byte read ahead that starts the next record
};

}  // namespace hashtriage::ingest::referral_internal

#include "ingest/csv_reader.h"

#include <algorithm>

namespace hashtriage::ingest {

namespace {

bool IsLineEnd(int c) { return c == '\n' || c == '\r'; }

}  // namespace

bool CsvRecord::blank() const {
  return fields.size() == 1 && fields[0].find_first_not_of(" \t") == std::string::npos;
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, const CsvReaderOptions& options) {
  HT_ASSIGN_OR_RETURN(auto input, TextInput::Open(path));
  return Make(std::move(input), options);
}

Result<std::unique_ptr<CsvReader>> CsvReader::Make(std::unique_ptr<TextInput> input, const CsvReaderOptions& options) {
  if (options.delimiter == '"' || IsLineEnd(options.delimiter)) {
    return Status::InvalidArgument("a CSV delimiter cannot be a quote, CR or LF");
  }
  if (options.max_record_bytes == 0) return Status::InvalidArgument("max_record_bytes must be positive");
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(input), options));
}

Result<const CsvRecord*> CsvReader::Next() {
  for (;;) {
    const int c = input_->Peek();
    if (c == TextInput::kEof) {
      HT_RETURN_IF_ERROR(input_->status());
      return static_cast<const CsvRecord*>(nullptr);
    }
    if (IsLineEnd(c)) {  // an empty line holds no record
      input_->Get();
      if (c == '\r' && input_->Peek() == '\n') input_->Get();
      continue;
    }
    ReadRecord();
    HT_RETURN_IF_ERROR(input_->status());
    return &record_;
  }
}

// A state machine over the bytes of one record; the first byte is known to be there and not a line end.
void CsvReader::ReadRecord() {
  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterClosingQuote };
  CsvRecord& r = record_;
  r.fields.clear();
  r.fields.emplace_back();
  r.line = input_->line();
  r.offset = input_->offset();
  r.status = Status::Ok();
  State state = State::kFieldStart;
  std::uint64_t quote_line = 0;  // where the open quoted field started
  std::size_t bytes = 0;
  bool overlong = false;
  auto append = [&](int c) {
    if (!overlong) r.fields.back().push_back(static_cast<char>(c));
  };
  auto next_field = [&] {
    if (!overlong) r.fields.emplace_back();
    state = State::kFieldStart;
  };
  auto fail = [&](Status why) {
    if (r.status.ok()) r.status = std::move(why);
  };
  for (;;) {
    const int c = input_->Get();
    if (c == TextInput::kEof) {
      if (state == State::kQuoted) {
        r.status = Status::Corruption("quoted field opened on line " + std::to_string(quote_line) +
                                      " is not closed before the end of the file");
      }
      break;
    }
    const bool ends_record = state != State::kQuoted && IsLineEnd(c);
    if (!ends_record && ++bytes > options_.max_record_bytes && !overlong) {
      overlong = true;
      fail(Status::ResourceLimit("record is longer than " + std::to_string(options_.max_record_bytes) + " bytes"));
    }
    if (state == State::kQuoted) {
      if (c == '"') {
        state = State::kAfterClosingQuote;
      } else {
        append(c);
      }
      continue;
    }
    if (state == State::kAfterClosingQuote && c == '"') {  // a doubled quote
      append(c);
      state = State::kQuoted;
      continue;
    }
    if (c == options_.delimiter) {
      next_field();
      continue;
    }
    if (IsLineEnd(c)) {
      if (c == '\r' && input_->Peek() == '\n') input_->Get();
      break;
    }
    if (state == State::kFieldStart && c == '"') {
      state = State::kQuoted;
      quote_line = input_->line();
      continue;
    }
    if (state == State::kAfterClosingQuote) {
      fail(Status::Corruption("text after the closing quote of field " + std::to_string(r.fields.size())));
    }
    append(c);
    state = State::kUnquoted;
  }
  if (!r.status.ok()) r.fields.clear();
}

Result<char> SniffCsvDelimiter(TextInput& input, std::string_view candidates) {
  std::string line;
  for (int c = input.Get(); c != TextInput::kEof; c = input.Get()) {
    if (!IsLineEnd(c)) {
      if (line.size() < (1u << 20)) line.push_back(static_cast<char>(c));
    } else if (line.find_first_not_of(" \t") != std::string::npos) {
      break;
    } else {
      line.clear();
    }
  }
  HT_RETURN_IF_ERROR(input.status());
  HT_RETURN_IF_ERROR(input.Rewind());
  for (char candidate : candidates) {
    if (line.find(candidate) != std::string::npos) return candidate;
  }
  return candidates.empty() ? ',' : candidates.front();
}

Result<std::vector<std::string>> ParseCsvRecord(std::string_view text, const CsvReaderOptions& options) {
  HT_ASSIGN_OR_RETURN(auto reader, CsvReader::Make(TextInput::FromMemory(std::string(text), "text"), options));
  HT_ASSIGN_OR_RETURN(const CsvRecord* record, reader->Next());
  if (record == nullptr) return std::vector<std::string>{std::string()};
  HT_RETURN_IF_ERROR(record->status);
  std::vector<std::string> fields = record->fields;
  HT_ASSIGN_OR_RETURN(const CsvRecord* more, reader->Next());
  if (more != nullptr) return Status::InvalidArgument("text holds more than one CSV record");
  return fields;
}

}  // namespace hashtriage::ingest

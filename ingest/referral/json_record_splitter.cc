#include "ingest/referral/json_record_splitter.h"

#include <utility>

namespace hashtriage::ingest::referral_internal {

namespace {

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

JsonRecordSplitter::JsonRecordSplitter(TextInput& input, std::size_t max_record_bytes, bool json_lines)
    : input_(input), max_record_bytes_(max_record_bytes), json_lines_(json_lines), decided_(json_lines) {}

void JsonRecordSplitter::Append(JsonRecordText& out, int c) {
  if (out.text.size() < max_record_bytes_) {
    out.text.push_back(static_cast<char>(c));
  } else if (out.status.ok()) {
    out.status = Status::ResourceLimit("record is larger than " + std::to_string(max_record_bytes_) + " bytes");
  }
}

std::optional<JsonRecordText> JsonRecordSplitter::Next() {
  for (;;) {
    const int c = pending_ != TextInput::kEof ? std::exchange(pending_, TextInput::kEof) : input_.Get();
    if (c == TextInput::kEof) return std::nullopt;
    if (IsSpace(c)) continue;
    if (!started_) {
      started_ = true;
      if (c == '[') {
        in_array_ = true;
        decided_ = true;
        json_lines_ = false;
        continue;
      }
    }
    if (in_array_ && c == ',') continue;
    if (in_array_ && c == ']') {
      in_array_ = false;
      array_closed_ = true;
      continue;
    }
    JsonRecordText out;
    out.number = ++number_;
    out.line = input_.line();
    ReadElement(c, out);
    if (array_closed_ && out.status.ok()) out.status = Status::Corruption("data after the end of the top-level array");
    return out;
  }
}

void JsonRecordSplitter::ReadElement(int first, JsonRecordText& out) {
  const std::uint64_t start_line = out.line;
  std::string stack;  // open brackets, innermost last
  bool in_string = first == '"';
  bool escape = false;
  bool at_line_start = false;
  int last_significant = first;
  Append(out, first);
  if (first == '{' || first == '[') stack.push_back(static_cast<char>(first));
  if (stack.empty() && !in_string) {
    // A bare scalar or junk: runs to the end of its line (or the next array separator).
    for (int c = input_.Peek(); c != TextInput::kEof && c != '\n' && !(in_array_ && (c == ',' || c == ']'));
         c = input_.Peek()) {
      Append(out, input_.Get());
    }
    return;
  }
  for (;;) {
    const int c = input_.Get();
    if (c == TextInput::kEof) {
      if (out.status.ok()) out.status = Status::Corruption("record is cut short by the end of the file");
      return;
    }
    if (c == '\n' && json_lines_ && decided_) {
      if (out.status.ok()) out.status = Status::Corruption("record is cut short at the end of its line");
      return;
    }
    if (in_string) {
      if (c == '\n') {
        // A raw line break cannot be inside a JSON string: the record was cut short mid-string.
        in_string = false;
        at_line_start = true;
        if (out.status.ok()) out.status = Status::Corruption("record is cut short inside a string");
        Append(out, c);
        continue;
      }
      Append(out, c);
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
        if (stack.empty()) return;  // a bare string element
        last_significant = c;
      }
      continue;
    }
    if (c == '\n') at_line_start = true;
    if (IsSpace(c)) {
      Append(out, c);
      continue;
    }
    // A '{' where JSON allows no value (inside an object not after ':', inside an array not after '['
    // or ','), at the start of a line, is the next record beginning after this one was cut short.
    if (c == '{' && at_line_start && !stack.empty()) {
      const bool value_allowed = stack.back() == '{' ? last_significant == ':'
                                                     : (last_significant == '[' || last_significant == ',');
      if (!value_allowed || out.status.code() == StatusCode::kCorruption) {
        pending_ = c;
        if (out.status.ok()) {
          out.status = Status::Corruption("record is cut short: a new object starts on line " +
                                          std::to_string(input_.line()) + " before it is closed");
        }
        return;
      }
    }
    at_line_start = false;
    Append(out, c);
    last_significant = c;
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      stack.push_back(static_cast<char>(c));
    } else if (c == '}' || c == ']') {
      const char open = c == '}' ? '{' : '[';
      if (stack.empty() || stack.back() != open) {
        if (out.status.ok()) {
          out.status = Status::Corruption(std::string("mismatched '") + static_cast<char>(c) + "' on line " +
                                          std::to_string(input_.line()));
        }
        return;
      }
      stack.pop_back();
      if (stack.empty()) {
        if (!decided_) {
          decided_ = true;
          json_lines_ = !in_array_ && input_.line() == start_line;
        }
        return;
      }
    }
  }
}

}  // namespace hashtriage::ingest::referral_internal

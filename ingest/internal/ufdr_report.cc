#include "ingest/internal/ufdr_report.h"

#include <expat.h>

#include <cstring>
#include <ctime>

namespace hashtriage::ingest::internal {

std::string NormalizeUfdrLocalPath(std::string_view local_path) {
  std::string s(local_path);
  for (char& c : s) {
    if (c == '\\') c = '/';
  }
  std::size_t start = 0;
  for (;;) {
    if (s.compare(start, 2, "./") == 0) {
      start += 2;
    } else if (start < s.size() && s[start] == '/') {
      ++start;
    } else {
      break;
    }
  }
  return s.substr(start);
}

namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::string_view LocalName(const XML_Char* name) {
  std::string_view n(name);
  const std::size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const char* Attr(const XML_Char** attrs, std::string_view key) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    if (LocalName(attrs[i]) == key) return attrs[i + 1];
  }
  return nullptr;
}

}  // namespace

std::optional<std::int64_t> ParseIso8601(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, h) || s[13] != ':' ||
      !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  std::int64_t offset = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    const bool colon = pos + 3 < s.size() && s[pos + 3] == ':';
    if (!Digits(s, pos + 1, 2, oh) || !Digits(s, pos + (colon ? 4 : 3), 2, om)) return std::nullopt;
    offset = (s[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  struct tm tm;
  std::memset(&tm, 0, sizeof(tm));
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

struct UfdrReportParser::State {
  XML_Parser parser = nullptr;
  UfdrReport report;
  // Current <file> (depth > 0 while inside one).
  int file_depth = 0;
  int depth = 0;
  UfdrFileRecord current;
  std::string local_path;
  bool in_file_section = false;
  // Text being collected: for the Local Path item or a timestamp.
  enum class Collect { kNone, kLocalPath, kTimestamp } collect = Collect::kNone;
  std::string text;
  std::string timestamp_name;
  bool timestamp_has_value = false;

  void SetTime(const std::string& name, std::optional<std::int64_t> t) {
    if (!t) return;
    if (name == "CreationTime") current.created = t;
    if (name == "ModifyTime") current.modified = t;
    if (name == "AccessTime") current.accessed = t;
  }

  static void Start(void* self, const XML_Char* name, const XML_Char** attrs) {
    auto* st = static_cast<State*>(self);
    ++st->depth;
    const std::string_view local = LocalName(name);
    if (st->file_depth == 0) {
      if (local != "file") return;
      st->file_depth = st->depth;
      st->current = UfdrFileRecord();
      st->local_path.clear();
      if (const char* p = Attr(attrs, "path")) st->current.device_path = p;
      if (const char* del = Attr(attrs, "deleted")) st->current.deleted = std::strcmp(del, "Deleted") == 0;
      ++st->report.file_elements;
      return;
    }
    if (local == "metadata") {
      const char* section = Attr(attrs, "section");
      st->in_file_section = section != nullptr && std::strcmp(section, "File") == 0;
    } else if (local == "item" && st->in_file_section) {
      const char* item_name = Attr(attrs, "name");
      if (item_name != nullptr && std::strcmp(item_name, "Local Path") == 0) {
        st->collect = Collect::kLocalPath;
        st->text.clear();
      }
    } else if (local == "timestamp") {
      const char* ts_name = Attr(attrs, "name");
      st->timestamp_name = ts_name != nullptr ? ts_name : "";
      const char* formatted = Attr(attrs, "formattedTimestamp");
      st->timestamp_has_value = formatted != nullptr && ParseIso8601(formatted).has_value();
      if (st->timestamp_has_value) st->SetTime(st->timestamp_name, ParseIso8601(formatted));
      st->collect = Collect::kTimestamp;
      st->text.clear();
    }
  }

  static void End(void* self, const XML_Char* name) {
    auto* st = static_cast<State*>(self);
    const std::string_view local = LocalName(name);
    if (st->file_depth != 0) {
      if (st->collect == Collect::kLocalPath && local == "item") {
        st->local_path = st->text;
        st->collect = Collect::kNone;
      } else if (st->collect == Collect::kTimestamp && local == "timestamp") {
        if (!st->timestamp_has_value) st->SetTime(st->timestamp_name, ParseIso8601(st->text));
        st->collect = Collect::kNone;
      } else if (local == "metadata") {
        st->in_file_section = false;
      }
      if (st->depth == st->file_depth) {
        st->file_depth = 0;
        if (st->local_path.empty()) {
          ++st->report.without_local_path;
        } else {
          st->report.files.emplace(NormalizeUfdrLocalPath(st->local_path), std::move(st->current));
        }
      }
    }
    --st->depth;
  }

  static void Text(void* self, const XML_Char* s, int len) {
    auto* st = static_cast<State*>(self);
    if (st->collect != Collect::kNone && st->text.size() < 65536) st->text.append(s, static_cast<std::size_t>(len));
  }
};

UfdrReportParser::UfdrReportParser() : state_(std::make_unique<State>()) {
  state_->parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(state_->parser, state_.get());
  XML_SetElementHandler(state_->parser, &State::Start, &State::End);
  XML_SetCharacterDataHandler(state_->parser, &State::Text);
}

UfdrReportParser::~UfdrReportParser() {
  if (state_->parser != nullptr) XML_ParserFree(state_->parser);
}

Status UfdrReportParser::Feed(std::span<const std::byte> chunk) {
  if (XML_Parse(state_->parser, reinterpret_cast<const char*>(chunk.data()), static_cast<int>(chunk.size()),
                XML_FALSE) != XML_STATUS_OK) {
    return Status::Corruption("report.xml line " + std::to_string(XML_GetCurrentLineNumber(state_->parser)) +
                              " column " + std::to_string(XML_GetCurrentColumnNumber(state_->parser)) + ": " +
                              XML_ErrorString(XML_GetErrorCode(state_->parser)));
  }
  return Status::Ok();
}

Result<UfdrReport> UfdrReportParser::Finish() {
  if (XML_Parse(state_->parser, "", 0, XML_TRUE) != XML_STATUS_OK) {
    return Status::Corruption("report.xml line " + std::to_string(XML_GetCurrentLineNumber(state_->parser)) + ": " +
                              XML_ErrorString(XML_GetErrorCode(state_->parser)));
  }
  return std::move(state_->report);
}

}  // namespace hashtriage::ingest::internal

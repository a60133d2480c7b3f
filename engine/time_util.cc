#include "engine/time_util.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace hashtriage::engine {

namespace {

// Days from 1970-01-01 to the given civil date (proleptic Gregorian), H. Hinnant's algorithm.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Status Bad(std::string_view text) {
  return Status::InvalidArgument("invalid ISO 8601 time '" + std::string(text.substr(0, 64)) + "'");
}

}  // namespace

Result<std::int64_t> ParseIso8601(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '"')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '"' || text.back() == '\r')) text.remove_suffix(1);
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!Digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, month) ||
      text[7] != '-' || !Digits(text, 8, 2, day)) {
    return Bad(text);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return Bad(text);
  std::size_t pos = 10;
  std::int64_t offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return Bad(text);
    ++pos;
    if (!Digits(text, pos, 2, hour) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
        !Digits(text, pos + 3, 2, minute)) {
      return Bad(text);
    }
    pos += 5;
    if (pos < text.size() && text[pos] == ':') {
      if (!Digits(text, pos + 1, 2, second)) return Bad(text);
      pos += 3;
    }
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;  // fraction ignored
    }
    if (pos < text.size()) {
      const char sign = text[pos];
      if (sign == 'Z' || sign == 'z') {
        ++pos;
      } else if (sign == '+' || sign == '-') {
        int oh, om = 0;
        if (!Digits(text, pos + 1, 2, oh)) return Bad(text);
        std::size_t after = pos + 3;
        if (after < text.size() && text[after] == ':') ++after;
        if (after < text.size()) {
          if (!Digits(text, after, 2, om)) return Bad(text);
          after += 2;
        }
        offset_seconds = (oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
        pos = after;
      } else {
        return Bad(text);
      }
    }
    if (pos != text.size()) return Bad(text);
    if (hour > 23 || minute > 59 || second > 60) return Bad(text);
  }
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kSecondsPerDay +
         hour * 3600 + minute * 60 + second - offset_seconds;
}

std::string FormatIso8601(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string FormatDate(std::int64_t unix_seconds) { return FormatIso8601(unix_seconds).substr(0, 10); }

Result<CommandClock> ResolveCommandClock(const std::string& now_flag) {
  const char* env = std::getenv("HASHTRIAGE_NOW");
  const bool given = !now_flag.empty() || (env != nullptr && *env != '\0');
  HT_ASSIGN_OR_RETURN(std::int64_t now, ResolveNow(now_flag));
  return CommandClock{now, given ? std::optional<std::int64_t>(now) : std::nullopt};
}

Result<std::int64_t> ResolveNow(const std::string& now_flag) {
  if (!now_flag.empty()) return ParseIso8601(now_flag);
  if (const char* env = std::getenv("HASHTRIAGE_NOW"); env != nullptr && *env != '\0') {
    auto parsed = ParseIso8601(env);
    if (!parsed.ok()) return parsed.status().WithContext("HASHTRIAGE_NOW");
    return parsed;
  }
  return static_cast<std::int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace hashtriage::engine

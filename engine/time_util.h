// Time for hashtriage: ISO 8601 parsing (with offsets, stored as UTC Unix seconds) and formatting,
// and the command clock: every command takes `--now TIME` (or $HASHTRIAGE_NOW) so tests and
// simulations can run days in seconds; otherwise the system clock. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::engine {

// Accepts "2026-11-22", "2026-11-22T10:15:00Z", "...T10:15:00+01:00", "...T10:15:00.123-0500",
// "2026-11-22 10:15:00" (no offset = UTC). Returns Unix seconds (UTC).
Result<std::int64_t> ParseIso8601(std::string_view text);
// "2026-11-22T10:15:00Z"
std::string FormatIso8601(std::int64_t unix_seconds);
// "2026-11-22"
std::string FormatDate(std::int64_t unix_seconds);

// The command's notion of now: `now_flag` if non-empty, else $HASHTRIAGE_NOW, else the system clock.
Result<std::int64_t> ResolveNow(const std::string& now_flag);

// The command clock with where it came from: `given` holds the time when --now or $HASHTRIAGE_NOW set
// it (audit entries then record it beside the real time).
struct CommandClock {
  std::int64_t now = 0;
  std::optional<std::int64_t> given;
};
Result<CommandClock> ResolveCommandClock(const std::string& now_flag);

inline constexpr std::int64_t kSecondsPerDay = 86400;

}  // namespace hashtriage::engine

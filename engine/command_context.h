// CommandContext: who runs a command that changes a case, and when: the command's clock (--now or
// $HASHTRIAGE_NOW, else the real one), whether that clock was given, the command line and, under `serve`, the signed-in user — what the
// records and audit entries of the operation carry. Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hashtriage::engine {

struct CommandContext {
  std::int64_t now = 0;                      // the command's clock
  std::optional<std::int64_t> command_time;  // --now / $HASHTRIAGE_NOW when given
  std::string command;                       // the command line
  // The person acting, as the audit log names them: a `serve` user; "" = the account running the
  // process (a command-line user).
  std::string user;
};

}  // namespace hashtriage::engine

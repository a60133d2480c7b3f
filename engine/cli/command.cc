#include "engine/cli/command.h"

#include <unistd.h>

#include <cstdio>

namespace hashtriage::cli {

int ReportFailure(const Status& status) {
  std::fprintf(stderr, "hashtriage: %s\n", status.message().empty() ? status.ToString().c_str()
                                                                       : status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

void RecordOutcome(const Result<int>& outcome, CommandExit& exit) {
  exit.code = outcome.ok() ? outcome.value() : ReportFailure(outcome.status());
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace hashtriage::cli

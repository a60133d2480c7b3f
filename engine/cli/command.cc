#include "engine/cli/command.h"

#include <unistd.h>

#include <cstdio>

#include "engine/text/untrusted_text.h"

namespace hashtriage::cli {

int ReportFailure(const Status& status) {
  // Messages name files and records from outside: printed in their terminal form (untrusted_text.h).
  const std::string message = status.message().empty() ? status.ToString() : status.message();
  std::fprintf(stderr, "hashtriage: %s\n", engine::TerminalText(message).c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

void RecordOutcome(const Result<int>& outcome, CommandExit& exit) {
  exit.code = outcome.ok() ? outcome.value() : ReportFailure(outcome.status());
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

CLI::App* SubcommandGroup(CLI::App& parent, const std::string& name, const std::string& description) {
  for (CLI::App* sub : parent.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

void AddCaseOption(CLI::App* command, std::string& case_dir) {
  command->add_option("--case", case_dir, "Case directory (default: $HASHTRIAGE_CASE or ./hashtriage-case)");
}

void AddIndexOption(CLI::App* command, std::string& index_dir) {
  command->add_option("--index", index_dir, "Known-image index directory (default: $HASHTRIAGE_INDEX or ./hashtriage-index)");
}

void AddNowOption(CLI::App* command, std::string& now) {
  command->add_option("--now", now, "The command's clock, ISO 8601 (default: $HASHTRIAGE_NOW or the system clock)");
}

}  // namespace hashtriage::cli

#include "engine/cli/command.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "engine/time_util.h"

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
  command->add_option("--case", case_dir, "Case directory or postgresql:// URL (default: $HASHTRIAGE_CASE or ./hashtriage-case)");
}

void AddIndexOption(CLI::App* command, std::string& index_dir) {
  command->add_option("--index", index_dir, "Known-image index directory (default: $HASHTRIAGE_INDEX or ./hashtriage-index)");
}

void AddNowOption(CLI::App* command, std::string& now) {
  command->add_option("--now", now, "The command's clock, ISO 8601 (default: $HASHTRIAGE_NOW or the system clock)");
}

Result<std::unique_ptr<engine::Case>> OpenExistingCase(const std::string& location, bool read_only) {
  engine::CaseOptions options;
  options.location = location;
  options.read_only = read_only;
  options.create_if_missing = false;
  return engine::OpenCase(options);
}

Result<engine::CommandContext> ContextFor(const std::string& now_flag, const std::string& command_line) {
  HT_ASSIGN_OR_RETURN(engine::CommandClock clock, engine::ResolveCommandClock(now_flag));
  return engine::CommandContext{clock.now, clock.given, command_line};
}

void AddVideoOptions(CLI::App* command, hashing::VideoHashOptions& video) {
  command->add_option("--video-seconds-per-frame", video.seconds_per_frame,
                      "Hash one video frame per this many seconds of video (vPDQ sampling; default 1)")
      ->check(CLI::Range(0.001, 3600.0));
  command->add_option("--video-time-limit", video.time_limit_seconds,
                      "Seconds one video may take to decode; past it the video is reported as not fully examined "
                      "(default 300)")
      ->check(CLI::Range(0.01, 86400.0));
}

void AddPhoneRegionOption(CLI::App* command, std::string& region) {
  command->add_option("--phone-region", region,
                      "Region of phone numbers written without a country code, e.g. GB or US "
                      "(default: $HASHTRIAGE_PHONE_REGION or GB)");
}

std::string ResolvePhoneRegion(const std::string& option) {
  if (!option.empty()) return option;
  const char* env = std::getenv("HASHTRIAGE_PHONE_REGION");
  return env != nullptr && *env != '\0' ? std::string(env) : "GB";
}

}  // namespace hashtriage::cli

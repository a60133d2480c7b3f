#include "engine/cli/commands.h"

#include "engine/case/kv/kv_store.h"

#include "engine/text/untrusted_text.h"

#include <sys/stat.h>

#include <cstdio>
#include <exception>
#include <iostream>

namespace hashtriage::cli {

void SetupAllCommands(CLI::App& app, CommandExit& exit) {
  SetupHashCommand(app, exit);
  SetupScanCommand(app, exit);
  SetupCaseCommands(app, exit);
  SetupPurgeCommand(app, exit);
  SetupDbCommand(app, exit);
  SetupCaseMoveCommands(app, exit);
  SetupUserCommand(app, exit);
  SetupServeCommand(app, exit);
  SetupSubmitCommand(app, exit);
  SetupIndexCommand(app, exit);
  SetupIndexBuildCommand(app, exit);
  SetupIntakeCommand(app, exit);
  SetupRematchCommand(app, exit);
  SetupSubjectCommand(app, exit);
  SetupRankCommand(app, exit);
  SetupQueueCommand(app, exit);
  SetupResearchCommand(app, exit);
  SetupCalibrateCommand(app, exit);
  SetupReviewCommand(app, exit);
  SetupDipSampleCommand(app, exit);
  SetupForecastCommand(app, exit);
  SetupExportCommands(app, exit);
}

int RunCommandLine(int argc, char** argv, const engine::TestHooks* hooks) {
  // Case and index files hold sensitive data: owner-only (directories 0700, files 0600).
  ::umask(077);
  // hashtriage prints its own messages with fprintf(stderr). Some decoders (OpenCV's imdecode)
  // write diagnostics to std::cerr for files we already report as one clean error line.
  std::ostream usage_errors(std::cerr.rdbuf());
  std::cerr.rdbuf(nullptr);
  CLI::App app{"hashtriage: hash, match and rank seized-device evidence and referrals.\n"
               "Never displays or stores image pixels; evidence is opened read-only."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("hashtriage ") + HASHTRIAGE_VERSION);
  CommandExit exit;
  exit.hooks = hooks;
  for (int i = 0; i < argc; ++i) exit.command_line += (i ? " " : "") + engine::RedactSecrets(argv[i]);
  SetupAllCommands(app, exit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, std::cout, usage_errors);
    return code == 0 ? 0 : kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hashtriage: %s\n", engine::TerminalText(e.what()).c_str());
    return kExitFailure;
  }
  return exit.code;
}

}  // namespace hashtriage::cli

// Every subcommand's Setup function, and SetupAllCommands() which main() calls.
#pragma once

#include "engine/cli/command.h"

namespace hashtriage::cli {

void SetupHashCommand(CLI::App& app, CommandExit& exit);
void SetupIndexCommand(CLI::App& app, CommandExit& exit);
void SetupIndexBuildCommand(CLI::App& app, CommandExit& exit);  // after SetupIndexCommand

void SetupScanCommand(CLI::App& app, CommandExit& exit);
// case init|status, audit verify|show, export files
void SetupCaseCommands(CLI::App& app, CommandExit& exit);
void SetupPurgeCommand(CLI::App& app, CommandExit& exit);  // case purge
void SetupDbCommand(CLI::App& app, CommandExit& exit);     // db migrate (PostgreSQL cases)
void SetupCaseMoveCommands(CLI::App& app, CommandExit& exit);  // case export|import
void SetupUserCommand(CLI::App& app, CommandExit& exit);  // user add|passwd|role|disable|enable|list
void SetupServeCommand(CLI::App& app, CommandExit& exit);  // serve
void SetupSubmitCommand(CLI::App& app, CommandExit& exit);  // submit
void SetupIntakeCommand(CLI::App& app, CommandExit& exit);
void SetupRematchCommand(CLI::App& app, CommandExit& exit);
void SetupSubjectCommand(CLI::App& app, CommandExit& exit);

// Risk: queue, rank, review, dip-sample, forecast, export queue|vics (engine/risk/).
void SetupQueueCommand(CLI::App& app, CommandExit& exit);
void SetupResearchCommand(CLI::App& app, CommandExit& exit);  // research queue
void SetupCalibrateCommand(CLI::App& app, CommandExit& exit);  // calibrate
void SetupRankCommand(CLI::App& app, CommandExit& exit);
void SetupReviewCommand(CLI::App& app, CommandExit& exit);
void SetupDipSampleCommand(CLI::App& app, CommandExit& exit);
void SetupForecastCommand(CLI::App& app, CommandExit& exit);
void SetupExportCommands(CLI::App& app, CommandExit& exit);

void SetupAllCommands(CLI::App& app, CommandExit& exit);

// The whole command line: parses argv, runs one subcommand, returns the process exit code. `hooks`
// are the test driver's crash-injection points (null in the released program).
int RunCommandLine(int argc, char** argv, const engine::TestHooks* hooks);

}  // namespace hashtriage::cli

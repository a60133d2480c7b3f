#include "engine/cli/commands.h"

namespace hashtriage::cli {

void SetupAllCommands(CLI::App& app, CommandExit& exit) {
  SetupHashCommand(app, exit);
  SetupScanCommand(app, exit);
  SetupCaseCommands(app, exit);
  SetupPurgeCommand(app, exit);
  SetupIndexCommand(app, exit);
  SetupIndexBuildCommand(app, exit);
  SetupIntakeCommand(app, exit);
  SetupSubjectCommand(app, exit);
  SetupRankCommand(app, exit);
  SetupQueueCommand(app, exit);
  SetupReviewCommand(app, exit);
  SetupDipSampleCommand(app, exit);
  SetupForecastCommand(app, exit);
  SetupExportCommands(app, exit);
}

}  // namespace hashtriage::cli

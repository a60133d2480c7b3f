#include "engine/cli/commands.h"

namespace hashtriage::cli {

void SetupAllCommands(CLI::App& app, CommandExit& exit) {
  SetupHashCommand(app, exit);
  SetupScanCommand(app, exit);
  SetupCaseCommands(app, exit);
  SetupIndexCommand(app, exit);
}

}  // namespace hashtriage::cli

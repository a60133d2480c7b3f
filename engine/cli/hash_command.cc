// Work in progress: replaced by the full `hash` command in the next commit.
#include "engine/cli/commands.h"

namespace hashtriage::cli {
void SetupHashCommand(CLI::App& app, CommandExit& exit) {
  auto* sub = app.add_subcommand("hash", "Digests and PDQ of files");
  sub->callback([&exit]() { exit.code = ReportFailure(Status::NotSupported("hash: not built yet")); });
}
}  // namespace hashtriage::cli

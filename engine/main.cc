// hashtriage: the command-line entry point. Everything happens in RunCommandLine
// (engine/cli/commands.h): parse with CLI11, run one subcommand, map its outcome to the exit code.
#include "engine/cli/commands.h"

int main(int argc, char** argv) { return hashtriage::cli::RunCommandLine(argc, argv, /*hooks=*/nullptr); }

// The contract between main() and each subcommand file (engine/cli/<name>_command.cc).
// A command file exposes `SetupXCommand(CLI::App& parent, CommandExit& exit)`, which adds its
// subcommand with an options struct and a callback that runs `RunXCommand(const XOptions&)`.
// Run functions return Result<int>: an exit code on success, a Status that main() reports on failure.
// Exit codes (documented in README): 0 ok, 1 some input failed or a command error,
// 2 usage error, 10 (scan --kiosk / lookup) known material found.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/command_context.h"
#include "engine/test_hooks.h"
#include "hashing/status.h"
#include "hashing/video_hasher.h"

namespace hashtriage::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitMatches = 10;

// What main() shares with every subcommand: the command line (for the case audit log) in, the
// exit code out.
struct CommandExit {
  int code = kExitOk;
  std::string command_line;  // argv joined with spaces, as typed
  // Crash-injection points: set only by the test driver (tests/reliability/test_driver.cc).
  const engine::TestHooks* hooks = nullptr;
};

// Prints "hashtriage: <message>" to stderr (the message in its terminal form, engine/text/untrusted_text.h)
// and returns the exit code for the Status: kExitUsage for InvalidArgument, kExitFailure otherwise.
int ReportFailure(const Status& status);

// Stores the outcome of a Run...Command call into `exit`.
void RecordOutcome(const Result<int>& outcome, CommandExit& exit);

// True when stderr is a terminal (progress bars are drawn only then).
bool StderrIsTerminal();

// The subcommand `name` of `parent`, created if no other command file has added it yet; lets
// several files contribute to one group (e.g. `export files`, `export queue`).
CLI::App* SubcommandGroup(CLI::App& parent, const std::string& name, const std::string& description);

// Options shared by the commands that use a case, an index or the clock. Defaults resolve at run
// time: --case to $HASHTRIAGE_CASE or ./hashtriage-case, --index to $HASHTRIAGE_INDEX or
// ./hashtriage-index, --now to $HASHTRIAGE_NOW or the system clock.
void AddCaseOption(CLI::App* command, std::string& case_dir);
void AddIndexOption(CLI::App* command, std::string& index_dir);
void AddNowOption(CLI::App* command, std::string& now);
// --phone-region CC (`intake`, `subject ident add`): the region of phone numbers written without a
// country code. ResolvePhoneRegion: the option, else $HASHTRIAGE_PHONE_REGION, else GB.
void AddPhoneRegionOption(CLI::App* command, std::string& region);
std::string ResolvePhoneRegion(const std::string& option);

// --video-seconds-per-frame S, --video-time-limit S (`hash --vpdq`, `scan`): how videos are sampled and
// how long one may take.
void AddVideoOptions(CLI::App* command, hashing::VideoHashOptions& video);

// --submit URL, --token-file FILE, --ca-cert PEM: a station sends its records to the team's server
// (`scan --submit`, `submit`).
void AddSubmitOptions(CLI::App* command, std::string& url, std::string& token_file, std::string& ca_cert);
// Sends the listed evidence items (empty: all) of the station's case to the server, one line per item
// on stdout. The token comes from `token_file`, else $HASHTRIAGE_STATION_TOKEN (never the command line).
Status SubmitToServer(const engine::Case& local, const std::vector<std::uint32_t>& numbers, const std::string& url,
                      const std::string& token_file, const std::string& ca_cert, std::size_t chunk = 500,
                      const engine::TestHooks* hooks = nullptr);

// Sends referral files as they are to the server's intake (`intake --submit`), one line per file; exit
// status 1 when a file could not be sent or held bad records.
Result<int> SubmitReferralFiles(const std::vector<std::string>& files, const std::string& url,
                                const std::string& token_file, const std::string& ca_cert);

// Opens an existing case ("" = $HASHTRIAGE_CASE or ./hashtriage-case); never creates one.
Result<std::unique_ptr<engine::Case>> OpenExistingCase(const std::string& location, bool read_only);
// The clock and command line of a command that changes a case.
Result<engine::CommandContext> ContextFor(const std::string& now_flag, const std::string& command_line);

}  // namespace hashtriage::cli

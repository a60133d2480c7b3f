// `hashtriage case export --to LOCATION` and `hashtriage case import --from LOCATION`: move a whole
// case between an embedded directory and a PostgreSQL database (either way), record for record, into
// a destination that holds no case yet; both sides are digested and must agree; the copy's audit log
// records the move. The original is only read. (engine/case/kv/case_copy.h does the work.)
#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/case/kv/case_copy.h"
#include "engine/cli/commands.h"
#include "engine/text/untrusted_text.h"

namespace hashtriage::cli {

namespace {

struct CaseMoveOptions {
  std::string case_location;  // --case: the source (export) or destination (import)
  std::string other;          // --to (export) or --from (import)
  std::string now;
  bool json = false;
  std::string command_line;
};

Result<int> RunCaseMove(const CaseMoveOptions& o, bool exporting) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  const std::string here = o.case_location.empty() ? engine::DefaultCaseLocation() : o.case_location;
  const std::string& from = exporting ? here : o.other;
  const std::string& to = exporting ? o.other : here;
  auto entry = engine::MakeAuditEntry(context, {{"action", exporting ? "case export" : "case import"}});
  HT_ASSIGN_OR_RETURN(const auto report, engine::CopyCase(from, to, std::move(entry)));
  if (o.json) {
    const nlohmann::json j = {{"from", report.from},       {"to", report.to},         {"records", report.records},
                              {"tables", report.per_table}, {"sha256", report.sha256}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  std::printf("copied case %s -> %s: %llu records in %zu tables, verified (sha256 %s)\n",
              engine::TerminalText(report.from).c_str(), engine::TerminalText(report.to).c_str(),
              static_cast<unsigned long long>(report.records), report.per_table.size(), report.sha256.c_str());
  return kExitOk;
}

void AddMove(CLI::App& app, CommandExit& exit, bool exporting) {
  CLI::App* case_app = SubcommandGroup(app, "case", "The case workspace");
  auto o = std::make_shared<CaseMoveOptions>();
  CLI::App* cmd = case_app->add_subcommand(
      exporting ? "export" : "import",
      exporting ? "Copy this case (--case) into an empty directory or migrated PostgreSQL database (--to)"
                : "Copy a case (--from) into this empty case location (--case: a directory or migrated database)");
  AddCaseOption(cmd, o->case_location);
  cmd->add_option(exporting ? "--to" : "--from", o->other,
                  exporting ? "Where the copy goes: a directory or postgresql:// URL"
                            : "The case to copy: a directory or postgresql:// URL")
      ->required();
  AddNowOption(cmd, o->now);
  cmd->add_flag("--json", o->json, "Print the outcome as JSON");
  cmd->callback([o, &exit, exporting]() {
    o->command_line = exit.command_line;
    RecordOutcome(RunCaseMove(*o, exporting), exit);
  });
}

}  // namespace

void SetupCaseMoveCommands(CLI::App& app, CommandExit& exit) {
  AddMove(app, exit, /*exporting=*/true);
  AddMove(app, exit, /*exporting=*/false);
}

}  // namespace hashtriage::cli

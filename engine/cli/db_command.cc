// `hashtriage db migrate --case postgresql://...`: prepares a PostgreSQL database to hold a case (team
// mode), or brings one made by an older hashtriage up to date. Safe to repeat; refuses a database
// written by a newer hashtriage. The embedded (directory) case needs no migration.
#include <iostream>
#include <nlohmann/json.hpp>

#include "engine/case/kv/kv_store.h"
#include "engine/case/postgres/pg_migrations.h"
#include "engine/cli/commands.h"

namespace hashtriage::cli {

namespace {

struct DbMigrateOptions {
  std::string case_location;
  bool json = false;
};

Result<int> RunDbMigrate(const DbMigrateOptions& o) {
  const std::string location = o.case_location.empty() ? engine::DefaultCaseLocation() : o.case_location;
  if (!engine::kv::IsPostgresLocation(location)) {
    return Status::InvalidArgument("db migrate: --case must be a postgresql:// URL (an embedded case directory needs "
                                   "no migration)");
  }
  HT_ASSIGN_OR_RETURN(const auto report, engine::pg::MigrateCaseDatabase(location));
  if (o.json) {
    nlohmann::json j = {{"from", report.from}, {"to", report.to}, {"applied", report.applied}};
    std::cout << j.dump() << "\n";
  } else if (report.applied.empty()) {
    std::cout << "case database already at schema version " << report.to << ": nothing to do\n";
  } else {
    for (const std::string& m : report.applied) std::cout << "applied migration " << m << "\n";
    std::cout << "case database at schema version " << report.to << " (was " << report.from << ")\n";
  }
  return kExitOk;
}

}  // namespace

void SetupDbCommand(CLI::App& app, CommandExit& exit) {
  CLI::App* db = SubcommandGroup(app, "db", "The PostgreSQL case database (team mode)");
  auto o = std::make_shared<DbMigrateOptions>();
  CLI::App* cmd = db->add_subcommand(
      "migrate", "Create or update the case tables in a PostgreSQL database (--case postgresql://...); safe to repeat");
  AddCaseOption(cmd, o->case_location);
  cmd->add_flag("--json", o->json, "Print the outcome as JSON");
  cmd->callback([o, &exit]() { RecordOutcome(RunDbMigrate(*o), exit); });
}

}  // namespace hashtriage::cli

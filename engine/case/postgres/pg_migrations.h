// Schema migrations of a PostgreSQL case: the SQL files of engine/case/postgres/migrations/ (compiled
// in), applied in order by `hashtriage db migrate`, each once, each in its own transaction, under an
// advisory lock so two migrating processes never interleave. The database records what it has in
// table schema_migrations (version, name, when applied, by which hashtriage).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"

namespace hashtriage::engine::pg {

struct Migration {
  int version = 0;        // from the file name: 0001_case_tables.sql -> 1
  std::string name;       // "case_tables"
  std::string_view sql;
};

// Every migration this hashtriage knows, by version.
const std::vector<Migration>& CaseMigrations();
// The version a case database must be at for this hashtriage to use it.
int LatestMigration();

struct MigrationReport {
  int from = 0;  // the version before (0: an empty database)
  int to = 0;
  std::vector<std::string> applied;  // "1 case_tables"
};

// Brings the database at `url` up to LatestMigration(). A database at a newer version is refused
// (NotSupported); a failed migration leaves the database at the last complete version.
Result<MigrationReport> MigrateCaseDatabase(const std::string& url);

}  // namespace hashtriage::engine::pg

#include "engine/case/postgres/pg_migrations.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdlib>

#include "engine/case/postgres/pg_error.h"

namespace hashtriage::engine::pg {

// Generated at build time from migrations/*.sql (engine/CMakeLists.txt): file stem and text.
const std::vector<std::pair<std::string_view, std::string_view>>& MigrationFiles();

namespace {

// Any fixed number: the advisory lock every migrating process takes.
constexpr long long kMigrationLock = 0x68617368747269;  // "hashtri"

constexpr const char* kCreateBookkeeping =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL)";

}  // namespace

const std::vector<Migration>& CaseMigrations() {
  static const std::vector<Migration> migrations = [] {
    std::vector<Migration> out;
    for (const auto& [stem, sql] : MigrationFiles()) {
      Migration m;
      const std::size_t underscore = stem.find('_');
      m.version = std::atoi(std::string(stem.substr(0, underscore)).c_str());
      m.name = underscore == std::string_view::npos ? std::string(stem) : std::string(stem.substr(underscore + 1));
      m.sql = sql;
      out.push_back(m);
    }
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return out;
  }();
  return migrations;
}

int LatestMigration() { return CaseMigrations().empty() ? 0 : CaseMigrations().back().version; }

Result<MigrationReport> MigrateCaseDatabase(const std::string& url) {
  MigrationReport report;
  try {
    pqxx::connection conn(url);
    {
      pqxx::nontransaction setup(conn);
      setup.exec("SET client_min_messages TO warning");
    }
    for (const Migration& m : CaseMigrations()) {
      pqxx::work txn(conn);
      txn.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
      txn.exec(kCreateBookkeeping);
      const pqxx::row current = txn.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations");
      const int at = current[0].as<int>();
      if (m.version == CaseMigrations().front().version) report.from = at;
      if (at > LatestMigration()) {
        return Status::NotSupported("the case database is at schema version " + std::to_string(at) +
                                    "; this hashtriage knows up to " + std::to_string(LatestMigration()) +
                                    " (use the newer hashtriage)");
      }
      if (m.version <= at) continue;
      txn.exec(std::string(m.sql));
      txn.exec_params("INSERT INTO schema_migrations (version, name, applied_by) VALUES ($1, $2, $3)", m.version,
                      m.name, std::string("hashtriage ") + HASHTRIAGE_VERSION);
      txn.commit();
      report.applied.push_back(std::to_string(m.version) + " " + m.name);
    }
    report.to = LatestMigration();
    if (report.applied.empty()) report.from = report.to;
  } catch (const std::exception& e) {
    return FromPostgres(e, "migrating the case database");
  }
  return report;
}

}  // namespace hashtriage::engine::pg

#include "engine/case/postgres/pg_error.h"

#include <pqxx/pqxx>

#include <string>

namespace hashtriage::engine::pg {

namespace {

// The server's message without its trailing newline.
std::string Trimmed(const char* text) {
  std::string s(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Status FromPostgres(const std::exception& error, std::string_view what) {
  const std::string context(what);
  if (dynamic_cast<const pqxx::serialization_failure*>(&error) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&error) != nullptr) {
    return Status::Conflict(context + ": another user changed the same records first; nothing of this change was "
                                      "stored");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
    return Status::IOError(context + ": lost or refused connection to PostgreSQL: " + Trimmed(error.what()));
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) {
    return Status::IOError(context + ": the connection was lost while committing; the change may or may not "
                                     "have been stored (check `case status` before repeating it)");
  }
  return Status::IOError(context + ": PostgreSQL: " + Trimmed(error.what()));
}

}  // namespace hashtriage::engine::pg

#include "tests/engine/postgres_test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

namespace hashtriage::testing {

namespace {

std::string TrimmedFile(const std::filesystem::path& path) {
  std::string text = RunCommand("cat " + Q(path)).out;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::filesystem::path ServerScript() {
  return std::filesystem::path(HASHTRIAGE_SOURCE_DIR) / "tests/postgres/test-server";
}

}  // namespace

std::string TestPostgresServer() {
  const char* file = std::getenv("HASHTRIAGE_TEST_POSTGRES");
  if (file == nullptr || *file == '\0') {
    ADD_FAILURE() << "no test PostgreSQL server: run this test through ctest (fixture 'postgres' starts one) or set "
                     "HASHTRIAGE_TEST_POSTGRES to a file holding a server URL";
    return "";
  }
  const std::string url = TrimmedFile(file);
  if (url.empty()) ADD_FAILURE() << "test PostgreSQL URL file " << file << " is empty or missing";
  return url;
}

TestDatabase::TestDatabase(std::string server) : server_(server.empty() ? TestPostgresServer() : std::move(server)) {
  if (server_.empty()) return;
  std::random_device rd;
  name_ = "ht_test_" + std::to_string(rd()) + std::to_string(rd());
  const auto r = RunCommand("psql -X -q -v ON_ERROR_STOP=1 " + ShellQuote(server_ + "/postgres") + " -c " +
                            ShellQuote("CREATE DATABASE " + name_));
  if (r.exit_code != 0) {
    ADD_FAILURE() << "cannot create test database: " << r.err;
    return;
  }
  url_ = server_ + "/" + name_;
}

TestDatabase::~TestDatabase() {
  if (url_.empty()) return;
  RunCommand("psql -X -q " + ShellQuote(server_ + "/postgres") + " -c " +
             ShellQuote("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"));
}

CommandResult TestDatabase::Sql(const std::string& sql) const {
  return RunCommand("psql -X -q -At -v ON_ERROR_STOP=1 " + ShellQuote(url_) + " -c " + ShellQuote(sql));
}

PrivatePostgresServer::PrivatePostgresServer() {
  const auto r = RunCommand(Q(ServerScript()) + " start " + Q(state_.path() / "server"));
  if (r.exit_code != 0) {
    ADD_FAILURE() << "cannot start a private PostgreSQL server: " << r.err;
    return;
  }
  url_ = TrimmedFile(state_.path() / "server/url");
}

PrivatePostgresServer::~PrivatePostgresServer() {
  RunCommand(Q(ServerScript()) + " stop " + Q(state_.path() / "server"));
}

bool PrivatePostgresServer::Restart() {
  const auto r = RunCommand(Q(ServerScript()) + " restart " + Q(state_.path() / "server"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

}  // namespace hashtriage::testing

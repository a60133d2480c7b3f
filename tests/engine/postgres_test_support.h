// PostgreSQL for tests: the shared test server (tests/postgres/test-server, started and stopped by
// CTest as fixture "postgres"; $HASHTRIAGE_TEST_POSTGRES names the file holding its URL), a fresh
// database of a test's own on it, and a private server a test may restart or kill. A missing server
// is a test failure, never a skip.
#pragma once

#include <filesystem>
#include <string>

#include "tests/test_support.h"

namespace hashtriage::testing {

// The shared test server's URL (postgresql://postgres@127.0.0.1:PORT); "" after ADD_FAILURE without one.
std::string TestPostgresServer();

// A new, empty database on `server` (default: the shared test server), dropped on destruction.
class TestDatabase {
 public:
  explicit TestDatabase(std::string server = "");
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& url() const { return url_; }
  // Runs SQL with psql on this database (an independent client).
  CommandResult Sql(const std::string& sql) const;

 private:
  std::string server_, name_, url_;
};

// A server of the test's own (same script as the fixture), stopped on destruction.
class PrivatePostgresServer {
 public:
  PrivatePostgresServer();
  ~PrivatePostgresServer();
  const std::string& url() const { return url_; }
  // Stops the server (fast shutdown) and starts it again on the same port.
  bool Restart();

 private:
  TempDir state_;
  std::string url_;
};

}  // namespace hashtriage::testing

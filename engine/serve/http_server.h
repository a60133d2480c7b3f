// `hashtriage serve`: the HTTP(S) front of a case. Every request is authenticated (a browser session
// cookie, or a station's bearer token), checked against the CSRF token when it changes something and
// came with a cookie, authorised by role (access_policy.h), then answered by an API handler (api.h)
// on a case connection of its own (case_pool.h). Plain HTTP only on a loopback address; anything else
// needs --tls-cert and --tls-key. Responses are JSON (or the CSV export), never cached, never framed,
// never an image. One access-log line per request goes to stderr.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/serve/session_table.h"
#include "engine/users/users.h"
#include "hashing/status.h"

namespace hashtriage::engine::serve {

struct ServeOptions {
  std::string case_location;   // postgresql://... (team mode) or an embedded case directory
  std::string index_dir;       // the known-image index (read-only)
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  std::string tls_cert;        // PEM files; both or neither
  std::string tls_key;
  std::size_t http_threads = 32;      // connections served at once (keep-alive holds one each)
  std::size_t case_connections = 8;   // case connections shared by those threads (PostgreSQL)
  std::size_t sign_ins_per_minute = 10;  // per client address
  SessionLimits sessions;
  users::SignInPolicy sign_in;
};

// Loopback: 127.0.0.0/8, ::1 or "localhost".
bool IsLoopbackHost(const std::string& host);

class HttpServer {
 public:
  // Opens the case connections and binds the address (nothing is served yet). Errors: the listen
  // address is not loopback and no TLS files were given; the TLS files do not load; the case does
  // not open; the port is taken.
  static Result<std::unique_ptr<HttpServer>> Start(const ServeOptions& options);
  ~HttpServer();

  // "http://127.0.0.1:41234"
  std::string url() const;
  // Serves until Stop() (from any thread, e.g. a signal watcher).
  Status Run();
  void Stop();

 private:
  struct State;
  explicit HttpServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace hashtriage::engine::serve

// `hashtriage serve` for tests: the real executable started as a child process on a free loopback
// port (it prints the URL it listens on), stopped with SIGTERM — or killed with SIGKILL — on request
// and on destruction; and a small client that signs in (keeping the session cookie and CSRF token) or
// uses a station's bearer token, over cpp-httplib.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hashtriage::testing {

// The password the serve tests give every account they create.
inline constexpr const char* kTestPassword = "correct horse battery";

class ServeProcess {
 public:
  // Starts `hashtriage serve --listen 127.0.0.1:0 <args>`; url() is "" (and a test failure is
  // recorded) if it did not start listening within 30 s. Its stderr (the access log) goes to `log`.
  ServeProcess(const std::vector<std::string>& args, const std::filesystem::path& log,
               const std::string& listen = "127.0.0.1:0");
  ~ServeProcess();
  const std::string& url() const { return url_; }
  // SIGTERM and wait: the exit status (-1 when it died of a signal).
  int Stop();
  // SIGKILL and wait.
  void Kill();

 private:
  pid_t pid_ = -1;
  std::string url_;
};

// A loopback port free at the time of asking (for a server restarted on the same address).
int FreeLoopbackPort();

struct HttpReply {
  int status = 0;        // 0: no response (connection refused or cut)
  std::string body;
  std::string content_type;
  nlohmann::json json() const;
};

class ApiClient {
 public:
  explicit ApiClient(std::string url) : url_(std::move(url)) {}
  // Signs in; true on 200 (the cookie and CSRF token are kept).
  HttpReply SignIn(const std::string& name, const std::string& password);
  void UseBearer(const std::string& token) { bearer_ = token; }
  // Omits the CSRF header (or sends `csrf_override` instead) when asked: for the tests that it is checked.
  void SetCsrf(std::optional<std::string> csrf_override) { csrf_override_ = std::move(csrf_override); }
  const std::string& csrf() const { return csrf_; }
  HttpReply Get(const std::string& path);
  HttpReply Post(const std::string& path, const nlohmann::json& body);
  HttpReply Delete(const std::string& path);

 private:
  HttpReply Send(const std::string& method, const std::string& path, const std::string& body);
  std::string url_;
  std::string cookie_;
  std::string csrf_;
  std::string bearer_;
  std::optional<std::string> csrf_override_;
};

}  // namespace hashtriage::testing

#include "tests/engine/serve_test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace hashtriage::testing {

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

ServeProcess::ServeProcess(const std::vector<std::string>& args, const std::filesystem::path& log,
                           const std::string& listen) {
  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  std::vector<std::string> argv_text = {HashtriageBinary().string(), "serve", "--listen", listen};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    ::close(out[0]);
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string printed;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (printed.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    printed.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  const std::string prefix = "hashtriage serve: listening on ";
  const auto at = printed.find(prefix);
  if (at == std::string::npos) {
    ADD_FAILURE() << "serve did not start: printed '" << printed << "'";
    return;
  }
  url_ = printed.substr(at + prefix.size());
  url_ = url_.substr(0, url_.find('\n'));
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) Kill();
}

int ServeProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServeProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

nlohmann::json HttpReply::json() const { return nlohmann::json::parse(body, nullptr, false); }

HttpReply ApiClient::SignIn(const std::string& name, const std::string& password) {
  HttpReply reply = Send("POST", "/api/v1/session", nlohmann::json{{"name", name}, {"password", password}}.dump());
  if (reply.status == 200) csrf_ = reply.json().value("csrf_token", "");
  return reply;
}

HttpReply ApiClient::Get(const std::string& path) { return Send("GET", path, ""); }
HttpReply ApiClient::Post(const std::string& path, const nlohmann::json& body) { return Send("POST", path, body.dump()); }
HttpReply ApiClient::Delete(const std::string& path) { return Send("DELETE", path, ""); }

HttpReply ApiClient::Send(const std::string& method, const std::string& path, const std::string& body) {
  httplib::Client client(url_);
  client.enable_server_certificate_verification(false);  // the tests' own self-signed certificate
  client.set_read_timeout(60, 0);
  httplib::Headers headers;
  if (!cookie_.empty()) headers.emplace("Cookie", cookie_);
  if (!bearer_.empty()) headers.emplace("Authorization", "Bearer " + bearer_);
  if (method != "GET") {
    if (csrf_override_) {
      if (!csrf_override_->empty()) headers.emplace("X-CSRF-Token", *csrf_override_);
    } else if (!csrf_.empty()) {
      headers.emplace("X-CSRF-Token", csrf_);
    }
  }
  httplib::Result result = method == "GET"    ? client.Get(path, headers)
                           : method == "POST" ? client.Post(path, headers, body, "application/json")
                                              : client.Delete(path, headers, body, "application/json");
  HttpReply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  reply.content_type = result->get_header_value("Content-Type");
  const std::string set_cookie = result->get_header_value("Set-Cookie");
  if (!set_cookie.empty()) cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  return reply;
}

}  // namespace hashtriage::testing

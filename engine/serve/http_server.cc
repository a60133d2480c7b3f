#include "engine/serve/http_server.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <variant>

#include "engine/case/audit_log.h"
#include "engine/serve/api.h"
#include "engine/serve/case_pool.h"
#include "engine/serve/ui_assets.h"
#include "engine/time_util.h"

namespace hashtriage::engine::serve {

namespace {

using nlohmann::json;

constexpr const char* kCookie = "ht_session";
constexpr const char* kCsrfHeader = "X-CSRF-Token";

// Who a request comes from, once authenticated.
struct Caller {
  std::string user;
  users::Role role = users::Role::kResearcher;
  bool by_cookie = false;   // browser session (CSRF applies), else a station token
  std::string session_id;
  std::string csrf_token;
};

struct Failure {
  int status;
  std::string message;
};

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kNotSupported: return 501;
    default: return 500;
  }
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    const auto first = part.find_first_not_of(' ');
    part = first == std::string::npos ? "" : part.substr(first);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

std::int64_t RealNow() { return WallClockNow(); }

// nlohmann's CBOR reader recurses once per nesting level: a hostile body of nested arrays would
// overflow a worker's stack. This builds the same document but refuses more than 32 levels.
class DepthLimitedSax : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit DepthLimitedSax(json& out) : json_sax_dom_parser<json>(out, /*allow_exceptions=*/false) {}
  bool start_object(std::size_t n) { return ++depth_ <= kMaxDepth && json_sax_dom_parser<json>::start_object(n); }
  bool start_array(std::size_t n) { return ++depth_ <= kMaxDepth && json_sax_dom_parser<json>::start_array(n); }
  bool end_object() { --depth_; return json_sax_dom_parser<json>::end_object(); }
  bool end_array() { --depth_; return json_sax_dom_parser<json>::end_array(); }

 private:
  static constexpr int kMaxDepth = 32;
  int depth_ = 0;
};

// The CBOR body, or a discarded value when it is malformed or too deep.
json ParseCbor(const std::string& body) {
  json out;
  DepthLimitedSax sax(out);
  const bool ok = json::sax_parse(body, &sax, nlohmann::detail::input_format_t::cbor, /*strict=*/true) &&
                  !sax.is_errored();
  return ok ? out : json(json::value_t::discarded);
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

struct HttpServer::State {
  ServeOptions options;
  std::unique_ptr<httplib::Server> http;
  std::unique_ptr<CasePool> pool;
  std::unique_ptr<ApiServices> services;
  std::unique_ptr<SessionTable> sessions;
  std::unique_ptr<SignInThrottle> throttle;
  std::string host;
  int port = 0;
  bool tls = false;

  void Send(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
  }
  void SendError(httplib::Response& res, int status, const std::string& message) {
    Send(res, status, json{{"error", message}, {"status", status}});
  }

  // The signed-in caller, or the 401 to send.
  std::variant<Caller, Failure> Authenticate(const httplib::Request& req, Case& c) {
    const std::string authorization = req.get_header_value("Authorization");
    Caller caller;
    if (authorization.rfind("Bearer ", 0) == 0) {
      auto station = users::StationForToken(c, authorization.substr(7));
      if (!station.ok()) return Failure{401, "unknown or disabled station token"};
      caller.user = station->name;
      caller.role = users::Role::kStation;
      return caller;
    }
    caller.session_id = CookieValue(req, kCookie);
    auto session = sessions->Find(caller.session_id, RealNow());
    if (!session) return Failure{401, "sign in first (no session, or it expired)"};
    auto user = c.users().Get(session->user);
    if (!user.ok()) return Failure{500, user.status().message()};
    if (!user->has_value() || (*user)->disabled || users::AccountStamp(**user) != session->account_stamp) {
      sessions->End(caller.session_id);
      return Failure{401, "the session ended: the account was disabled or changed; sign in again"};
    }
    auto role = users::ParseRole((*user)->role);
    if (!role.ok()) return Failure{500, "account " + session->user + " has an unknown role"};
    caller.user = session->user;
    caller.role = *role;
    caller.by_cookie = true;
    caller.csrf_token = session->csrf_token;
    return caller;
  }

  void AccessLog(const httplib::Request& req, const httplib::Response& res, const std::string& user,
                 std::chrono::steady_clock::time_point started) {
    const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)
                        .count() / 1000.0;
    std::fprintf(stderr, "%s %s %s %s %d %.1fms\n", FormatIso8601(RealNow()).c_str(), req.remote_addr.c_str(),
                 user.empty() ? "-" : user.c_str(), (req.method + " " + req.path).c_str(), res.status, ms);
  }

  void HandleRoute(const Route& route, const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    auto lease = pool->Take();
    std::string user;
    [&] {
      auto who = Authenticate(req, *lease);
      if (auto* failure = std::get_if<Failure>(&who)) return SendError(res, failure->status, failure->message);
      const Caller& caller = std::get<Caller>(who);
      user = caller.user;
      if (caller.by_cookie && req.method != "GET" && req.get_header_value(kCsrfHeader) != caller.csrf_token) {
        return SendError(res, 403, "missing or wrong CSRF token (send the " + std::string(kCsrfHeader) +
                                       " header given at sign-in)");
      }
      if (!RoleMay(caller.role, route.action)) {
        return SendError(res, 403, "the " + std::string(users::RoleName(caller.role)) + " role may not " +
                                       std::string(ActionName(route.action)));
      }
      ApiRequest request;
      request.method = req.method;
      request.path = req.path;
      for (std::size_t i = 1; i < req.matches.size(); ++i) request.path_params.push_back(req.matches[i]);
      for (const auto& [name, value] : req.params) request.query[name] = value;
      if (!req.body.empty()) {
        // Stations send CBOR (binary query hashes), only to their routes; everyone else JSON.
        const bool cbor = route.action == Action::kSubmitScan &&
                          req.get_header_value("Content-Type").rfind("application/cbor", 0) == 0;
        request.body = cbor ? ParseCbor(req.body) : json::parse(req.body, nullptr, /*allow_exceptions=*/false);
        if (request.body.is_discarded() || !request.body.is_object()) {
          return SendError(res, 400, cbor ? "the request body must be a CBOR map" : "the request body must be a JSON object");
        }
      }
      request.user = caller.user;
      request.role = caller.role;
      request.context.now = RealNow();
      request.context.command = "serve: " + req.method + " " + req.path;
      request.context.user = caller.user;
      auto reply = route.handler(request, *lease, *services);
      if (!reply.ok()) return SendError(res, HttpStatusFor(reply.status()), reply.status().message());
      if (!reply->text.empty() || !reply->content_type.empty()) {
        res.status = reply->status;
        res.set_content(reply->text, reply->content_type.c_str());
      } else {
        Send(res, reply->status, reply->body);
      }
    }();
    AccessLog(req, res, user, started);
  }

  void SignIn(const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    std::string user;
    [&] {
      if (!throttle->Allow(req.remote_addr, RealNow())) {
        return SendError(res, 429, "too many sign-in attempts from this address: wait a minute");
      }
      const json body = json::parse(req.body, nullptr, false);
      auto name = RequiredField(body, "name");
      auto password = RequiredField(body, "password");
      if (!name.ok() || !password.ok()) return SendError(res, 400, "sign in with {\"name\": ..., \"password\": ...}");
      auto lease = pool->Take();
      auto signed_in = users::SignIn(*lease, *name, *password, RealNow(), options.sign_in);
      if (!signed_in.ok()) {
        if (signed_in.status().code() == StatusCode::kPermissionDenied) {
          return SendError(res, 401, signed_in.status().message());
        }
        std::fprintf(stderr, "sign-in failed: %s\n", signed_in.status().ToString().c_str());
        return SendError(res, 500, "sign-in is not available now; try again");
      }
      user = signed_in->name;
      const NewSession made = sessions->Create(user, users::AccountStamp(*signed_in), RealNow());
      res.set_header("Set-Cookie", std::string(kCookie) + "=" + made.id +
                                       "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
                                       std::to_string(options.sessions.absolute_seconds));
      Send(res, 200, json{{"user", user}, {"role", signed_in->role}, {"csrf_token", made.session.csrf_token}});
    }();
    AccessLog(req, res, user, started);
  }

  void SessionInfo(const httplib::Request& req, httplib::Response& res, bool end) {
    const auto started = std::chrono::steady_clock::now();
    std::string user;
    [&] {
      auto lease = pool->Take();
      auto who = Authenticate(req, *lease);
      if (auto* failure = std::get_if<Failure>(&who)) return SendError(res, failure->status, failure->message);
      const Caller& caller = std::get<Caller>(who);
      user = caller.user;
      if (!end) {
        return Send(res, 200, json{{"user", caller.user},
                                   {"role", users::RoleName(caller.role)},
                                   {"csrf_token", caller.by_cookie ? json(caller.csrf_token) : json(nullptr)}});
      }
      if (!caller.by_cookie) return SendError(res, 400, "a station token has no session to end");
      if (req.get_header_value(kCsrfHeader) != caller.csrf_token) {
        return SendError(res, 403, "missing or wrong CSRF token");
      }
      sessions->End(caller.session_id);
      res.set_header("Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
      Send(res, 200, json{{"signed_out", caller.user}});
    }();
    AccessLog(req, res, user, started);
  }

  void Register() {
    httplib::Headers headers = {{"Cache-Control", "no-store"},
                                {"X-Content-Type-Options", "nosniff"},
                                {"X-Frame-Options", "DENY"},
                                {"Referrer-Policy", "no-referrer"},
                                {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"}};
    if (tls) headers.emplace("Strict-Transport-Security", "max-age=31536000");
    http->set_default_headers(std::move(headers));
    http->Get("/api/v1/health", [this](const httplib::Request&, httplib::Response& res) {
      Send(res, 200, json{{"status", "ok"}, {"api", "v1"}});
    });
    http->Post("/api/v1/session", [this](const httplib::Request& q, httplib::Response& s) { SignIn(q, s); });
    http->Get("/api/v1/session", [this](const httplib::Request& q, httplib::Response& s) { SessionInfo(q, s, false); });
    http->Delete("/api/v1/session", [this](const httplib::Request& q, httplib::Response& s) { SessionInfo(q, s, true); });
    // The browser UI: its page may run only its own script and style sheet, talk only to this server,
    // and show no image at all.
    for (const UiAsset& asset : UiAssets()) {
      std::string pattern;
      for (char ch : asset.path) pattern += (ch == '.' ? std::string("\\.") : std::string(1, ch));
      http->Get(pattern, [&asset](const httplib::Request&, httplib::Response& res) {
        res.set_content(std::string(asset.bytes), std::string(asset.content_type) + "; charset=utf-8");
        res.headers.erase("Content-Security-Policy");
        res.set_header("Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'none'; "
                       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
      });
    }
    for (const Route& route : ApiRoutes()) {
      auto handler = [this, &route](const httplib::Request& q, httplib::Response& s) { HandleRoute(route, q, s); };
      if (route.method == "GET") http->Get(route.pattern, handler);
      else if (route.method == "POST") http->Post(route.pattern, handler);
      else if (route.method == "DELETE") http->Delete(route.pattern, handler);
    }
    http->set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) SendError(res, res.status, res.status == 404 ? "no such API endpoint" : "request refused");
    });
    http->set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      SendError(res, 500, "internal error");
    });
  }
};

HttpServer::HttpServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServeOptions& options) {
  auto state = std::make_unique<State>();
  state->options = options;
  const auto colon = options.listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  state->host = options.listen.substr(0, colon);
  if (state->host.size() > 2 && state->host.front() == '[' && state->host.back() == ']') {
    state->host = state->host.substr(1, state->host.size() - 2);
  }
  const std::string port_text = options.listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535) {
    return Status::InvalidArgument("--listen: '" + port_text + "' is not a port number");
  }
  const int port = std::stoi(port_text);
  state->tls = !options.tls_cert.empty() || !options.tls_key.empty();
  if (state->tls && (options.tls_cert.empty() || options.tls_key.empty())) {
    return Status::InvalidArgument("TLS needs both --tls-cert and --tls-key");
  }
  if (!state->tls && !IsLoopbackHost(state->host)) {
    return Status::InvalidArgument("--listen " + options.listen +
                                   ": plain HTTP is served only on a loopback address; give --tls-cert and --tls-key");
  }
  if (state->tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!ssl->is_valid()) {
      return Status::InvalidArgument("the TLS certificate " + options.tls_cert + " or key " + options.tls_key +
                                     " does not load (PEM files, key unencrypted, matching each other)");
    }
    state->http = std::move(ssl);
  } else {
    state->http = std::make_unique<httplib::Server>();
  }
  state->sessions = std::make_unique<SessionTable>(options.sessions);
  state->throttle = std::make_unique<SignInThrottle>(options.sign_ins_per_minute);
  HT_ASSIGN_OR_RETURN(state->pool, CasePool::Open(options.case_location, options.case_connections));
  state->services = std::make_unique<ApiServices>(options.index_dir, *state->pool);
  const std::size_t threads = std::max<std::size_t>(options.http_threads, 2);
  state->http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  state->http->set_payload_max_length(16 << 20);
  state->http->set_read_timeout(30, 0);
  state->http->set_keep_alive_max_count(1000);
  // An answer goes out in two writes (headers, body): with Nagle's algorithm the second waits for the
  // client's delayed acknowledgement, 40 ms and more per request (measured: review p50 96 ms at light load
  // against 5 ms spent in the handler).
  state->http->set_tcp_nodelay(true);
  state->Register();
  // cpp-httplib listens with a backlog of 5 (compiled into Debian's library): a burst of clients
  // connecting at once would be reset. The socket is remembered as it is made and given a real backlog.
  auto listening = std::make_shared<int>(-1);
  state->http->set_socket_options([listening](int sock) {
    *listening = sock;
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  if (port == 0) {
    state->port = state->http->bind_to_any_port(state->host);
  } else {
    state->port = state->http->bind_to_port(state->host, port) ? port : -1;
  }
  if (state->port <= 0) return Status::IOError("cannot listen on " + options.listen + " (address in use, or not ours)");
  if (*listening >= 0) ::listen(*listening, SOMAXCONN);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

std::string HttpServer::url() const {
  const std::string host = state_->host.find(':') != std::string::npos ? "[" + state_->host + "]" : state_->host;
  return std::string(state_->tls ? "https" : "http") + "://" + host + ":" + std::to_string(state_->port);
}

Status HttpServer::Run() {
  if (!state_->http->listen_after_bind()) return Status::IOError("the server stopped with an error");
  return Status::Ok();
}

void HttpServer::Stop() {
  if (state_ && state_->http) state_->http->stop();
}

}  // namespace hashtriage::engine::serve

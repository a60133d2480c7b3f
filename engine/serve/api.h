// The versioned JSON API of `hashtriage serve` (/api/v1/...): one route table naming, for each
// method and path, the action it performs (access_policy.h) and the handler. Handlers only translate:
// they read the request's JSON, call the same engine functions the CLI calls, and return their JSON —
// no business rules here. Authentication, CSRF and authorisation happen before a handler runs
// (http_server.h). Nothing here ever returns image pixels: there is no route that reads evidence.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/command_context.h"
#include "engine/risk/queue_view.h"
#include "engine/serve/access_policy.h"
#include "engine/subjects/subject_audit_history.h"
#include "engine/users/users.h"
#include "hashing/status.h"

namespace hashtriage::engine::serve {

struct ApiRequest {
  std::string method;
  std::string path;
  std::vector<std::string> path_params;        // the route pattern's captures, in order
  std::map<std::string, std::string> query;    // ?name=value (the last of repeated names)
  nlohmann::json body;                         // the JSON body (null when none)
  std::string user;                            // the signed-in user or station
  users::Role role = users::Role::kResearcher;
  CommandContext context;                      // real clock, "serve: METHOD PATH", user
};

struct ApiReply {
  int status = 200;
  nlohmann::json body;       // sent as JSON unless `text` is set
  std::string text;          // a non-JSON body (CSV export)
  std::string content_type;  // for `text`
};

class CasePool;

// What handlers share for the life of the server: where the index is, and the queue view of the case
// (entries in queue order, without assessments). The view is rebuilt when the audit log shows a change
// or a minute has passed: the first time by the request that needs it, afterwards by a background
// thread (kRebuildInterval, or twice the last rebuild's time, after the last one ended) while requests
// keep reading the previous view — so a queue page is a few seconds old at most (its generated_at says
// as of when) and never waits for a rebuild. Decisions stay safe: a review carries
// the entry version it was made on and is refused if the entry changed since.
class ApiServices {
 public:
  // The least rest between rebuilds (a page is then at most this plus two rebuilds old).
  static constexpr std::chrono::seconds kRebuildInterval{3};
  ApiServices(std::string index_dir, CasePool& pool);
  ~ApiServices();
  const std::string& index_dir() const { return index_dir_; }
  Result<std::shared_ptr<const std::vector<risk::QueueRow>>> QueueRows(const Case& c, std::int64_t now,
                                                                        risk::QueueViewContext& context);
  // The audit log's events per subject, indexed once and then as the log grows (subject pages).
  subjects::SubjectAuditHistory& audit_history() { return audit_history_; }

 private:
  struct View {
    std::shared_ptr<const std::vector<risk::QueueRow>> rows;
    risk::QueueViewContext context;
    std::uint64_t seq = 0;
    std::int64_t minute = -1;
  };
  static Result<View> Build(const Case& c, std::int64_t now);
  void RefreshLoop();

  std::string index_dir_;
  CasePool& pool_;
  subjects::SubjectAuditHistory audit_history_;
  std::mutex mutex_;
  std::condition_variable wanted_changed_;
  View view_;
  bool wanted_ = false;
  std::int64_t wanted_now_ = 0;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_rebuild_end_{};
  std::chrono::steady_clock::duration last_rebuild_took_{};
  std::thread refresher_;
};

using ApiHandler = std::function<Result<ApiReply>(const ApiRequest&, Case&, ApiServices&)>;

struct Route {
  std::string method;   // GET, POST, DELETE
  std::string pattern;  // a regular expression over the path, e.g. /api/v1/subjects/([^/]+)
  Action action;
  ApiHandler handler;
};

// Every route of the API that acts on the case (sign-in, sign-out and health are the server's own).
const std::vector<Route>& ApiRoutes();
// Parts of the table, by the files that define them.
std::vector<Route> WorkRoutes();   // queue, subjects, reviews, research, dip-sample, forecast, exports
std::vector<Route> AdminRoutes();  // users
std::vector<Route> IndexRoutes();  // the known-image sets, rematch (api_index.cc)
std::vector<Route> StationRoutes();  // stations' submissions
std::vector<Route> IntakeRoutes();   // referral files sent by stations (api_intake.cc)

// Helpers for handlers: a required string field of the body, an optional one, a query number.
Result<std::string> RequiredField(const nlohmann::json& body, const std::string& name);
std::string OptionalField(const nlohmann::json& body, const std::string& name);
Result<std::int64_t> QueryNumber(const ApiRequest& request, const std::string& name, std::int64_t fallback,
                                 std::int64_t min, std::int64_t max);

}  // namespace hashtriage::engine::serve

#include "engine/serve/api.h"

#include <charconv>

#include "engine/case/audit_log.h"
#include "engine/risk/rescore.h"

namespace hashtriage::engine::serve {

const std::vector<Route>& ApiRoutes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> all = WorkRoutes();
    for (auto& r : AdminRoutes()) all.push_back(std::move(r));
    for (auto& r : StationRoutes()) all.push_back(std::move(r));
    return all;
  }();
  return routes;
}

Result<std::string> RequiredField(const nlohmann::json& body, const std::string& name) {
  if (!body.is_object() || !body.contains(name)) return Status::InvalidArgument("the request needs \"" + name + "\"");
  if (!body[name].is_string() || body[name].get<std::string>().empty()) {
    return Status::InvalidArgument("\"" + name + "\" must be a non-empty string");
  }
  return body[name].get<std::string>();
}

std::string OptionalField(const nlohmann::json& body, const std::string& name) {
  if (!body.is_object() || !body.contains(name) || !body[name].is_string()) return "";
  return body[name].get<std::string>();
}

Result<std::int64_t> QueryNumber(const ApiRequest& request, const std::string& name, std::int64_t fallback,
                                 std::int64_t min, std::int64_t max) {
  auto it = request.query.find(name);
  if (it == request.query.end() || it->second.empty()) return fallback;
  std::int64_t value = 0;
  const auto& text = it->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument("query parameter " + name + " must be a whole number from " + std::to_string(min) +
                                   " to " + std::to_string(max));
  }
  return value;
}

Result<std::shared_ptr<const std::vector<risk::QueueRow>>> ApiServices::QueueRows(const Case& c, std::int64_t now,
                                                                                 risk::QueueViewContext& context) {
  // Every change to a case appends to its audit log: an unchanged head means an unchanged queue
  // (only the clock moves it otherwise: overdue flags, days in queue).
  HT_ASSIGN_OR_RETURN(auto head, c.audit().Head());
  const std::uint64_t seq = head ? head->seq : 0;
  const std::int64_t minute = now / 60;
  {
    std::lock_guard lock(mutex_);
    if (rows_ && seq == rows_seq_ && minute == rows_minute_) {
      context = rows_context_;
      return rows_;
    }
  }
  HT_ASSIGN_OR_RETURN(const risk::RiskModel model, risk::LoadCaseRiskModel(c));
  HT_ASSIGN_OR_RETURN(auto rows, risk::LoadQueueView(c, now, model, {}));
  auto shared = std::make_shared<const std::vector<risk::QueueRow>>(std::move(rows));
  context = risk::QueueViewContext{now, c.location(), model.name, model.sha256};
  std::lock_guard lock(mutex_);
  if (seq >= rows_seq_) {
    rows_seq_ = seq;
    rows_minute_ = minute;
    rows_context_ = context;
    rows_ = shared;
  }
  return shared;
}

}  // namespace hashtriage::engine::serve

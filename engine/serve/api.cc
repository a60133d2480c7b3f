#include "engine/serve/api.h"

#include <algorithm>
#include <charconv>

#include "engine/case/audit_log.h"
#include "engine/risk/rescore.h"
#include "engine/serve/case_pool.h"

namespace hashtriage::engine::serve {

const std::vector<Route>& ApiRoutes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> all = WorkRoutes();
    for (auto& r : AdminRoutes()) all.push_back(std::move(r));
    for (auto& r : IndexRoutes()) all.push_back(std::move(r));
    for (auto& r : StationRoutes()) all.push_back(std::move(r));
    for (auto& r : IntakeRoutes()) all.push_back(std::move(r));
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

ApiServices::ApiServices(std::string index_dir, CasePool& pool)
    : index_dir_(std::move(index_dir)), pool_(pool), refresher_([this] { RefreshLoop(); }) {}

ApiServices::~ApiServices() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_changed_.notify_all();
  refresher_.join();
}

Result<ApiServices::View> ApiServices::Build(const Case& c, std::int64_t now) {
  View view;
  // Every change to a case appends to its audit log: an unchanged head means an unchanged queue
  // (only the clock moves it otherwise: overdue flags, days in queue). Read in the same view as the rows.
  HT_ASSIGN_OR_RETURN(auto head, c.audit().Head());
  view.seq = head ? head->seq : 0;
  view.minute = now / 60;
  HT_ASSIGN_OR_RETURN(const risk::RiskModel model, risk::LoadCaseRiskModel(c));
  // Without assessments: a page reads those of its own rows (FillAssessments).
  HT_ASSIGN_OR_RETURN(auto rows, risk::LoadQueueView(c, now, model, {.with_assessments = false}));
  view.rows = std::make_shared<const std::vector<risk::QueueRow>>(std::move(rows));
  view.context = risk::QueueViewContext{now, c.location(), model.name, model.sha256};
  return view;
}

Result<std::shared_ptr<const std::vector<risk::QueueRow>>> ApiServices::QueueRows(const Case& c, std::int64_t now,
                                                                                 risk::QueueViewContext& context) {
  HT_ASSIGN_OR_RETURN(auto head, c.audit().Head());
  const std::uint64_t seq = head ? head->seq : 0;
  {
    std::lock_guard lock(mutex_);
    if (view_.rows) {
      if (seq != view_.seq || now / 60 != view_.minute) {
        wanted_ = true;
        wanted_now_ = now;
        wanted_changed_.notify_one();
      }
      context = view_.context;
      return view_.rows;
    }
  }
  HT_ASSIGN_OR_RETURN(View built, Build(c, now));
  std::lock_guard lock(mutex_);
  if (!view_.rows || built.seq >= view_.seq) view_ = built;
  context = view_.context;
  return view_.rows;
}

void ApiServices::RefreshLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wanted_changed_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    // On a busy case every review moves the audit head: rebuilds are spaced so that they take at most a
    // third of one core from the requests (kRebuildInterval, or twice the last rebuild's time, after it).
    const auto rest = std::max<std::chrono::steady_clock::duration>(kRebuildInterval, 2 * last_rebuild_took_);
    const auto since = std::chrono::steady_clock::now() - last_rebuild_end_;
    if (since < rest) {
      wanted_changed_.wait_for(lock, rest - since, [&] { return stopping_; });
      if (stopping_) return;
    }
    wanted_ = false;
    const std::int64_t now = wanted_now_;
    const auto began = std::chrono::steady_clock::now();
    lock.unlock();
    Result<View> built = [&]() -> Result<View> {
      auto lease = pool_.Take();
      return Build(*lease, now);
    }();
    lock.lock();
    last_rebuild_end_ = std::chrono::steady_clock::now();
    last_rebuild_took_ = last_rebuild_end_ - began;
    // A failed rebuild keeps the previous view; the next request asks again.
    if (built.ok() && built->seq >= view_.seq) view_ = std::move(*built);
  }
}

}  // namespace hashtriage::engine::serve

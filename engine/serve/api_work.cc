// The team's daily work through the API: queue pages, subject views, taking and reviewing subjects,
// research attributes, the dip-sample, the forecast and the queue export. Each handler calls the
// engine function the matching CLI command calls.
#include <algorithm>
#include <map>

#include "engine/case/audit_log.h"
#include "engine/case/queue_store.h"
#include "engine/risk/dip_sample.h"
#include "engine/risk/forecast.h"
#include "engine/risk/queue_actions.h"
#include "engine/risk/queue_selection.h"
#include "engine/risk/vics_export.h"
#include "engine/risk/rescore.h"
#include "engine/risk/research_queue.h"
#include "engine/subjects/subject_profiles.h"
#include "engine/serve/api.h"
#include "engine/subjects/subject_changes.h"
#include "engine/subjects/subject_view.h"
#include "engine/time_util.h"

namespace hashtriage::engine::serve {

namespace {

using nlohmann::json;
using namespace engine::risk;

Result<ApiReply> QueuePage(const ApiRequest& r, Case& c, ApiServices& services) {
  HT_ASSIGN_OR_RETURN(const std::int64_t offset, QueryNumber(r, "offset", 0, 0, 1'000'000'000));
  HT_ASSIGN_OR_RETURN(const std::int64_t limit, QueryNumber(r, "limit", 50, 1, 500));
  const auto text = [&](const char* name) { return r.query.count(name) ? r.query.at(name) : std::string(); };
  QueueSelection selection;
  selection.offset = static_cast<std::size_t>(offset);
  selection.limit = static_cast<std::size_t>(limit);
  selection.area = text("area");
  selection.owner = text("owner");
  selection.overdue_only = text("overdue") == "1" || text("overdue") == "true";
  selection.unowned_only = text("unowned") == "1" || text("unowned") == "true";
  if (!text("band").empty()) {
    selection.band = ParseBand(text("band"));
    if (!selection.band) return Status::InvalidArgument("band must be very-high, high, medium or low");
  }
  HT_ASSIGN_OR_RETURN(selection.sort, ParseQueueSort(text("sort")));
  HT_ASSIGN_OR_RETURN(selection.status, ParseQueueStatusFilter(text("status")));
  QueueViewContext context;
  HT_ASSIGN_OR_RETURN(auto rows, services.QueueRows(c, r.context.now, context));
  QueueSelected selected = SelectQueueRows(*rows, selection, r.context.now);
  HT_RETURN_IF_ERROR(FillAssessments(c, selected.page));
  nlohmann::ordered_json out = QueueJson(selected.page, context);
  out["offset"] = offset;
  out["limit"] = limit;
  out["total"] = selected.total;
  out["per_band"] = selected.per_band;
  out["overdue"] = selected.overdue;
  return ApiReply{200, json(out), "", ""};
}

// The research worklist: open queue entries whose assessment names attributes the model reads that are
// unknown or in conflict, in queue order (the most urgent first), each with its tasks (access to
// children first, as the model orders them). Assessments are read a chunk of the queue at a time.
Result<ApiReply> ResearchTasks(const ApiRequest& r, Case& c, ApiServices& services) {
  HT_ASSIGN_OR_RETURN(const std::int64_t offset, QueryNumber(r, "offset", 0, 0, 1'000'000'000));
  HT_ASSIGN_OR_RETURN(const std::int64_t limit, QueryNumber(r, "limit", 50, 1, 500));
  QueueViewContext context;
  HT_ASSIGN_OR_RETURN(auto rows, services.QueueRows(c, r.context.now, context));
  constexpr std::size_t kChunk = 200;
  json subjects = json::array();
  std::size_t matching = 0;
  for (std::size_t begin = 0; begin < rows->size() && subjects.size() < static_cast<std::size_t>(limit); begin += kChunk) {
    std::vector<QueueRow> chunk;
    for (std::size_t i = begin; i < std::min(rows->size(), begin + kChunk); ++i) {
      if ((*rows)[i].entry.open()) chunk.push_back((*rows)[i]);
    }
    HT_RETURN_IF_ERROR(FillAssessments(c, chunk));
    for (const QueueRow& row : chunk) {
      if (!row.assessment || row.assessment->research.empty()) continue;
      if (matching++ < static_cast<std::size_t>(offset)) continue;
      if (subjects.size() >= static_cast<std::size_t>(limit)) break;
      json tasks = json::array();
      for (const ResearchTask& t : row.assessment->research) {
        tasks.push_back({{"attribute", t.attribute},
                         {"label", t.label},
                         {"access_to_children", t.access_to_children},
                         {"conflict", t.conflict}});
      }
      subjects.push_back({{"subject", row.entry.subject_id},
                          {"band", BandName(row.entry.band)},
                          {"deadline", FormatIso8601(row.entry.deadline)},
                          {"tasks", tasks}});
    }
  }
  return ApiReply{200, json{{"subjects", subjects}, {"offset", offset}, {"limit", limit}, {"as_of", FormatIso8601(context.now)}},
                  "", ""};
}

// The research queue as `hashtriage research` ranks it (research_queue.h): every open task, access to
// children first, then by how much the answer could change who is seen first; `capacity` marks the
// day's tasks. Ranks every open subject's tasks on each call (their assessments and profiles read in
// chunks), so it costs more than a queue page on a large case.
Result<ApiReply> RankedResearchTasks(const ApiRequest& r, Case& c, ApiServices& services) {
  HT_ASSIGN_OR_RETURN(const std::int64_t limit, QueryNumber(r, "limit", 50, 1, 5000));
  HT_ASSIGN_OR_RETURN(const std::int64_t capacity, QueryNumber(r, "capacity", 0, 0, 100000));
  QueueViewContext context;
  HT_ASSIGN_OR_RETURN(auto rows, services.QueueRows(c, r.context.now, context));
  HT_ASSIGN_OR_RETURN(const RiskModel model, LoadCaseRiskModel(c));
  constexpr std::size_t kChunk = 500;
  std::vector<ResearchItem> items;
  for (std::size_t begin = 0; begin < rows->size(); begin += kChunk) {
    std::vector<QueueRow> chunk;
    for (std::size_t i = begin; i < std::min(rows->size(), begin + kChunk); ++i) {
      if ((*rows)[i].entry.open()) chunk.push_back((*rows)[i]);
    }
    HT_RETURN_IF_ERROR(FillAssessments(c, chunk));
    std::vector<std::string> researched;
    for (const QueueRow& row : chunk) {
      if (row.assessment && !row.assessment->research.empty()) researched.push_back(row.entry.subject_id);
    }
    HT_RETURN_IF_ERROR(c.ReadAheadProfiles(researched));
    HT_ASSIGN_OR_RETURN(auto ranked,
                        RankResearch(chunk, [&](const std::string& id) { return LoadSubjectProfile(c, id); }, model,
                                     context.now));
    items.insert(items.end(), ranked.begin(), ranked.end());
  }
  // Chunks ranked apart: one order over all of them, as RankResearch orders.
  std::sort(items.begin(), items.end(), ResearchBefore);
  const std::size_t total = items.size();
  for (std::size_t i = 0; i < items.size(); ++i) items[i].rank = i + 1;
  if (items.size() > static_cast<std::size_t>(limit)) items.resize(static_cast<std::size_t>(limit));
  json out = ResearchJson(items, context.now, static_cast<double>(capacity));
  out["total"] = total;
  out["limit"] = limit;
  return ApiReply{200, out, "", ""};
}

Result<ApiReply> SubjectList(const ApiRequest& r, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(const std::int64_t offset, QueryNumber(r, "offset", 0, 0, 1'000'000'000));
  HT_ASSIGN_OR_RETURN(const std::int64_t limit, QueryNumber(r, "limit", 100, 1, 1000));
  HT_ASSIGN_OR_RETURN(auto list, subjects::BuildSubjectList(c));
  nlohmann::ordered_json page = nlohmann::ordered_json::array();
  const auto& all = list["subjects"];
  for (std::size_t i = offset; i < all.size() && page.size() < static_cast<std::size_t>(limit); ++i) {
    page.push_back(all[i]);
  }
  return ApiReply{200, json{{"subjects", json(page)}, {"offset", offset}, {"limit", limit}, {"total", all.size()}}, "",
                  ""};
}

Result<ApiReply> SubjectView(const ApiRequest& r, Case& c, ApiServices& services) {
  // Everything the view shows in a few round trips (a database server), not one per record.
  HT_RETURN_IF_ERROR(c.ReadAheadProfiles({r.path_params.at(0)}));
  HT_ASSIGN_OR_RETURN(auto view, subjects::BuildSubjectView(c, r.path_params.at(0), services.audit_history()));
  json out = json(view);
  const std::string id = view.contains("id") && view["id"].is_string() ? view["id"].get<std::string>() : r.path_params.at(0);
  HT_ASSIGN_OR_RETURN(auto entry, c.queue().Entry(id));
  out["queue_entry"] = entry ? QueueEntryToJson(*entry) : json(nullptr);
  out["version"] = entry ? json(QueueEntryVersion(*entry)) : json(nullptr);
  HT_ASSIGN_OR_RETURN(auto assessed, c.queue().LatestAssessment(id));
  out["assessment"] = assessed ? AssessmentToJson(assessed->assessment) : json(nullptr);
  return ApiReply{200, out, "", ""};
}

Result<ApiReply> Take(const ApiRequest& r, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(auto entry, TakeSubject(c, r.path_params.at(0), r.user, r.context));
  return ApiReply{200, json{{"queue_entry", QueueEntryToJson(entry)}, {"version", QueueEntryVersion(entry)}}, "", ""};
}

Result<ApiReply> Review(const ApiRequest& r, Case& c, ApiServices&) {
  ReviewRequest request;
  request.subject = r.path_params.at(0);
  Decision& d = request.decision;
  HT_ASSIGN_OR_RETURN(const std::string outcome, RequiredField(r.body, "outcome"));
  const auto parsed = ParseOutcome(outcome);
  if (!parsed) return Status::InvalidArgument("outcome must be investigate, no-further-action or keep");
  d.outcome = *parsed;
  const std::string band = OptionalField(r.body, "band");
  if (band == "model") {
    d.clear_override = true;
  } else if (!band.empty()) {
    d.band = ParseBand(band);
    if (!d.band) return Status::InvalidArgument("band must be very-high, high, medium, low or model");
  }
  if (d.outcome != Outcome::kKeep && !band.empty()) {
    return Status::InvalidArgument("a band goes with outcome keep (investigate and no-further-action close the entry)");
  }
  HT_ASSIGN_OR_RETURN(d.reason, RequiredField(r.body, "reason"));
  HT_ASSIGN_OR_RETURN(request.expected_version, RequiredField(r.body, "version"));
  d.assign = OptionalField(r.body, "assign");
  d.by = r.user;
  if (r.role == users::Role::kInvestigator) request.reviewer_must_own = r.user;
  HT_ASSIGN_OR_RETURN(auto reviewed, RecordReview(c, std::move(request), r.context));
  return ApiReply{200,
                  json{{"decision", DecisionToJson(reviewed.decision)},
                       {"queue_entry", QueueEntryToJson(reviewed.entry)},
                       {"version", QueueEntryVersion(reviewed.entry)}},
                  "", ""};
}

Result<ApiReply> Attributes(const ApiRequest& r, Case& c, ApiServices&) {
  subjects::AttributeInput input;
  input.subject = r.path_params.at(0);
  HT_ASSIGN_OR_RETURN(input.name, RequiredField(r.body, "name"));
  HT_ASSIGN_OR_RETURN(input.value, RequiredField(r.body, "value"));
  HT_ASSIGN_OR_RETURN(input.source, RequiredField(r.body, "source"));
  input.recorded_by = r.user;
  input.recorded_at = r.context.now;
  const std::string at = OptionalField(r.body, "recorded_at");
  if (!at.empty()) {
    HT_ASSIGN_OR_RETURN(input.recorded_at, ParseIso8601(at));
  }
  HT_ASSIGN_OR_RETURN(auto result, subjects::SetAttributes(c, {input}, r.context, json{{"action", "subject attr set"}, {"by", r.user}}));
  json stored = json::array();
  for (const auto& a : result.stored) stored.push_back({{"subject", a.subject}, {"name", a.name}, {"value", a.value}});
  return ApiReply{200, json{{"stored", stored}, {"rescored", result.rescored.ok()}}, "", ""};
}

// A manual link (one person) or unlink (not one person: never merged automatically), with its reason.
Result<ApiReply> LinkOrUnlink(const ApiRequest& r, Case& c, bool link) {
  const std::string& subject = r.path_params.at(0);
  HT_ASSIGN_OR_RETURN(const std::string other, RequiredField(r.body, "with"));
  HT_ASSIGN_OR_RETURN(const std::string reason, RequiredField(r.body, "reason"));
  if (link) {
    HT_ASSIGN_OR_RETURN(auto linked, subjects::LinkSubjects(c, subject, other, reason, r.user, r.context));
    return ApiReply{200, json{{"subject", linked.survivor}, {"rescored", linked.rescored.ok()}}, "", ""};
  }
  HT_ASSIGN_OR_RETURN(auto unlinked, subjects::UnlinkSubjects(c, subject, other, reason, r.user, r.context));
  return ApiReply{200,
                  json{{"constraint", unlinked.outcome.constraint_id},
                       {"split", unlinked.outcome.split},
                       {"subjects", unlinked.outcome.subjects},
                       {"rescored", unlinked.rescored.ok()}},
                  "", ""};
}
Result<ApiReply> Link(const ApiRequest& r, Case& c, ApiServices&) { return LinkOrUnlink(r, c, true); }
Result<ApiReply> Unlink(const ApiRequest& r, Case& c, ApiServices&) { return LinkOrUnlink(r, c, false); }

Result<ApiReply> DrawDipSample(const ApiRequest& r, Case& c, ApiServices&) {
  std::string date = OptionalField(r.body, "date");
  if (date.empty()) date = FormatDate(r.context.now);
  HT_ASSIGN_OR_RETURN(const std::int64_t day, ParseIso8601(date));
  std::size_t size = 10;
  if (r.body.is_object() && r.body.contains("size")) {
    if (!r.body["size"].is_number_unsigned() || r.body["size"].get<std::size_t>() > 1000) {
      return Status::InvalidArgument("size must be a whole number from 0 to 1000");
    }
    size = r.body["size"].get<std::size_t>();
  }
  HT_ASSIGN_OR_RETURN(auto drawn, DrawDailyDipSample(c, FormatDate(day), size, r.context));
  json out = DipSampleToJson(drawn.draw);
  out["repeat"] = drawn.repeat;
  return ApiReply{200, out, "", ""};
}

// The draws of one day (?date=) or of a period (?from=&to=, inclusive), each with its outcomes, and the
// total over them.
Result<ApiReply> DipSampleOutcomes(const ApiRequest& r, Case& c, ApiServices&) {
  std::map<std::string, std::string> days;
  for (const char* name : {"date", "from", "to"}) {
    if (!r.query.count(name) || r.query.at(name).empty()) continue;
    HT_ASSIGN_OR_RETURN(const std::int64_t day, ParseIso8601(r.query.at(name)));
    days[name] = FormatDate(day);
  }
  HT_ASSIGN_OR_RETURN(auto draws, c.queue().DipSamples(days["date"]));
  HT_ASSIGN_OR_RETURN(auto decisions, c.queue().Decisions());
  const risk::DipSampleReport report = ReportDipSamples(draws, decisions, days["from"], days["to"]);
  json list = json::array();
  for (const auto& [draw, summary] : report.draws) {
    json j = DipSampleToJson(draw);
    j["summary"] = DipSummaryToJson(summary);
    list.push_back(std::move(j));
  }
  return ApiReply{200, json{{"draws", list}, {"total", DipSummaryToJson(report.total)}}, "", ""};
}

Result<ApiReply> QueueForecast(const ApiRequest& r, Case& c, ApiServices&) {
  CaseForecastRequest request;
  HT_ASSIGN_OR_RETURN(const std::int64_t capacity, QueryNumber(r, "capacity", 10, 1, 100000));
  request.capacity_per_day = static_cast<double>(capacity);
  HT_ASSIGN_OR_RETURN(const std::int64_t days, QueryNumber(r, "days", 90, 1, 3650));
  request.days = static_cast<int>(days);
  HT_ASSIGN_OR_RETURN(const std::int64_t window, QueryNumber(r, "window", 28, 1, 3650));
  request.window_days = static_cast<int>(window);
  if (r.query.count("intake")) {
    HT_ASSIGN_OR_RETURN(const std::int64_t intake, QueryNumber(r, "intake", 0, 0, 1000000));
    request.intake_total_per_day = static_cast<double>(intake);
  }
  HT_ASSIGN_OR_RETURN(const Forecast forecast, ForecastCase(c, r.context.now, request));
  return ApiReply{200, ForecastToJson(forecast), "", ""};
}

Result<ApiReply> ExportQueueCsv(const ApiRequest& r, Case& c, ApiServices& services) {
  QueueViewContext context;
  HT_ASSIGN_OR_RETURN(auto shared_rows, services.QueueRows(c, r.context.now, context));
  std::vector<QueueRow> rows = *shared_rows;
  HT_RETURN_IF_ERROR(FillAssessments(c, rows));
  return ApiReply{200, json(), QueueCsv(rows, context), "text/csv; charset=utf-8"};
}

// The whole queue as `export queue --format json|html` writes it (the HTML page has no script or image).
Result<ApiReply> ExportQueueAs(const ApiRequest& r, Case& c, ApiServices& services, bool html) {
  QueueViewContext context;
  HT_ASSIGN_OR_RETURN(auto shared_rows, services.QueueRows(c, r.context.now, context));
  std::vector<QueueRow> rows = *shared_rows;
  HT_RETURN_IF_ERROR(FillAssessments(c, rows));
  if (html) return ApiReply{200, json(), QueueHtml(rows, context), "text/html; charset=utf-8"};
  return ApiReply{200, json(QueueJson(rows, context)), "", ""};
}
Result<ApiReply> ExportQueueJson(const ApiRequest& r, Case& c, ApiServices& s) { return ExportQueueAs(r, c, s, false); }
Result<ApiReply> ExportQueueHtml(const ApiRequest& r, Case& c, ApiServices& s) { return ExportQueueAs(r, c, s, true); }

// Matched media as VICS 2.0 JSON, as `export vics` writes it, with the supervisor as the contact.
Result<ApiReply> ExportVics(const ApiRequest& r, Case& c, ApiServices&) {
  VicsExportOptions options;
  options.contact = r.user;
  if (r.query.count("profile")) options.profile = r.query.at("profile");
  HT_ASSIGN_OR_RETURN(const VicsExport vics, BuildVicsExport(c, options));
  return ApiReply{200, json(vics.document), "", ""};
}

}  // namespace

std::vector<Route> WorkRoutes() {
  return {
      {"GET", "/api/v1/queue", Action::kReadQueue, QueuePage},
      {"GET", "/api/v1/subjects", Action::kReadSubject, SubjectList},
      {"GET", "/api/v1/subjects/([^/]+)", Action::kReadSubject, SubjectView},
      {"POST", "/api/v1/subjects/([^/]+)/take", Action::kTakeSubject, Take},
      {"POST", "/api/v1/subjects/([^/]+)/review", Action::kReview, Review},
      {"POST", "/api/v1/subjects/([^/]+)/attributes", Action::kEnrichSubject, Attributes},
      {"GET", "/api/v1/research", Action::kReadResearch, ResearchTasks},
      {"GET", "/api/v1/research/ranked", Action::kReadResearch, RankedResearchTasks},
      {"POST", "/api/v1/subjects/([^/]+)/link", Action::kEnrichSubject, Link},
      {"POST", "/api/v1/subjects/([^/]+)/unlink", Action::kEnrichSubject, Unlink},
      {"POST", "/api/v1/dip-sample", Action::kDipSample, DrawDipSample},
      {"GET", "/api/v1/dip-sample", Action::kDipSample, DipSampleOutcomes},
      {"GET", "/api/v1/forecast", Action::kForecast, QueueForecast},
      {"GET", "/api/v1/exports/queue.csv", Action::kExport, ExportQueueCsv},
      {"GET", "/api/v1/exports/queue.json", Action::kExport, ExportQueueJson},
      {"GET", "/api/v1/exports/queue.html", Action::kExport, ExportQueueHtml},
      {"GET", "/api/v1/exports/vics.json", Action::kExport, ExportVics},
  };
}

}  // namespace hashtriage::engine::serve

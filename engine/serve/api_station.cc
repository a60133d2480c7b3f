// Stations through the API: begin (or find again) a submission, send its file records in order, finish
// it, and list what this station submitted (a station sees only its own); and, for supervisors, every
// station's results. Bodies are CBOR (records
// carry binary query hashes). Each handler calls engine/scan/station_submissions.h.
#include <algorithm>

#include "engine/case/kv/evidence_json.h"
#include "engine/scan/scan_report.h"
#include "engine/scan/station_submissions.h"
#include "engine/serve/api.h"
#include "engine/time_util.h"

namespace hashtriage::engine::serve {

namespace {

using nlohmann::json;

json StateJson(const SubmissionState& s) {
  return json{{"evidence", s.evidence}, {"next_seq", s.next_seq}, {"finished", s.finished}};
}

Result<std::uint32_t> EvidenceNumber(const ApiRequest& r) {
  const std::string& text = r.path_params.at(0);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("'" + text + "' is not an evidence number");
  }
  return static_cast<std::uint32_t>(std::stoul(text));
}

Result<EvidenceRecord> EvidenceField(const ApiRequest& r) {
  if (!r.body.is_object() || !r.body.contains("evidence")) return Status::InvalidArgument("the request needs \"evidence\"");
  auto record = kv::EvidenceRecordFromJson(r.body["evidence"]);
  if (!record.ok()) return Status::InvalidArgument("\"evidence\": " + record.status().message());
  return *record;
}

Result<ApiReply> Begin(const ApiRequest& r, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(const EvidenceRecord record, EvidenceField(r));
  HT_ASSIGN_OR_RETURN(const SubmissionState state, BeginSubmission(c, r.user, record, r.context));
  return ApiReply{200, StateJson(state), "", ""};
}

Result<ApiReply> Files(const ApiRequest& r, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(const std::uint32_t number, EvidenceNumber(r));
  if (!r.body.is_object() || !r.body.contains("records") || !r.body["records"].is_array()) {
    return Status::InvalidArgument("the request needs \"records\": an array of file records");
  }
  std::vector<FileRecord> records;
  for (const auto& j : r.body["records"]) {
    auto record = kv::FileRecordFromJson(j);
    if (!record.ok()) return Status::InvalidArgument("a file record: " + record.status().message());
    records.push_back(std::move(*record));
  }
  HT_ASSIGN_OR_RETURN(const SubmissionState state, StoreSubmittedFiles(c, r.user, number, records, r.context));
  return ApiReply{200, StateJson(state), "", ""};
}

Result<ApiReply> Finish(const ApiRequest& r, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(const std::uint32_t number, EvidenceNumber(r));
  HT_ASSIGN_OR_RETURN(const EvidenceRecord record, EvidenceField(r));
  if (!r.body.contains("records_total") || !r.body["records_total"].is_number_unsigned()) {
    return Status::InvalidArgument("the request needs \"records_total\"");
  }
  HT_ASSIGN_OR_RETURN(const SubmissionState state,
                      FinishSubmission(c, r.user, number, record, r.body["records_total"].get<std::uint64_t>(), r.context));
  return ApiReply{200, StateJson(state), "", ""};
}

Result<ApiReply> OwnSubmissions(const ApiRequest& r, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(auto own, SubmissionsOf(c, r.user));
  json list = json::array();
  for (const auto& e : own) {
    HT_ASSIGN_OR_RETURN(const std::uint64_t records, c.evidence().ResumePoint(e.number));
    list.push_back({{"evidence", e.number},
                    {"id", e.id},
                    {"source", e.source},
                    {"status", EvidenceStatusName(e.status)},
                    {"records", records},  // file records held (files, embedded thumbnails, errors)
                    {"files", e.counts.files},
                    {"carved", e.counts.carved},
                    {"thumbnails", e.counts.thumbnails},
                    {"videos", e.counts.videos},
                    {"files_with_hits", e.counts.files_with_hits},
                    {"started", FormatIso8601(e.started_utc)}});
  }
  return ApiReply{200, json{{"submissions", list}}, "", ""};
}

// Every station's submitted evidence, newest first: the verdict a kiosk gave, hits by category, when,
// and the index version it was matched against.
Result<ApiReply> StationResults(const ApiRequest&, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(auto all, c.evidence().List());
  json list = json::array();
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.started_utc > b.started_utc; });
  for (const auto& e : all) {
    if (e.submitted_by.empty()) continue;
    json by_category = json::object();
    for (int k = 0; k < index::kCategoryCount; ++k) {
      const auto n = e.counts.by_category[k].exact + e.counts.by_category[k].near;
      if (n > 0) by_category[std::string(index::CategoryName(static_cast<index::Category>(k)))] = n;
    }
    list.push_back({{"station", e.submitted_by},
                    {"evidence", e.number},
                    {"id", e.id},
                    {"status", EvidenceStatusName(e.status)},
                    {"known_material", HasKnownMaterial(e.counts)},
                    {"hits_by_category", by_category},
                    {"files", e.counts.files},
                    {"carved", e.counts.carved},
                    {"thumbnails", e.counts.thumbnails},
                    {"videos", e.counts.videos},
                    {"files_with_hits", e.counts.files_with_hits},
                    {"started", FormatIso8601(e.started_utc)},
                    {"index", e.matched_against.digest}});
  }
  return ApiReply{200, json{{"submissions", list}}, "", ""};
}

}  // namespace

std::vector<Route> StationRoutes() {
  return {
      {"POST", "/api/v1/station/submissions", Action::kSubmitScan, Begin},
      {"POST", "/api/v1/station/submissions/([^/]+)/files", Action::kSubmitScan, Files},
      {"POST", "/api/v1/station/submissions/([^/]+)/finish", Action::kSubmitScan, Finish},
      {"GET", "/api/v1/station/submissions", Action::kReadOwnScans, OwnSubmissions},
      {"GET", "/api/v1/stations", Action::kReadStations, StationResults},
  };
}

}  // namespace hashtriage::engine::serve

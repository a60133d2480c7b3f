// Referral intake through the API: a station (a unit's intake workstation) sends one referral file as
// it came from the provider (CBOR: {"file": name, "content": bytes}); the server runs the same intake
// the `intake` command runs (engine/subjects/intake_run.h) against the case and its known-image index,
// under the station's name, and answers with the tallies and the first bad records. Re-sending a file
// is safe: referrals already stored are recognised and skipped, so a submission cut off by a network
// loss or a server restart is simply sent again. The file is parsed by the server's hardened readers in
// a private scratch file that is removed afterwards; it is never kept.
#include <cstdio>

#include "engine/progress.h"
#include "engine/serve/api.h"
#include "engine/serve/upload_scratch.h"
#include "engine/subjects/intake_run.h"
#include "engine/time_util.h"
#include "index/known_index.h"

namespace hashtriage::engine::serve {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxReportedRecords = 20;

Result<ApiReply> IntakeFile(const ApiRequest& r, Case& c, ApiServices& services) {
  if (!r.body.contains("file") || !r.body["file"].is_string()) return Status::InvalidArgument("the request needs \"file\"");
  if (!r.body.contains("content") || !r.body["content"].is_binary()) {
    return Status::InvalidArgument("the request needs \"content\" (the file's bytes)");
  }
  HT_ASSIGN_OR_RETURN(auto scratch, UploadScratch::Write(c, r.body["file"].get<std::string>(), "referrals", r.body["content"]));
  const std::string& name = scratch->name();

  std::unique_ptr<index::KnownIndex> known;
  if (!services.index_dir().empty()) {
    index::IndexOptions index_options;
    index_options.path = services.index_dir();
    auto opened = index::KnownIndex::Open(index_options);
    if (!opened.ok() && opened.status().code() != StatusCode::kNotFound) return opened.status();
    if (opened.ok()) known = std::move(opened).value();
  }
  subjects::IntakeRunOptions options;
  options.reader.parse_time = [](std::string_view text) { return ParseIso8601(text); };
  options.session.by = r.user;
  json bad = json::array(), file_errors = json::array();
  subjects::IntakeObserver observer;
  observer.bad_record = [&](const std::string&, const ingest::ReferralRecord& record, const std::string& message) {
    if (bad.size() < kMaxReportedRecords) bad.push_back({{"record", record.number}, {"line", record.line}, {"error", message}});
  };
  observer.file_error = [&](const std::string&, const std::string& message) { file_errors.push_back(message); };
  Progress quiet("intake", 0, /*enabled=*/false);
  HT_ASSIGN_OR_RETURN(auto result, subjects::RunIntake(c, known.get(), {scratch->path()}, options, r.context,
                                                       observer, quiet));
  json reply{{"file", name},
             {"referrals_stored", result.stored},
             {"already_ingested", result.duplicates},
             {"bad_records", result.bad},
             {"new_subjects", result.new_subjects},
             {"merges", result.merges},
             {"subjects_affected", result.affected.size()},
             {"files_with_known_images", result.hits},
             {"rescored", result.rescored.ok()},
             {"first_bad_records", bad},
             {"file_errors", file_errors}};
  return ApiReply{200, reply, "", ""};
}

}  // namespace

std::vector<Route> IntakeRoutes() {
  return {{"POST", "/api/v1/station/intake", Action::kSubmitScan, IntakeFile}};
}

}  // namespace hashtriage::engine::serve

// The known-image index through the API (admin): the sets with their versions and entry counts, importing
// a set from an uploaded hash list (CBOR or JSON: {"set", "format", "category", "file", "content", ...};
// the same options and checks as `index import`), removing a set (with a library set's derived sets), and
// re-matching the case against the index as it now is (`rematch`). Each change is written to the case's
// audit log under the admin's name, with the index version it produced. The upload is read by the
// hardened importers from a private scratch file that is removed afterwards; the server never reads a
// file a request names. A set larger than a request may carry (16 MB) is imported on the server host
// with `hashtriage index import`, which works while serve runs (serve opens the index per request).
#include "engine/case/audit_log.h"
#include "engine/case/conflict_retry.h"
#include "engine/matching/index_admin.h"
#include "engine/matching/index_stamp.h"
#include "engine/scan/rematch.h"
#include "engine/serve/api.h"
#include "engine/serve/upload_scratch.h"
#include "index/known_index.h"

namespace hashtriage::engine::serve {

namespace {

using nlohmann::json;

// The index as it is now, read-only; `for_matching` also loads what matching needs (PDQ search, filters).
Result<std::unique_ptr<index::KnownIndex>> OpenForReading(const ApiServices& services, bool for_matching = false) {
  if (services.index_dir().empty()) return Status::NotFound("this server was started without --index");
  index::IndexOptions io;
  io.path = services.index_dir();
  io.read_only = true;
  io.exact_filter = for_matching;
  io.load_pdq = for_matching;
  return index::KnownIndex::Open(io);
}

// The index version now (its digest and sets), and every set in full.
Result<json> IndexJson(const ApiServices& services) {
  HT_ASSIGN_OR_RETURN(auto idx, OpenForReading(services));
  json out = StampOf(*idx).ToJson();
  json details = json::array();
  for (const auto& s : idx->ListSets()) details.push_back(json(SetInfoJson(s)));
  out["set_details"] = details;
  return out;
}

Status Audit(Case& c, const ApiRequest& r, json details) {
  details["by"] = r.user;
  return RetryOnConflict(c, [&]() -> Status {
    auto txn = c.Begin();
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(r.context, details)));
    (void)entry;
    return txn->Commit();
  });
}

// What an index change failed of, as the admin should read it: the upload's fault (400), another import
// at work (409), or the server's.
Status AsRequestError(const Status& s, const std::string& scratch_dir) {
  std::string message = s.message();
  for (std::size_t at; !scratch_dir.empty() && (at = message.find(scratch_dir + "/")) != std::string::npos;) {
    message.erase(at, scratch_dir.size() + 1);
  }
  if (s.code() == StatusCode::kCorruption) return Status::InvalidArgument(message);
  if (s.code() == StatusCode::kIOError && message.find("lock") != std::string::npos) {
    return Status::Conflict("the index is being changed by another import; try again when it has finished");
  }
  return Status(s.code(), message);
}

Result<ApiReply> ListSets(const ApiRequest&, Case&, ApiServices& services) {
  HT_ASSIGN_OR_RETURN(json out, IndexJson(services));
  return ApiReply{200, out, "", ""};
}

Result<ApiReply> ImportSet(const ApiRequest& r, Case& c, ApiServices& services) {
  if (services.index_dir().empty()) return Status::NotFound("this server was started without --index");
  HT_ASSIGN_OR_RETURN(const std::string set, RequiredField(r.body, "set"));
  IndexImportSpec spec;
  HT_ASSIGN_OR_RETURN(spec.format, RequiredField(r.body, "format"));
  spec.category = OptionalField(r.body, "category");
  if (const std::string map = OptionalField(r.body, "category_map"); !map.empty()) spec.category_map = map;
  spec.allow_map_file = false;
  spec.columns = OptionalField(r.body, "columns");
  spec.delimiter = OptionalField(r.body, "delimiter");
  if (r.body.contains("strict")) {
    if (!r.body["strict"].is_boolean()) return Status::InvalidArgument("strict must be true or false");
    spec.strict = r.body["strict"].get<bool>();
  }
  HT_ASSIGN_OR_RETURN(index::ImportOptions options, ImportOptionsFor(spec));
  if (!r.body.contains("content") || !(r.body["content"].is_binary() || r.body["content"].is_string())) {
    return Status::InvalidArgument("the request needs \"content\" (the hash list's bytes)");
  }
  HT_ASSIGN_OR_RETURN(auto scratch, UploadScratch::Write(c, OptionalField(r.body, "file"), "hash-set", r.body["content"]));
  const std::string& name = scratch->name();
  options.source_names = {name};
  auto imported = ImportIndexSet(services.index_dir(), set, {scratch->path()}, options, 0);
  if (!imported.ok()) return AsRequestError(imported.status(), scratch->directory());
  json out = json(ImportSummaryJson(*imported));
  HT_ASSIGN_OR_RETURN(json now, IndexJson(services));
  HT_RETURN_IF_ERROR(Audit(c, r, {{"action", "index import"}, {"set", set}, {"file", name},
                                  {"generation", out["set"]["generation"]}, {"entries", out["entries_added"]},
                                  {"records_rejected", out["records_rejected"]}, {"index", now["sha256"]}}));
  out["index"] = now;
  out["rematch_needed"] = true;  // the case's results were matched against the previous version
  return ApiReply{201, out, "", ""};
}

Result<ApiReply> RemoveSet(const ApiRequest& r, Case& c, ApiServices& services) {
  if (services.index_dir().empty()) return Status::NotFound("this server was started without --index");
  const std::string& set = r.path_params.at(0);
  auto removed = RemoveIndexSet(services.index_dir(), set);
  if (!removed.ok()) return AsRequestError(removed.status(), "");
  HT_ASSIGN_OR_RETURN(json now, IndexJson(services));
  HT_RETURN_IF_ERROR(Audit(c, r, {{"action", "index remove"}, {"set", set}, {"removed", *removed}, {"index", now["sha256"]}}));
  return ApiReply{200, json{{"removed", *removed}, {"index", now}, {"rematch_needed", true}}, "", ""};
}

Result<ApiReply> Rematch(const ApiRequest& r, Case& c, ApiServices& services) {
  HT_ASSIGN_OR_RETURN(auto idx, OpenForReading(services, /*for_matching=*/true));
  HT_ASSIGN_OR_RETURN(const RematchReport report, RematchCase(c, *idx, r.context));
  return ApiReply{200, RematchReportJson(report), "", ""};
}

}  // namespace

std::vector<Route> IndexRoutes() {
  return {
      {"GET", "/api/v1/index", Action::kReadIndex, ListSets},
      {"POST", "/api/v1/index/sets", Action::kManageIndex, ImportSet},
      {"DELETE", "/api/v1/index/sets/([^/]+)", Action::kManageIndex, RemoveSet},
      {"POST", "/api/v1/rematch", Action::kManageIndex, Rematch},
  };
}

}  // namespace hashtriage::engine::serve

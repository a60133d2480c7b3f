// `hashtriage case init|status`, `hashtriage audit verify|show` and `hashtriage export files`: the case
// workspace, its hash-chained audit log, and the per-file records of every scan. Paths, file names and
// command lines are printed in their terminal form and CSV cells go through the shared neutraliser
// (engine/text/untrusted_text.h).
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/audit_log.h"
#include "engine/case_store.h"
#include "engine/cli/commands.h"
#include "engine/record_codec.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

struct CaseCommandOptions {
  std::string case_dir;
  std::string now;
  bool json = false;
  std::string command_line;
};

Result<std::unique_ptr<engine::CaseStore>> OpenCase(const std::string& dir, bool read_only) {
  engine::CaseOptions options;
  options.path = dir;
  options.read_only = read_only;
  options.create_if_missing = false;
  return engine::CaseStore::Open(options);
}

Result<int> RunCaseInit(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(std::int64_t now, engine::ResolveNow(o.now));
  engine::CaseOptions options;
  options.path = o.case_dir;
  HT_ASSIGN_OR_RETURN(auto store, engine::CaseStore::Open(options));
  HT_ASSIGN_OR_RETURN(auto created, store->Get(engine::Table::kMeta, "created"));
  if (created) {
    std::printf("case %s already exists (created %s)\n", store->path().c_str(), created->c_str());
    return kExitOk;
  }
  HT_RETURN_IF_ERROR(store->Put(engine::Table::kMeta, "created", engine::FormatIso8601(now)));
  HT_ASSIGN_OR_RETURN(auto entry, engine::AppendAudit(*store, now, o.command_line, {{"action", "case init"}}));
  std::printf("created case %s\n", store->path().c_str());
  return kExitOk;
}

Result<int> RunCaseStatus(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, true));
  nlohmann::json status;
  status["case"] = store->path();
  auto& evidence = status["evidence"] = nlohmann::json::array();
  HT_RETURN_IF_ERROR(store->Scan(engine::Table::kEvidence, "", [&](std::string_view, std::string_view value) {
    auto j = engine::DecodeRecord(value);
    if (j.ok()) {
      j->erase("identity");
      evidence.push_back(*j);
    }
    return true;
  }));
  const auto verification = engine::VerifyAudit(*store);
  status["audit_entries"] = verification.entries;
  status["audit_intact"] = verification.intact;
  if (o.json) {
    std::printf("%s\n", status.dump(2).c_str());
    return kExitOk;
  }
  std::printf("case %s\n", engine::TerminalText(store->path()).c_str());
  for (const auto& e : evidence) {
    std::printf("  evidence %d [%s] %s: %s, %llu files, %llu images, %llu errors, %llu with hits%s%s\n",
                e.value("number", 0), engine::TerminalText(e.value("type", "")).c_str(),
                engine::TerminalText(e.value("source", "")).c_str(), engine::TerminalText(e.value("status", "")).c_str(),
                static_cast<unsigned long long>(e.value("files", 0ull)),
                static_cast<unsigned long long>(e.value("images", 0ull)),
                static_cast<unsigned long long>(e.value("errors", 0ull)),
                static_cast<unsigned long long>(e.value("files_with_hits", 0ull)),
                e.value("subject", "").empty() ? "" : ", subject ",
                engine::TerminalText(e.value("subject", "")).c_str());
  }
  std::printf("  audit log: %llu entries, %s\n", static_cast<unsigned long long>(verification.entries),
              verification.intact ? "intact" : "DAMAGED (run 'hashtriage audit verify')");
  return kExitOk;
}

Result<int> RunAuditVerify(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, true));
  const auto v = engine::VerifyAudit(*store);
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"intact", v.intact}, {"entries", v.entries}, {"problems", v.problems}}.dump(2).c_str());
  } else {
    for (const auto& p : v.problems) std::printf("audit: %s\n", engine::TerminalText(p).c_str());
    std::printf("audit log %s: %llu entries\n", v.intact ? "intact" : "DAMAGED", static_cast<unsigned long long>(v.entries));
  }
  return v.intact ? kExitOk : kExitFailure;
}

Result<int> RunAuditShow(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, true));
  for (const auto& e : engine::ReadAudit(*store)) {
    if (o.json) {
      std::printf("%s\n", engine::AuditEntryToJson(e).dump().c_str());
    } else {
      std::printf("%llu  %s  %s@%s  %s\n", static_cast<unsigned long long>(e.seq), engine::FormatIso8601(e.time).c_str(),
                  engine::TerminalText(e.user).c_str(), engine::TerminalText(e.host).c_str(),
                  engine::TerminalText(e.command).c_str());
    }
  }
  return kExitOk;
}

struct ExportFilesOptions {
  std::string case_dir;
  std::string format = "jsonl";
  std::string out;
  bool hits_only = false;
};

// Numbers in a file record are hashtriage's own (sizes, dimensions, PDQ quality): written as numbers.
// Everything else (paths, names from the device, errors, hits) is text for the shared neutraliser.
std::string CsvField(const nlohmann::json& v) {
  if (v.is_number()) return v.dump();
  return engine::CsvTextCell(v.is_null()     ? ""
                             : v.is_string() ? v.get<std::string>()
                                             : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<int> RunExportFiles(const ExportFilesOptions& o) {
  if (o.format != "jsonl" && o.format != "csv") return Status::InvalidArgument("--format must be jsonl or csv");
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, true));
  std::ofstream file;
  if (!o.out.empty()) {
    file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!file) return Status::IOError(o.out + ": cannot write");
  }
  auto emit = [&](const std::string& line) {
    if (file.is_open()) file << line;
    else std::fwrite(line.data(), 1, line.size(), stdout);
  };
  static const char* kColumns[] = {"evidence", "path", "original_path", "kind", "size", "created", "modified",
                                   "accessed", "deleted", "carved", "inside_archive", "md5", "sha1", "sha256",
                                   "xxh3_128", "pdq", "pdq_quality", "width", "height", "format", "error", "hits"};
  if (o.format == "csv") {
    std::string header;
    for (const char* c : kColumns) header += std::string(header.empty() ? "" : ",") + c;
    emit(header + "\n");
  }
  Status decode_status;
  HT_RETURN_IF_ERROR(store->Scan(engine::Table::kFiles, "", [&](std::string_view, std::string_view value) {
    auto j = engine::DecodeRecord(value);
    if (!j.ok()) {
      decode_status = j.status();
      return false;
    }
    j->erase("size_read");
    if (o.hits_only && (*j)["hits"].empty()) return true;
    if (o.format == "jsonl") {
      // Key order as written by the scan (CBOR keeps insertion order only in ordered_json): rebuild it.
      nlohmann::ordered_json ordered;
      for (const char* c : kColumns) ordered[c] = (*j)[c];
      if (j->contains("anomaly")) ordered["anomaly"] = (*j)["anomaly"];
      emit(ordered.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    } else {
      std::string line;
      bool first = true;
      for (const char* c : kColumns) {
        if (!first) line += ",";
        first = false;
        line += CsvField((*j)[c]);
      }
      emit(line + "\n");
    }
    return true;
  }));
  HT_RETURN_IF_ERROR(decode_status);
  return kExitOk;
}

}  // namespace

void SetupCaseCommands(CLI::App& app, CommandExit& exit) {
  CLI::App* case_app = SubcommandGroup(app, "case", "The case workspace");
  auto init = std::make_shared<CaseCommandOptions>();
  CLI::App* init_cmd = case_app->add_subcommand("init", "Create a case workspace (directory created 0700)");
  AddCaseOption(init_cmd, init->case_dir);
  AddNowOption(init_cmd, init->now);
  init_cmd->callback([init, &exit]() {
    init->command_line = exit.command_line;
    RecordOutcome(RunCaseInit(*init), exit);
  });
  auto status = std::make_shared<CaseCommandOptions>();
  CLI::App* status_cmd = case_app->add_subcommand("status", "Evidence scanned into the case and the audit log state");
  AddCaseOption(status_cmd, status->case_dir);
  status_cmd->add_flag("--json", status->json, "JSON output");
  status_cmd->callback([status, &exit]() { RecordOutcome(RunCaseStatus(*status), exit); });

  CLI::App* audit_app = SubcommandGroup(app, "audit", "The case's hash-chained audit log");
  auto verify = std::make_shared<CaseCommandOptions>();
  CLI::App* verify_cmd = audit_app->add_subcommand("verify", "Check that no audit entry was edited, deleted or reordered");
  AddCaseOption(verify_cmd, verify->case_dir);
  verify_cmd->add_flag("--json", verify->json, "JSON output");
  verify_cmd->callback([verify, &exit]() { RecordOutcome(RunAuditVerify(*verify), exit); });
  auto show = std::make_shared<CaseCommandOptions>();
  CLI::App* show_cmd = audit_app->add_subcommand("show", "Print the audit log");
  AddCaseOption(show_cmd, show->case_dir);
  show_cmd->add_flag("--json", show->json, "JSON Lines output");
  show_cmd->callback([show, &exit]() { RecordOutcome(RunAuditShow(*show), exit); });

  CLI::App* export_app = SubcommandGroup(app, "export", "Export case data");
  auto files = std::make_shared<ExportFilesOptions>();
  CLI::App* files_cmd = export_app->add_subcommand("files", "One record per scanned item (hashes and metadata, never content)");
  AddCaseOption(files_cmd, files->case_dir);
  files_cmd->add_option("--format", files->format, "jsonl (default) or csv");
  files_cmd->add_option("--out", files->out, "Write to FILE instead of standard output");
  files_cmd->add_flag("--hits-only", files->hits_only, "Only items that matched the known-image index");
  files_cmd->callback([files, &exit]() { RecordOutcome(RunExportFiles(*files), exit); });
}

}  // namespace hashtriage::cli

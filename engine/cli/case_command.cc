// `hashtriage case init|status`, `hashtriage audit verify|show` and `hashtriage export files`: the case
// workspace, its hash-chained audit log, and the per-file records of every scan. Paths, file names and
// command lines are printed in their terminal form and CSV cells go through the shared neutraliser
// (engine/text/untrusted_text.h).
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/case/audit_log.h"
#include "engine/case/case_settings.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/cli/commands.h"
#include "engine/scan/file_export.h"
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

Result<int> RunCaseInit(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  engine::CaseOptions options;
  options.location = o.case_dir;
  HT_ASSIGN_OR_RETURN(auto store, engine::OpenCase(options));
  HT_ASSIGN_OR_RETURN(auto created, store->settings().Created());
  if (created) {
    std::printf("case %s already exists (created %s)\n", engine::TerminalText(store->location()).c_str(), engine::FormatIso8601(*created).c_str());
    return kExitOk;
  }
  auto txn = store->Begin();
  store->settings().SetCreated(*txn, context.now);
  HT_ASSIGN_OR_RETURN(auto entry, store->audit().Append(*txn, engine::MakeAuditEntry(context, {{"action", "case init"}})));
  (void)entry;
  HT_RETURN_IF_ERROR(txn->Commit());
  std::printf("created case %s\n", engine::TerminalText(store->location()).c_str());
  return kExitOk;
}

nlohmann::json EvidenceJson(const engine::EvidenceRecord& e) {
  nlohmann::json categories = nlohmann::json::object();
  for (int c = 0; c < index::kCategoryCount; ++c) {
    const auto& n = e.counts.by_category[c];
    if (n.exact + n.near == 0) continue;
    categories[std::string(index::CategoryName(static_cast<index::Category>(c)))] = {{"exact", n.exact}, {"near", n.near}};
  }
  return nlohmann::json{{"number", e.number},
                        {"id", e.id},
                        {"source", e.source},
                        {"type", e.type},
                        {"status", std::string(engine::EvidenceStatusName(e.status))},
                        {"fingerprint", {{"id", e.fingerprint.Id()},
                                         {"kind", e.fingerprint.kind},
                                         {"size", e.fingerprint.size},
                                         {"inode", e.fingerprint.inode},
                                         {"head_tail_sha256", e.fingerprint.head_tail_sha256},
                                         {"tree_sha256", e.fingerprint.tree_sha256},
                                         {"tree_entries", e.fingerprint.tree_entries},
                                         {"describe", e.fingerprint.Describe()}}},
                        {"subject", e.subject},
                        {"examiner", e.examiner},
                        {"started", engine::FormatIso8601(e.started)},
                        {"finished", e.finished ? nlohmann::json(engine::FormatIso8601(e.finished)) : nlohmann::json(nullptr)},
                        {"files", e.counts.files},
                        {"images", e.counts.images},
                        {"carved", e.counts.carved},
                        {"thumbnails", e.counts.thumbnails},
                        {"videos", e.counts.videos},
                        {"errors", e.counts.errors},
                        {"files_with_hits", e.counts.files_with_hits},
                        {"categories", categories},
                        {"integrity", {{"computed", e.integrity.computed},
                                       {"md5", e.integrity.md5},
                                       {"sha1", e.integrity.sha1},
                                       {"bytes", e.integrity.bytes},
                                       {"stored_hash_check", e.integrity.stored_hash_check},
                                       {"not_computed", e.integrity.not_computed},
                                       {"text", e.integrity.Text()}}},
                        {"verified_at_end", {{"state", e.verified_at_end.state},
                                             {"method", e.verified_at_end.method},
                                             {"detail", e.verified_at_end.detail}}},
                        {"index", e.matched_against.ToJson()},
                        {"rematches", e.rematches.size()},
                        {"error", e.error}};
}

Result<int> RunCaseStatus(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, true));
  HT_ASSIGN_OR_RETURN(auto evidence, store->evidence().List());
  const auto verification = engine::VerifyAudit(store->audit());
  if (o.json) {
    nlohmann::json status{{"case", store->location()}, {"evidence", nlohmann::json::array()},
                          {"audit_entries", verification.entries}, {"audit_intact", verification.intact}};
    for (const auto& e : evidence) status["evidence"].push_back(EvidenceJson(e));
    std::printf("%s\n", status.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  std::map<std::string, int> at_path;
  for (const auto& e : evidence) ++at_path[e.source_absolute];
  std::printf("case %s\n", engine::TerminalText(store->location()).c_str());
  for (const auto& e : evidence) {
    const std::string status = e.status == engine::EvidenceStatus::kRunning
                                   ? "interrupted or running (run the same scan again to resume)"
                                   : std::string(engine::EvidenceStatusName(e.status));
    std::printf("  evidence %u %s [%s] %s: %s, %llu files, %llu images, %llu errors, %llu with hits%s%s\n", e.number,
                engine::TerminalText(e.id).c_str(), e.type.c_str(), engine::TerminalText(e.source).c_str(), status.c_str(),
                static_cast<unsigned long long>(e.counts.files), static_cast<unsigned long long>(e.counts.images),
                static_cast<unsigned long long>(e.counts.errors), static_cast<unsigned long long>(e.counts.files_with_hits),
                e.subject.empty() ? "" : ", subject ", engine::TerminalText(e.subject).c_str());
    std::printf("      scanned %s, fingerprint %s%s\n", engine::FormatIso8601(e.started).c_str(), e.fingerprint.Id().c_str(),
                at_path[e.source_absolute] > 1 ? " (other content was scanned at this path too)" : "");
    std::printf("      matched against %s\n", engine::TerminalText(e.matched_against.Describe()).c_str());
  }
  std::printf("  audit log: %llu entries, %s\n", static_cast<unsigned long long>(verification.entries),
              verification.intact ? "intact" : "DAMAGED (run 'hashtriage audit verify')");
  return kExitOk;
}

Result<int> RunAuditVerify(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, true));
  const auto v = engine::VerifyAudit(store->audit());
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"intact", v.intact}, {"entries", v.entries}, {"problems", v.problems}}.dump(2).c_str());
  } else {
    for (const auto& p : v.problems) std::printf("audit: %s\n", engine::TerminalText(p).c_str());
    std::printf("audit log %s: %llu entries\n", v.intact ? "intact" : "DAMAGED", static_cast<unsigned long long>(v.entries));
  }
  return v.intact ? kExitOk : kExitFailure;
}

Result<int> RunAuditShow(const CaseCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, true));
  HT_ASSIGN_OR_RETURN(auto entries, store->audit().Entries());
  for (const auto& e : entries) {
    if (o.json) {
      std::printf("%s\n", engine::AuditEntryToJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      const std::string clock = e.command_time ? " (command clock " + engine::FormatIso8601(*e.command_time) + ")" : "";
      std::printf("%llu  %s%s  %s@%s  %s\n", static_cast<unsigned long long>(e.seq), engine::FormatIso8601(e.utc).c_str(),
                  clock.c_str(), engine::TerminalText(e.user).c_str(), engine::TerminalText(e.host).c_str(),
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
std::string CsvField(const nlohmann::ordered_json& v) {
  if (v.is_number()) return v.dump();
  return engine::CsvTextCell(v.is_null()     ? ""
                             : v.is_string() ? v.get<std::string>()
                                             : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<int> RunExportFiles(const ExportFilesOptions& o) {
  if (o.format != "jsonl" && o.format != "csv") return Status::InvalidArgument("--format must be jsonl or csv");
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, true));
  std::ofstream file;
  if (!o.out.empty()) {
    file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!file) return Status::IOError(o.out + ": cannot write");
  }
  auto emit = [&](const std::string& line) {
    if (file.is_open()) file << line;
    else std::fwrite(line.data(), 1, line.size(), stdout);
  };
  const auto& columns = engine::FileExportColumns();
  if (o.format == "csv") {
    std::string header;
    for (const auto& c : columns) header += (header.empty() ? "" : ",") + c;
    emit(header + "\n");
  }
  HT_ASSIGN_OR_RETURN(auto evidence, store->evidence().List());
  for (const engine::EvidenceRecord& e : evidence) {
    HT_RETURN_IF_ERROR(store->evidence().ForEachFile(e.number, o.hits_only, [&](const engine::FileRecord& r) {
      const nlohmann::ordered_json j = engine::FileRecordJson(r, e.id);
      if (o.format == "jsonl") {
        emit(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
        return true;
      }
      std::string line;
      for (const auto& c : columns) line += (line.empty() ? "" : ",") + CsvField(j[c]);
      emit(line + "\n");
      return true;
    }));
  }
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

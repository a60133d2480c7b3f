// `hashtriage export queue --format csv|json|html [--area CODE] [--all] [--out FILE]` and
// `hashtriage export vics [--subject ID] [--profile uk|us] [--out FILE]`: the prioritised queue for
// supervisors (HTML: one self-contained page, no images, no external assets) and the matched media
// as VICS 2.0 JSON for Griffeye Analyze. Exports hold hashes and metadata, never image content.
// Read-only. (`export files` is in case_command.cc; both join the `export` group.)
#include <cstdio>

#include "engine/case/audit_log.h"
#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/risk/queue_view.h"
#include "engine/risk/rescore.h"
#include "engine/risk/vics_export.h"
#include "engine/subjects/subject_profiles.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

using namespace engine::risk;

struct ExportQueueOptions {
  std::string case_dir;
  std::string now;
  std::string format = "html";
  std::string area;
  bool all = false;
  std::string out;
};

struct ExportVicsOptions {
  std::string case_dir;
  std::string subject;
  std::string profile = "uk";
  std::string case_id;
  std::string contact;
  std::string out;
};

Result<int> RunExportQueue(const ExportQueueOptions& o) {
  if (o.format != "csv" && o.format != "json" && o.format != "html") {
    return Status::InvalidArgument("--format must be csv, json or html");
  }
  HT_ASSIGN_OR_RETURN(const std::int64_t now, engine::ResolveNow(o.now));
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  HT_ASSIGN_OR_RETURN(const RiskModel model, LoadCaseRiskModel(*store));
  HT_ASSIGN_OR_RETURN(auto rows, LoadQueueView(*store, now, model, {o.all, o.area}));
  const QueueViewContext context{now, store->location(), model.name, model.sha256};
  std::string text;
  if (o.format == "csv") text = QueueCsv(rows, context);
  else if (o.format == "json") text = QueueJson(rows, context).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  else text = QueueHtml(rows, context);
  HT_RETURN_IF_ERROR(WriteOutput(o.out, text));
  if (!o.out.empty()) std::fprintf(stderr, "hashtriage: wrote %zu subject(s) to %s\n", rows.size(), o.out.c_str());
  return kExitOk;
}

Result<int> RunExportVics(const ExportVicsOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  VicsExportOptions options;
  if (!o.subject.empty()) {
    HT_ASSIGN_OR_RETURN(options.subject_id, engine::ResolveSubjectId(*store, o.subject));
  }
  options.profile = o.profile;
  options.case_id = o.case_id;
  options.contact = o.contact;
  if (options.contact.empty()) options.contact = engine::ProcessUser();
  HT_ASSIGN_OR_RETURN(const VicsExport vics, BuildVicsExport(*store, options));
  HT_RETURN_IF_ERROR(WriteOutput(o.out, vics.document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  if (!o.out.empty()) {
    std::fprintf(stderr, "hashtriage: wrote %zu media (%zu file(s)) to %s\n", vics.media, vics.media_files, o.out.c_str());
  }
  return kExitOk;
}

}  // namespace

void SetupExportCommands(CLI::App& app, CommandExit& exit) {
  CLI::App* group = SubcommandGroup(app, "export", "Exports: the queue (CSV/JSON/HTML), matched media (VICS 2.0), files");

  auto q = std::make_shared<ExportQueueOptions>();
  CLI::App* queue = group->add_subcommand("queue", "The prioritised queue as CSV, JSON or one self-contained HTML page");
  AddCaseOption(queue, q->case_dir);
  AddNowOption(queue, q->now);
  queue->add_option("--format", q->format, "csv, json or html (default html)");
  queue->add_option("--area", q->area, "Only subjects of this force/area code");
  queue->add_flag("--all", q->all, "Also subjects whose entry was closed by a decision");
  queue->add_option("--out", q->out, "Write to FILE (mode 0600) instead of standard output");
  queue->callback([q, &exit]() { RecordOutcome(RunExportQueue(*q), exit); });

  auto v = std::make_shared<ExportVicsOptions>();
  CLI::App* vics = group->add_subcommand("vics", "Matched media as VICS 2.0 JSON (MediaFiles provenance) for Griffeye");
  AddCaseOption(vics, v->case_dir);
  vics->add_option("--subject", v->subject, "Only this subject's referrals and attached scans");
  vics->add_option("--profile", v->profile, "Category numbering: uk (default) or us");
  vics->add_option("--case-id", v->case_id, "CaseID/CaseNumber in the header (default: the case's name: its directory's or database's, kept when the case moves)");
  vics->add_option("--contact", v->contact, "Contact in the header (default: the user running the export)");
  vics->add_option("--out", v->out, "Write to FILE (mode 0600) instead of standard output");
  vics->callback([v, &exit]() { RecordOutcome(RunExportVics(*v), exit); });
}

}  // namespace hashtriage::cli

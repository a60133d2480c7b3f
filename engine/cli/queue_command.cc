// `hashtriage queue [--json|--csv] [--all] [--area CODE]`: the prioritised queue of the case: every
// subject with a referral or hit, by band, then deadline (overdue first), then score, with its
// factors, research tasks, overrides and review flags. Read-only.
#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/risk/queue_view.h"
#include "engine/risk/rescore.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

struct QueueOptions {
  std::string case_dir;
  std::string now;
  bool json = false;
  bool csv = false;
  bool all = false;    // include entries closed by a decision
  std::string area;
};

Result<int> RunQueueCommand(const QueueOptions& o) {
  HT_ASSIGN_OR_RETURN(const std::int64_t now, engine::ResolveNow(o.now));
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  HT_ASSIGN_OR_RETURN(const engine::risk::RiskModel model, engine::risk::LoadCaseRiskModel(*store));
  HT_ASSIGN_OR_RETURN(auto rows, engine::risk::LoadQueueView(*store, now, model, {o.all, o.area}));
  const engine::risk::QueueViewContext context{now, store->location(), model.name, model.sha256};
  std::string text;
  if (o.json) text = engine::risk::QueueJson(rows, context).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  else if (o.csv) text = engine::risk::QueueCsv(rows, context);
  else text = engine::risk::QueueText(rows, context);
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  return kExitOk;
}

}  // namespace

void SetupQueueCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<QueueOptions>();
  CLI::App* cmd = app.add_subcommand("queue", "The prioritised queue: band, deadline, score and why, riskiest first");
  AddCaseOption(cmd, o->case_dir);
  AddNowOption(cmd, o->now);
  auto* json = cmd->add_flag("--json", o->json, "JSON: every subject with its factors and evidence");
  auto* csv = cmd->add_flag("--csv", o->csv, "CSV: one row per subject (columns of formats.md)");
  json->excludes(csv);
  cmd->add_flag("--all", o->all, "Also list subjects whose entry was closed by a decision");
  cmd->add_option("--area", o->area, "Only subjects of this force/area code");
  cmd->callback([o, &exit]() { RecordOutcome(RunQueueCommand(*o), exit); });
}

}  // namespace hashtriage::cli

// `hashtriage rank [--subject ID]... [--model FILE|default] [--json]`: re-scores subjects (all by
// default) with the case's model, or with FILE (which the case then keeps; `default` = the shipped
// model again), updating the queue; prints what changed. Audited with the model's hash. A model that
// is refused (engine/risk/risk_model.h) changes nothing: no model is kept, nobody is re-scored, exit 2
// with its "FILE:LINE: reason". A subject that cannot be scored is reported and the others go on (exit 1).
#include <cstdio>

#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/risk/queue_actions.h"
#include "engine/text/untrusted_text.h"

namespace hashtriage::cli {

namespace {

struct RankOptions {
  std::string case_dir;
  std::string now;
  std::string model;
  std::vector<std::string> subjects;
  bool json = false;
  std::string command_line;
};

Result<int> RunRankCommand(const RankOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/false));
  HT_ASSIGN_OR_RETURN(auto ranked, engine::risk::RankSubjects(*store, o.model, o.subjects, context));
  const auto& model = ranked.model;
  const auto& report = ranked.report;
  std::size_t entered = 0, reopened = 0, flagged = 0;
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& r : report.outcomes) {
    entered += r.entered;
    reopened += r.reopened;
    flagged += r.flagged_for_review;
    if (r.band_change) changes.push_back({{"subject", r.subject_id}, {"change", *r.band_change}});
  }
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : report.failures) failures.push_back(f.message());
  const nlohmann::json summary = {{"action", "rank"},
                                  {"model", {{"name", model.name}, {"sha256", model.sha256}, {"source", model.source}}},
                                  {"subjects", report.outcomes.size()},
                                  {"entered", entered},
                                  {"reopened", reopened},
                                  {"flagged_for_review", flagged},
                                  {"band_changes", changes},
                                  {"failures", failures}};
  std::string text;
  if (o.json) {
    text = summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    text = "Re-scored " + std::to_string(report.outcomes.size()) + " subject(s) with model " + model.name + " (" +
           model.sha256.substr(0, 12) + "): " + std::to_string(entered) + " entered the queue, " +
           std::to_string(reopened) + " re-opened, " + std::to_string(changes.size()) + " band change(s), " +
           std::to_string(flagged) + " flagged for review\n";
    for (const auto& c : changes) {
      text += "  " + engine::TerminalText(c["subject"].get<std::string>()) + ": " +
              engine::TerminalText(c["change"].get<std::string>()) + "\n";
    }
  }
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  for (const auto& f : report.failures) std::fprintf(stderr, "hashtriage: %s\n", engine::TerminalText(f.message()).c_str());
  if (!report.failures.empty()) {
    std::fprintf(stderr, "hashtriage: %zu subject(s) could not be scored\n", report.failures.size());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void SetupRankCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<RankOptions>();
  CLI::App* cmd = app.add_subcommand("rank", "Re-score subjects with the risk model and update the queue");
  AddCaseOption(cmd, o->case_dir);
  AddNowOption(cmd, o->now);
  cmd->add_option("--subject", o->subjects, "Only this subject (repeatable; default: every subject)");
  cmd->add_option("--model", o->model,
                  "Risk model TOML, or 'default' for the shipped model; the case keeps it (default: the case's "
                  "model, else the shipped one)");
  cmd->add_flag("--json", o->json, "JSON summary");
  cmd->callback([o, &exit]() {
    o->command_line = exit.command_line;
    RecordOutcome(RunRankCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli

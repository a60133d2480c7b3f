// `hashtriage research [--capacity N] [--json] [--limit N]`: the research queue of the case: every open
// research task of the open subjects, ranked by how much the answer could change who is seen first
// (engine/risk/research_queue.h). Read-only; recording a finding is `subject attr`.
#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/risk/queue_view.h"
#include "engine/risk/rescore.h"
#include "engine/risk/research_queue.h"
#include "engine/subjects/subject_profiles.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

struct ResearchOptions {
  std::string case_dir;
  std::string now;
  bool json = false;
  double capacity = 0;
  std::size_t limit = 0;
};

Result<int> RunResearchCommand(const ResearchOptions& o) {
  HT_ASSIGN_OR_RETURN(const std::int64_t now, engine::ResolveNow(o.now));
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  HT_ASSIGN_OR_RETURN(const engine::risk::RiskModel model, engine::risk::LoadCaseRiskModel(*store));
  HT_ASSIGN_OR_RETURN(auto rows, engine::risk::LoadQueueView(*store, now, model, {}));
  const engine::Case& case_store = *store;
  HT_ASSIGN_OR_RETURN(auto items, engine::risk::RankResearch(
                                      rows, [&](const std::string& id) { return engine::LoadSubjectProfile(case_store, id); },
                                      model, now));
  const std::size_t total = items.size();
  if (o.limit > 0 && items.size() > o.limit) items.resize(o.limit);
  std::string text;
  if (o.json) {
    nlohmann::ordered_json json = engine::risk::ResearchJson(items, now, o.capacity);
    json["total"] = total;
    text = json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    text = engine::risk::ResearchText(items, now, o.capacity, total);
  }
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  return kExitOk;
}

}  // namespace

void SetupResearchCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<ResearchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "research", "The research queue: open research tasks, access to children first, by how much the answer could "
                  "change who is seen first");
  AddCaseOption(cmd, o->case_dir);
  AddNowOption(cmd, o->now);
  cmd->add_flag("--json", o->json, "JSON: every task with its probabilities");
  cmd->add_option("--capacity", o->capacity, "Research tasks the researchers finish per day (marks today's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", o->limit, "Show only the first N tasks");
  cmd->callback([o, &exit]() { RecordOutcome(RunResearchCommand(*o), exit); });
}

}  // namespace hashtriage::cli

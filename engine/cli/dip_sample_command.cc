// `hashtriage dip-sample [--date D] [--size N] [--json]`: the day's reproducible random sample of open
// Medium and Low subjects (weighted to the oldest) for a human to re-grade with `review`; the draw is
// recorded in the case and audited. The same date and queue state give the same sample (re-running
// prints the recorded draw). `--report` summarises every draw's outcomes (how many re-graded up).
#include <fmt/format.h>

#include "engine/case/queue_store.h"
#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/risk/dip_sample.h"
#include "engine/risk/queue_actions.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

using namespace engine::risk;

struct DipSampleCommandOptions {
  std::string case_dir;
  std::string now;
  std::string date;
  std::string from, to;  // --report over a period
  std::size_t size = 5;
  bool report = false;
  bool json = false;
  std::string command_line;
};

Result<int> RunReport(const DipSampleCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  HT_ASSIGN_OR_RETURN(auto all, store->queue().DipSamples(o.date));
  HT_ASSIGN_OR_RETURN(auto decisions, store->queue().Decisions());
  const DipSampleReport report = ReportDipSamples(all, decisions, o.from, o.to);
  const DipSampleSummary& total = report.total;
  nlohmann::json list = nlohmann::json::array();
  std::string text = fmt::format("{:<14} {:>7} {:>8} {:>11} {:>13} {:>9} {:>11} {:>4}\n", "draw", "sampled", "reviewed",
                                 "regraded up", "regraded down", "unchanged", "investigate", "nfa");
  for (const auto& [draw, s] : report.draws) {
    list.push_back(DipSummaryToJson(s));
    text += fmt::format("{:<14} {:>7} {:>8} {:>11} {:>13} {:>9} {:>11} {:>4}\n", s.key, s.sampled, s.reviewed,
                        s.regraded_up, s.regraded_down, s.unchanged, s.investigated, s.closed_nfa);
  }
  text += fmt::format("{} draw(s): {} sampled, {} reviewed, {} re-graded up, {} sent to investigation, {} not yet "
                      "reviewed\n",
                      report.draws.size(), total.sampled, total.reviewed, total.regraded_up, total.investigated,
                      total.sampled - total.reviewed);
  if (o.json) {
    text = nlohmann::json{{"draws", list}, {"total", DipSummaryToJson(total)}}.dump(2) + "\n";
  }
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  return kExitOk;
}

Result<int> RunDipSampleCommand(const DipSampleCommandOptions& given) {
  DipSampleCommandOptions o = given;
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  const std::int64_t now = context.now;
  if (!o.date.empty()) {
    HT_ASSIGN_OR_RETURN(const std::int64_t day, engine::ParseIso8601(o.date));
    o.date = engine::FormatDate(day);
  }
  for (std::string* day : {&o.from, &o.to}) {
    if (day->empty()) continue;
    HT_ASSIGN_OR_RETURN(const std::int64_t t, engine::ParseIso8601(*day));
    *day = engine::FormatDate(t);
  }
  if (o.report) return RunReport(o);
  if (o.date.empty()) o.date = engine::FormatDate(now);

  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/false));
  HT_ASSIGN_OR_RETURN(auto drawn, DrawDailyDipSample(*store, o.date, o.size, context));
  const DipSampleDraw& draw = drawn.draw;
  const bool repeat = drawn.repeat;
  std::string text;
  if (o.json) {
    nlohmann::json j = DipSampleToJson(draw);
    j["repeat"] = repeat;
    text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    text = fmt::format("Dip-sample {}{}: {} of {} open Medium/Low subject(s), weighted to the oldest\n", draw.key(),
                       repeat ? " (already drawn; same queue state)" : "", draw.items.size(), draw.candidates);
    for (const auto& i : draw.items) {
      text += fmt::format("  {:<16} {:<8} model {:<8} {:>4} days in queue\n", engine::TerminalText(i.subject_id),
                          BandName(i.band), BandName(i.model_band), i.days_in_queue);
    }
    if (!draw.items.empty()) {
      text += "Re-grade each: hashtriage review ID --outcome keep --band BAND --reason R --by NAME "
              "(or --outcome investigate / no-further-action)\n";
    }
  }
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  return kExitOk;
}

}  // namespace

void SetupDipSampleCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<DipSampleCommandOptions>();
  CLI::App* cmd = app.add_subcommand("dip-sample", "Today's reproducible random sample of Medium/Low subjects to re-grade");
  AddCaseOption(cmd, o->case_dir);
  AddNowOption(cmd, o->now);
  cmd->add_option("--date", o->date, "Sample date, YYYY-MM-DD (default: the date of --now)");
  cmd->add_option("--size", o->size, "Subjects to draw (default 5)")->check(CLI::Range(1, 10000));
  cmd->add_flag("--report", o->report, "Summarise the outcomes of every draw (or of --date's, or --from..--to's)");
  cmd->add_option("--from", o->from, "--report: draws dated from this day, YYYY-MM-DD");
  cmd->add_option("--to", o->to, "--report: draws dated up to this day (inclusive), YYYY-MM-DD");
  cmd->add_flag("--json", o->json, "JSON output");
  cmd->callback([o, &exit]() {
    o->command_line = exit.command_line;
    RecordOutcome(RunDipSampleCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli

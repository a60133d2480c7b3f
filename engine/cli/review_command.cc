// `hashtriage review ID --outcome investigate|no-further-action|keep --reason R --by NAME [--band B]
// [--assign NAME] [--version V]`: records a human decision on a subject's queue entry. investigate and
// no-further-action close the entry (history kept; a later referral or hit re-opens it); keep leaves
// it open, optionally with a band override (`--band model` removes one), which re-scoring never
// reverts. A review of a subject in an unanswered dip-sample is recorded as that sample's outcome.
// Every decision is audited. With --version (the row's "version" in `queue --json`) the review is
// refused when anyone changed the subject's queue entry since that version was read (exit 1, naming
// who): on a shared case, a decision is never recorded on a picture of the subject that is out of date.
#include <cstdio>

#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/risk/queue_actions.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

using namespace engine::risk;

struct ReviewOptions {
  std::string case_dir;
  std::string now;
  std::string subject;
  std::string outcome;
  std::string band;
  std::string reason;
  std::string by;
  std::string assign;
  std::string version;
  bool json = false;
  std::string command_line;
};

Result<int> RunReviewCommand(const ReviewOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  Decision d;
  if (!o.band.empty()) {
    if (o.band == "model") {
      d.clear_override = true;
    } else {
      d.band = ParseBand(o.band);
      if (!d.band) return Status::InvalidArgument("--band must be very-high, high, medium, low or model");
    }
  }
  if (o.outcome.empty()) {
    if (o.band.empty()) return Status::InvalidArgument("review needs --outcome (or --band for keep with an override)");
    d.outcome = Outcome::kKeep;
  } else {
    const auto outcome = ParseOutcome(o.outcome);
    if (!outcome) return Status::InvalidArgument("--outcome must be investigate, no-further-action or keep");
    d.outcome = *outcome;
  }
  if (d.outcome != Outcome::kKeep && !o.band.empty()) {
    return Status::InvalidArgument("--band goes with --outcome keep (investigate and no-further-action close the entry)");
  }
  if (o.reason.empty() || o.by.empty()) return Status::InvalidArgument("a review needs --reason and --by");

  d.reason = o.reason;
  d.by = o.by;
  d.assign = o.assign;
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/false));
  HT_ASSIGN_OR_RETURN(auto reviewed, RecordReview(*store, ReviewRequest{o.subject, d, o.version, std::nullopt}, context));
  d = reviewed.decision;
  const QueueEntry& after = reviewed.entry;
  const std::string& subject = d.subject_id;

  std::string text;
  if (o.json) {
    nlohmann::json j = DecisionToJson(d);
    j["queue_entry"] = QueueEntryToJson(after);
    j["version"] = QueueEntryVersion(after);
    text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else if (!after.open()) {
    text = "decision " + std::to_string(d.id) + ": " + engine::TerminalText(subject) + " " +
           std::string(OutcomeName(d.outcome)) + ": queue entry closed (a later referral or hit re-opens it)\n";
  } else {
    text = "decision " + std::to_string(d.id) + ": " + engine::TerminalText(subject) + " kept open, band " +
           std::string(BandName(after.band));
    if (after.override_band) text += " (override; model says " + std::string(BandName(after.model_band)) + ")";
    text += ", deadline " + engine::FormatIso8601(after.deadline) + "\n";
  }
  if (!d.dip_sample.empty() && !o.json) text += "recorded as the outcome of dip-sample " + d.dip_sample + "\n";
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  return kExitOk;
}

}  // namespace

void SetupReviewCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<ReviewOptions>();
  CLI::App* cmd = app.add_subcommand("review", "Record a decision on a subject: investigate, no-further-action, keep "
                                               "(with an optional band override)");
  AddCaseOption(cmd, o->case_dir);
  AddNowOption(cmd, o->now);
  cmd->add_option("subject", o->subject, "Subject id")->required();
  cmd->add_option("--outcome", o->outcome, "investigate | no-further-action | keep (default keep when --band is given)");
  cmd->add_option("--band", o->band, "Override the band (very-high, high, medium, low), or 'model' to remove an override");
  cmd->add_option("--reason", o->reason, "Why (required; audited)")->required();
  cmd->add_option("--by", o->by, "Who decides (required; audited)")->required();
  cmd->add_option("--assign", o->assign, "Give the subject an owner");
  cmd->add_option("--version", o->version,
                  "The queue entry's version the decision was made on (queue --json); refused if it changed since");
  cmd->add_flag("--json", o->json, "JSON: the decision and the queue entry after it");
  cmd->callback([o, &exit]() {
    o->command_line = exit.command_line;
    RecordOutcome(RunReviewCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli

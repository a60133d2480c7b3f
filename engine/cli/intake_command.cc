// `hashtriage intake FILE...`: online-monitoring referrals (provider reports, P2P monitoring CSV,
// generic CSV with --columns) into the case. Each referral is stored once; its hashes are matched
// against the known-image index now; its account is linked to a subject. A bad record is reported as
// "hashtriage: FILE: record N (line L): reason" and the rest of the file goes on; exit status 1 if any
// record or file failed. A field dropped from a stored referral is a warning, "hashtriage: FILE: record N
// (line L): warning: ...", and does not change the exit status. A referral for a subject already known
// prints that subject's history.
// Names, identifiers and file names from referrals are printed in their terminal form
// (engine/text/untrusted_text.h).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/cli/commands.h"
#include "engine/progress.h"
#include "engine/subjects/intake_run.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"
#include "index/known_index.h"
#include "ingest/referral/referral_reader.h"

namespace hashtriage::cli {

namespace {

struct IntakeCommandOptions {
  std::vector<std::string> files;
  std::string format = "auto";
  std::string columns;
  std::string case_dir;
  std::string index_dir;
  std::string now;
  std::string by;
  std::string phone_region;  // "" = $HASHTRIAGE_PHONE_REGION or GB
  double ip_window_hours = 24;
  int max_auto_merge = 3;
  int max_notes = 20;
  bool json = false;
  bool no_pdq = false;
  std::string submit_url, token_file, ca_cert;  // intake --submit: the files go to the team's server
  std::string command_line;
  const engine::TestHooks* hooks = nullptr;
};

nlohmann::json OutcomeJson(const engine::subjects::ReferralOutcome& o) {
  nlohmann::json merges = nlohmann::json::array();
  for (const auto& m : o.merges) {
    merges.push_back({{"survivor", m.survivor}, {"merged", m.merged}, {"kind", m.kind}, {"identifier", m.identifier}});
  }
  nlohmann::json j{{"referral", o.referral_id}, {"duplicate", o.duplicate}, {"subject", o.subject_id},
                   {"account", o.account_id},   {"new_subject", o.new_subject}, {"hits", o.hits},
                   {"escalate", o.escalate},    {"merges", merges},           {"blocked", o.blocked},
                   {"possible_links", o.possible_links}, {"held_back", o.held_back}};
  if (!o.new_subject && !o.duplicate) {
    j["previous"] = {{"referrals", o.previous_referrals}, {"scans", o.previous_scans},
                     {"known_since", o.known_since ? engine::FormatIso8601(*o.known_since) : ""}};
  }
  return j;
}

// One line for a referral worth a human's attention, "" otherwise.
std::string Note(const engine::subjects::ReferralOutcome& o) {
  if (o.duplicate) return "";
  std::string line;
  if (!o.new_subject && (o.previous_referrals > 0 || o.previous_scans > 0)) {
    line = "known subject: " + std::to_string(o.previous_referrals) + " earlier referral(s), " +
           std::to_string(o.previous_scans) + " device scan(s), known since " +
           (o.known_since ? engine::FormatDate(*o.known_since) : "?") + " (hashtriage subject show " + o.subject_id + ")";
  } else if (o.new_subject) {
    line = "new subject";
  } else {
    line = "subject";
  }
  for (const auto& m : o.merges) line += "; merged " + m.merged + " into " + m.survivor + " via " + m.identifier;
  for (const auto& b : o.blocked) line += "; " + b;
  if (!o.held_back.empty()) line += "; LINKING HELD BACK: " + o.held_back;
  if (!o.possible_links.empty()) line += "; " + std::to_string(o.possible_links.size()) + " possible link(s)";
  const bool notable = o.escalate || o.hits > 0 || !o.merges.empty() || !o.blocked.empty() || !o.held_back.empty() ||
                       (!o.new_subject && (o.previous_referrals > 0 || o.previous_scans > 0));
  if (!notable) return "";
  return o.referral_id + " -> " + o.subject_id + (o.escalate ? " ESCALATE" : "") +
         (o.hits ? " (" + std::to_string(o.hits) + " known-image file(s))" : "") + ": " + line;
}

}  // namespace

Result<int> RunIntakeCommand(const IntakeCommandOptions& o) {
  if (!o.submit_url.empty()) {
    if (!o.case_dir.empty() || !o.index_dir.empty()) {
      return Status::InvalidArgument("--submit sends the files to the server's case and index: no --case or --index");
    }
    return SubmitReferralFiles(o.files, o.submit_url, o.token_file, o.ca_cert);
  }
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  engine::subjects::IntakeRunOptions options;
  HT_ASSIGN_OR_RETURN(options.reader.format, ingest::ParseReferralFormat(o.format));
  options.reader.columns = o.columns;
  options.reader.parse_time = [](std::string_view text) { return engine::ParseIso8601(text); };
  options.reader.phone_region = ResolvePhoneRegion(o.phone_region);
  if (!(o.ip_window_hours > 0)) return Status::InvalidArgument("--ip-window-hours must be positive");
  if (o.max_auto_merge < 0) return Status::InvalidArgument("--max-auto-merge must be 0 or more");
  options.session.by = o.by.empty() ? engine::DefaultActor() : o.by;
  options.session.link.ip_window_seconds = static_cast<std::int64_t>(o.ip_window_hours * 3600);
  options.session.link.max_auto_merge = o.max_auto_merge;
  options.match_pdq = !o.no_pdq;
  options.hooks = o.hooks;

  std::unique_ptr<index::KnownIndex> known;
  index::IndexOptions index_options;
  index_options.path = o.index_dir.empty() ? index::DefaultIndexDir() : o.index_dir;
  index_options.load_pdq = !o.no_pdq;
  auto opened = index::KnownIndex::Open(index_options);
  if (opened.ok()) {
    known = std::move(opened).value();
  } else if (opened.status().code() == StatusCode::kNotFound) {
    std::fprintf(stderr, "hashtriage: warning: no known-image index at %s: referral hashes are stored unmatched\n",
                 engine::TerminalText(index_options.path).c_str());
  } else {
    return opened.status().WithContext("cannot open the known-image index " + index_options.path);
  }

  engine::CaseOptions case_options;
  case_options.location = o.case_dir;
  HT_ASSIGN_OR_RETURN(auto store, engine::OpenCase(case_options));

  // Referrals read, MB of all files, rate and ETA on a terminal.
  engine::Progress progress("intake", 0, StderrIsTerminal());
  progress.SetUnit("referrals");
  nlohmann::json outcomes = nlohmann::json::array();
  int notes = 0;
  engine::subjects::IntakeObserver observer;
  observer.bad_record = [&](const std::string& file, const ingest::ReferralRecord& r, const std::string& message) {
    progress.Clear();
    std::fprintf(stderr, "hashtriage: %s: record %llu (line %llu): %s\n", engine::TerminalText(file).c_str(),
                 static_cast<unsigned long long>(r.number), static_cast<unsigned long long>(r.line),
                 engine::TerminalText(message).c_str());
  };
  observer.warning = [&](const std::string& file, const ingest::ReferralRecord& r, const std::string& warning) {
    progress.Clear();
    std::fprintf(stderr, "hashtriage: %s: record %llu (line %llu): warning: %s\n", engine::TerminalText(file).c_str(),
                 static_cast<unsigned long long>(r.number), static_cast<unsigned long long>(r.line),
                 engine::TerminalText(warning).c_str());
  };
  observer.file_error = [&](const std::string&, const std::string& message) {
    progress.Clear();
    std::fprintf(stderr, "hashtriage: %s\n", engine::TerminalText(message).c_str());
  };
  observer.outcome = [&](const engine::subjects::ReferralOutcome& outcome) {
    if (outcome.duplicate) return;
    if (o.json) {
      outcomes.push_back(OutcomeJson(outcome));
    } else if (const std::string note = Note(outcome); !note.empty() && notes++ < o.max_notes) {
      progress.Clear();
      std::printf("%s\n", engine::TerminalText(note).c_str());  // one line, whatever the referral holds
    }
  };
  HT_ASSIGN_OR_RETURN(auto result,
                      engine::subjects::RunIntake(*store, known.get(), o.files, options, context, observer, progress));
  if (!result.rescored.ok()) {
    std::fprintf(stderr, "hashtriage: re-scoring after intake: %s\n", engine::TerminalText(result.rescored.message()).c_str());
  }

  if (o.json) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& t : result.files) {
      files.push_back({{"path", t.path}, {"format", t.format}, {"records", t.records}, {"stored", t.stored},
                       {"already_ingested", t.duplicates}, {"bad", t.bad}, {"warnings", t.warnings}, {"error", t.error}});
    }
    nlohmann::json details{{"action", "intake"},
                           {"files", files},
                           {"summary",
                            {{"referrals_stored", result.stored}, {"already_ingested", result.duplicates},
                             {"bad_records", result.bad}, {"warnings", result.warnings},
                             {"new_subjects", result.new_subjects}, {"merges", result.merges},
                             {"merges_held_back", result.held_back}, {"subjects_affected", result.affected.size()},
                             {"files_with_known_images", result.hits}, {"possible_links", result.possible_links},
                             {"escalated", result.escalated}, {"index", known ? known->path() : ""},
                             {"by", options.session.by}, {"rescored", result.rescored.ok()}}},
                           {"index_version", result.index.ToJson()},
                           {"referrals", std::move(outcomes)},
                           {"subjects", result.affected}};
    std::printf("%s\n", details.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    if (notes > o.max_notes) std::printf("... %d more notable referrals (hashtriage subject list)\n", notes - o.max_notes);
    for (const auto& t : result.files) {
      std::printf("%s [%s]: %llu records, %llu stored, %llu already ingested, %llu bad, %llu warnings%s\n",
                  engine::TerminalText(t.path).c_str(), t.format.c_str(), static_cast<unsigned long long>(t.records),
                  static_cast<unsigned long long>(t.stored), static_cast<unsigned long long>(t.duplicates),
                  static_cast<unsigned long long>(t.bad), static_cast<unsigned long long>(t.warnings),
                  t.error.empty() ? "" : (", error: " + engine::TerminalText(t.error)).c_str());
    }
    std::printf("intake: %llu referrals stored, %llu new subjects, %llu merges (%llu held back for a person), %zu "
                "subjects affected, %llu files known to the index%s, %llu possible links, %llu escalated\n",
                static_cast<unsigned long long>(result.stored), static_cast<unsigned long long>(result.new_subjects),
                static_cast<unsigned long long>(result.merges), static_cast<unsigned long long>(result.held_back),
                result.affected.size(), static_cast<unsigned long long>(result.hits), known ? "" : " (no index: unmatched)",
                static_cast<unsigned long long>(result.possible_links), static_cast<unsigned long long>(result.escalated));
  }
  return result.failed() ? kExitFailure : kExitOk;
}

void SetupIntakeCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<IntakeCommandOptions>();
  CLI::App* sub = app.add_subcommand("intake", "Ingest online-monitoring referrals (provider reports, P2P monitoring)");
  sub->add_option("files", o->files, "Referral files: JSON (one report, an array or JSON Lines) or CSV")->required();
  sub->add_option("--format", o->format, "auto, cybertip, p2p or csv (default: auto)");
  sub->add_option("--columns", o->columns,
                  "For generic CSV: field=Header,... mapping hashtriage's fields (report_id, time, service, user_id, "
                  "email, phone, device_id, client_guid, ip, port, md5, sha1, ...) to the file's columns");
  AddCaseOption(sub, o->case_dir);
  AddIndexOption(sub, o->index_dir);
  AddNowOption(sub, o->now);
  sub->add_option("--by", o->by, "Who is ingesting (default: $USER)");
  AddPhoneRegionOption(sub, o->phone_region);
  sub->add_option("--ip-window-hours", o->ip_window_hours,
                  "Subjects on one IP address within this many hours are shown as a possible link (default 24)");
  sub->add_option("--max-auto-merge", o->max_auto_merge,
                  "A referral whose identifiers would merge more than this many subjects merges none of them and "
                  "raises possible links for a person to decide (default 3)");
  sub->add_option("--notes", o->max_notes, "Notable referrals to list (default 20)");
  AddSubmitOptions(sub, o->submit_url, o->token_file, o->ca_cert);
  sub->add_flag("--json", o->json, "Print the outcome as JSON (every referral)");
  sub->add_flag("--no-pdq", o->no_pdq,
                "Do not load the index's PDQ hashes (faster open of a large index; PDQ hashes in referrals stay "
                "unmatched until 'hashtriage rematch')");
  sub->callback([o, &exit]() {
    o->command_line = exit.command_line;
    o->hooks = exit.hooks;
    RecordOutcome(RunIntakeCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli

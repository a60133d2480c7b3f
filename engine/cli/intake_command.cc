// `hashtriage intake FILE...`: online-monitoring referrals (provider reports, P2P monitoring CSV,
// generic CSV with --columns) into the case. Each referral is stored once; its hashes are matched
// against the known-image index now; its account is linked to a subject. A bad record is reported as
// "hashtriage: FILE: record N (line L): reason" and the rest of the file goes on; exit status 1 if any
// record or file failed. A referral for a subject already known prints that subject's history.
// Names, identifiers and file names from referrals are printed in their terminal form
// (engine/text/untrusted_text.h).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/audit_log.h"
#include "engine/case_store.h"
#include "engine/cli/commands.h"
#include "engine/index_version.h"
#include "engine/progress.h"
#include "engine/subjects/intake.h"
#include "engine/subjects/rescore_hook.h"
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
  double ip_window_hours = 24;
  int max_notes = 20;
  bool json = false;
  bool no_pdq = false;
  std::string command_line;
};

struct FileTally {
  std::string path;
  std::string format;
  std::uint64_t records = 0, stored = 0, duplicates = 0, bad = 0;
  std::string error;  // the file could not be read (on)
};

nlohmann::json OutcomeJson(const engine::subjects::ReferralOutcome& o) {
  nlohmann::json merges = nlohmann::json::array();
  for (const auto& m : o.merges) {
    merges.push_back({{"survivor", m.survivor}, {"merged", m.merged}, {"kind", m.kind}, {"identifier", m.identifier}});
  }
  nlohmann::json j{{"referral", o.referral_id}, {"duplicate", o.duplicate}, {"subject", o.subject_id},
                   {"account", o.account_id},   {"new_subject", o.new_subject}, {"hits", o.hits},
                   {"escalate", o.escalate},    {"merges", merges},           {"blocked", o.blocked},
                   {"possible_links", o.possible_links}};
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
  if (!o.possible_links.empty()) line += "; " + std::to_string(o.possible_links.size()) + " possible link(s) by IP";
  const bool notable = o.escalate || o.hits > 0 || !o.merges.empty() || !o.blocked.empty() ||
                       (!o.new_subject && (o.previous_referrals > 0 || o.previous_scans > 0));
  if (!notable) return "";
  return o.referral_id + " -> " + o.subject_id + (o.escalate ? " ESCALATE" : "") +
         (o.hits ? " (" + std::to_string(o.hits) + " known-image file(s))" : "") + ": " + line;
}

// Test hooks for tests/reliability/crash_consistency_test.cc: HASHTRIAGE_TEST_KILL_AT_REFERRAL=N makes
// the process SIGKILL itself just before the Nth good record of this run is stored (1-based);
// HASHTRIAGE_TEST_INTAKE_BATCH=N stores N referrals per atomic write, so kills land between writes.
std::int64_t EnvNumber(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoll(v) : -1;
}

}  // namespace



Result<int> RunIntakeCommand(const IntakeCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(std::int64_t now, engine::ResolveNow(o.now));
  ingest::ReferralReaderOptions reader_options;
  HT_ASSIGN_OR_RETURN(reader_options.format, ingest::ParseReferralFormat(o.format));
  reader_options.columns = o.columns;
  reader_options.parse_time = [](std::string_view text) { return engine::ParseIso8601(text); };
  if (!(o.ip_window_hours > 0)) return Status::InvalidArgument("--ip-window-hours must be positive");

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
  case_options.path = o.case_dir;
  HT_ASSIGN_OR_RETURN(auto store, engine::CaseStore::Open(case_options));
  engine::subjects::IntakeOptions intake_options;
  intake_options.by = o.by.empty() ? engine::DefaultActor() : o.by;
  intake_options.now = now;
  intake_options.link.ip_window_seconds = static_cast<std::int64_t>(o.ip_window_hours * 3600);
  if (const std::int64_t batch = EnvNumber("HASHTRIAGE_TEST_INTAKE_BATCH"); batch > 0) {
    intake_options.batch_referrals = static_cast<std::size_t>(batch);
  }
  const std::int64_t kill_at = EnvNumber("HASHTRIAGE_TEST_KILL_AT_REFERRAL");
  std::int64_t good_records = 0;
  engine::subjects::IntakeSession session(*store, known.get(), intake_options);
  HT_RETURN_IF_ERROR(session.Start());

  std::vector<FileTally> tallies;
  nlohmann::json outcomes = nlohmann::json::array();
  std::uint64_t new_subjects = 0, merges = 0, hits = 0, possible_links = 0, escalated = 0;
  int notes = 0;
  bool failed = false;
  // Referrals read, MB of all files, rate and ETA on a terminal.
  engine::Progress progress("intake", 0, StderrIsTerminal());
  progress.SetUnit("referrals");
  std::uint64_t total_bytes = 0;
  for (const std::string& path : o.files) {
    std::error_code size_error;
    const auto size = std::filesystem::file_size(path, size_error);
    if (!size_error) total_bytes += size;
  }
  progress.SetTotalBytes(total_bytes);
  std::uint64_t stored_so_far = 0;
  for (const std::string& path : o.files) {
    const std::uint64_t bytes_before = progress.bytes();  // of the files already read
    FileTally tally;
    tally.path = path;
    auto reader = ingest::OpenReferralReader(path, reader_options);
    if (!reader.ok()) {
      tally.error = reader.status().message();
      progress.Clear();
      std::fprintf(stderr, "hashtriage: %s\n", engine::TerminalText(tally.error).c_str());
      failed = true;
      tallies.push_back(tally);
      continue;
    }
    tally.format = std::string(ingest::ReferralFormatName((*reader)->format()));
    for (;;) {
      auto next = (*reader)->Next();
      if (!next.ok()) {
        tally.error = next.status().message();
        progress.Clear();
        std::fprintf(stderr, "hashtriage: %s: %s (stopped reading this file)\n", engine::TerminalText(path).c_str(),
                     engine::TerminalText(tally.error).c_str());
        failed = true;
        break;
      }
      if (!next->has_value()) break;
      const ingest::ReferralRecord& record = **next;
      ++tally.records;
      progress.Advance(1, bytes_before + (*reader)->bytes_read() - progress.bytes());
      if (!record.status.ok()) {
        ++tally.bad;
        failed = true;
        progress.Clear();
        std::fprintf(stderr, "hashtriage: %s: record %llu (line %llu): %s\n", engine::TerminalText(path).c_str(),
                     static_cast<unsigned long long>(record.number), static_cast<unsigned long long>(record.line),
                     engine::TerminalText(record.status.message()).c_str());
        continue;
      }
      if (++good_records == kill_at) ::kill(::getpid(), SIGKILL);
      auto added = session.Add(record.referral, path, record.number);
      if (!added.ok()) {
        return added.status().WithContext(path + ": record " + std::to_string(record.number) +
                                          ": the referrals since the last write were not stored; re-run the intake "
                                          "(stored referrals are skipped)");
      }
      const auto& outcome = *added;
      if (outcome.duplicate) {
        ++tally.duplicates;
        continue;
      }
      ++tally.stored;
      if (++stored_so_far % 256 == 0) progress.SetDetail(std::to_string(stored_so_far) + " referrals stored");
      new_subjects += outcome.new_subject;
      merges += outcome.merges.size();
      hits += outcome.hits;
      possible_links += outcome.possible_links.size();
      escalated += outcome.escalate;
      if (o.json) {
        outcomes.push_back(OutcomeJson(outcome));
      } else if (const std::string note = Note(outcome); !note.empty() && notes++ < o.max_notes) {
        progress.Clear();
        std::printf("%s\n", engine::TerminalText(note).c_str());  // one line, whatever the referral holds
      }
    }
    tallies.push_back(tally);
  }
  progress.Finish();
  HT_RETURN_IF_ERROR(session.Flush());
  HT_ASSIGN_OR_RETURN(std::vector<std::string> affected, session.AffectedSubjects());

  // New intelligence re-scores the subjects at once (engine/risk/rescore.h).
  Status rescored = engine::subjects::RescoreChangedSubjects(*store, affected, now);
  if (rescored.ok()) rescored = session.ClearPendingRescores();
  if (!rescored.ok()) {
    std::fprintf(stderr, "hashtriage: re-scoring after intake: %s\n", engine::TerminalText(rescored.message()).c_str());
    failed = true;
  }

  nlohmann::json files = nlohmann::json::array();
  std::uint64_t stored = 0, duplicates = 0, bad = 0;
  for (const auto& t : tallies) {
    files.push_back({{"path", t.path}, {"format", t.format}, {"records", t.records}, {"stored", t.stored},
                     {"already_ingested", t.duplicates}, {"bad", t.bad}, {"error", t.error}});
    stored += t.stored;
    duplicates += t.duplicates;
    bad += t.bad;
  }
  nlohmann::json summary{{"referrals_stored", stored}, {"already_ingested", duplicates}, {"bad_records", bad},
                         {"new_subjects", new_subjects}, {"merges", merges}, {"subjects_affected", affected.size()},
                         {"files_with_known_images", hits}, {"possible_links", possible_links},
                         {"escalated", escalated}, {"index", known ? known->path() : ""}, {"by", intake_options.by},
                         {"rescored", rescored.ok()}};
  nlohmann::json details{{"action", "intake"}, {"files", files}, {"summary", summary}};
  if (known) details["index_version"] = engine::IndexVersion(*known);
  HT_ASSIGN_OR_RETURN(auto entry, engine::AppendAudit(*store, now, o.command_line, details));
  (void)entry;

  if (o.json) {
    details["referrals"] = std::move(outcomes);
    details["subjects"] = affected;
    std::printf("%s\n", details.dump(2).c_str());
  } else {
    if (notes > o.max_notes) std::printf("... %d more notable referrals (hashtriage subject list)\n", notes - o.max_notes);
    for (const auto& t : tallies) {
      std::printf("%s [%s]: %llu records, %llu stored, %llu already ingested, %llu bad%s\n",
                  engine::TerminalText(t.path).c_str(), t.format.c_str(), static_cast<unsigned long long>(t.records),
                  static_cast<unsigned long long>(t.stored),
                  static_cast<unsigned long long>(t.duplicates), static_cast<unsigned long long>(t.bad),
                  t.error.empty() ? "" : (", error: " + engine::TerminalText(t.error)).c_str());
    }
    std::printf("intake: %llu referrals stored, %llu new subjects, %llu merges, %zu subjects affected, %llu files "
                "known to the index%s, %llu possible links by IP, %llu escalated\n",
                static_cast<unsigned long long>(stored), static_cast<unsigned long long>(new_subjects),
                static_cast<unsigned long long>(merges), affected.size(), static_cast<unsigned long long>(hits),
                known ? "" : " (no index: unmatched)", static_cast<unsigned long long>(possible_links),
                static_cast<unsigned long long>(escalated));
  }
  return failed ? kExitFailure : kExitOk;
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
  sub->add_option("--ip-window-hours", o->ip_window_hours,
                  "Subjects on one IP address within this many hours are shown as a possible link (default 24)");
  sub->add_option("--notes", o->max_notes, "Notable referrals to list (default 20)");
  sub->add_flag("--json", o->json, "Print the outcome as JSON (every referral)");
  sub->add_flag("--no-pdq", o->no_pdq,
                "Do not load the index's PDQ hashes (faster open of a large index; PDQ hashes in referrals stay "
                "unmatched)");
  sub->callback([o, &exit]() {
    o->command_line = exit.command_line;
    RecordOutcome(RunIntakeCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli

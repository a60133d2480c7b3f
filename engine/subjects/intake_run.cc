#include "engine/subjects/intake_run.h"

#include <filesystem>
#include <optional>
#include <vector>

#include "engine/case/audit_log.h"
#include "engine/case/conflict_retry.h"
#include "engine/matching/known_matcher.h"
#include "engine/subjects/rescore_hook.h"
#include "engine/time_util.h"

namespace hashtriage::engine::subjects {

bool IntakeRunResult::failed() const {
  if (bad > 0 || !rescored.ok()) return true;
  for (const auto& f : files) {
    if (!f.error.empty()) return true;
  }
  return false;
}

Result<IntakeRunResult> RunIntake(Case& c, const index::KnownIndex* index, const std::vector<std::string>& files,
                                  IntakeRunOptions options, const CommandContext& context, const IntakeObserver& observer,
                                  Progress& progress) {
  IntakeRunResult result;
  std::optional<KnownMatcher> matcher;
  if (index != nullptr) {
    result.index = StampOf(*index);
    MatchOptions match;
    match.perceptual = options.match_pdq;
    matcher.emplace(*index, match);
  }
  options.session.now = context.now;
  options.session.command_time = context.command_time;
  options.session.command = context.command;
  options.session.user = context.user;
  if (options.hooks != nullptr && options.hooks->intake_batch > 0) options.session.batch_referrals = options.hooks->intake_batch;
  IntakeSession session(c, matcher ? &*matcher : nullptr, result.index, options.session);
  HT_RETURN_IF_ERROR(session.Start());

  std::uint64_t total_bytes = 0;
  for (const std::string& path : files) {
    std::error_code size_error;
    const auto size = std::filesystem::file_size(path, size_error);
    if (!size_error) total_bytes += size;
  }
  progress.SetTotalBytes(total_bytes);
  std::uint64_t good_records = 0;
  for (const std::string& path : files) {
    const std::uint64_t bytes_before = progress.bytes();  // of the files already read
    IntakeFileTally tally;
    tally.path = path;
    auto reader = ingest::OpenReferralReader(path, options.reader);
    if (!reader.ok()) {
      tally.error = reader.status().message();
      if (observer.file_error) observer.file_error(path, tally.error);
      result.files.push_back(tally);
      continue;
    }
    tally.format = std::string(ingest::ReferralFormatName((*reader)->format()));
    // Records are read a batch ahead, so that what storing them reads is read in bulk (Prefetch).
    struct Ahead {
      ingest::ReferralRecord record;
      std::uint64_t bytes_read = 0;
    };
    std::vector<Ahead> ahead;
    std::string read_error;
    for (bool more = true; more;) {
      ahead.clear();
      const std::size_t room = session.RoomInBatch();
      for (std::size_t good_ahead = 0; good_ahead < room;) {
        auto next = (*reader)->Next();
        if (!next.ok()) {
          read_error = next.status().message();
          more = false;
          break;
        }
        if (!next->has_value()) {
          more = false;
          break;
        }
        ahead.push_back(Ahead{std::move(**next), (*reader)->bytes_read()});
        if (ahead.back().record.status.ok()) ++good_ahead;
      }
      std::vector<const ingest::Referral*> good;
      for (const Ahead& a : ahead) {
        if (a.record.status.ok()) good.push_back(&a.record.referral);
      }
      if (auto prefetched = session.Prefetch(good); !prefetched.ok()) {
        return prefetched.WithContext(path + ": reading what the next referrals link to; the referrals since the last "
                                      "write were not stored; re-run the intake (stored referrals are skipped)");
      }
      for (const Ahead& a : ahead) {
        const ingest::ReferralRecord& record = a.record;
        ++tally.records;
        progress.Advance(1, bytes_before + a.bytes_read - progress.bytes());
        if (!record.status.ok()) {
          ++tally.bad;
          if (observer.bad_record) observer.bad_record(path, record, record.status.message());
          continue;
        }
        if (options.hooks != nullptr && options.hooks->intake_referral) options.hooks->intake_referral(++good_records);
        auto added = session.Add(record.referral, path, record.number);
        if (!added.ok()) {
          return added.status().WithContext(path + ": record " + std::to_string(record.number) +
                                            ": the referrals since the last write were not stored; re-run the intake "
                                            "(stored referrals are skipped)");
        }
        const ReferralOutcome& outcome = *added;
        if (outcome.duplicate) {
          ++tally.duplicates;
        } else {
          ++tally.stored;
          for (const std::string& w : record.referral.warnings) {
            ++tally.warnings;
            if (observer.warning) observer.warning(path, record, w);
          }
          result.new_subjects += outcome.new_subject;
          result.merges += outcome.merges.size();
          result.hits += outcome.hits;
          result.possible_links += outcome.possible_links.size();
          result.escalated += outcome.escalate;
          result.held_back += outcome.held_back.empty() ? 0 : 1;
          if (tally.stored % 256 == 0) progress.SetDetail(std::to_string(result.stored + tally.stored) + " referrals stored");
        }
        if (observer.outcome) observer.outcome(outcome);
      }
    }
    if (!read_error.empty()) {
      tally.error = read_error;
      if (observer.file_error) observer.file_error(path, tally.error + " (stopped reading this file)");
    }
    result.stored += tally.stored;
    result.duplicates += tally.duplicates;
    result.bad += tally.bad;
    result.warnings += tally.warnings;
    result.files.push_back(tally);
  }
  progress.Finish();
  HT_RETURN_IF_ERROR(session.Flush());
  HT_ASSIGN_OR_RETURN(result.affected, session.AffectedSubjects());

  // New intelligence re-scores the subjects at once (engine/risk/rescore.h).
  result.rescored = RescoreChangedSubjects(c, result.affected, context.now);
  if (result.rescored.ok()) result.rescored = session.ClearPendingRescores();

  nlohmann::json file_list = nlohmann::json::array();
  for (const auto& t : result.files) {
    file_list.push_back({{"path", t.path}, {"format", t.format}, {"records", t.records}, {"stored", t.stored},
                         {"already_ingested", t.duplicates}, {"bad", t.bad}, {"warnings", t.warnings},
                         {"error", t.error}});
  }
  nlohmann::json summary{{"referrals_stored", result.stored}, {"already_ingested", result.duplicates},
                         {"bad_records", result.bad}, {"warnings", result.warnings},
                         {"new_subjects", result.new_subjects}, {"merges", result.merges},
                         {"merges_held_back", result.held_back}, {"subjects_affected", result.affected.size()},
                         {"files_with_known_images", result.hits}, {"possible_links", result.possible_links},
                         {"escalated", result.escalated}, {"by", options.session.by},
                         {"rescored", result.rescored.ok()}};
  nlohmann::json details{{"action", "intake"}, {"files", file_list}, {"summary", summary},
                         {"index", result.index.ToJson()}};
  HT_RETURN_IF_ERROR(RetryOnConflict(c, [&]() -> Status {
    auto txn = c.Begin();
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, details)));
    (void)entry;
    return txn->Commit();
  }));
  return result;
}

}  // namespace hashtriage::engine::subjects

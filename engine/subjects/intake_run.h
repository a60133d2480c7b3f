// RunIntake: one `hashtriage intake` run: every referral of every file read (a bad record is reported
// and skipped, a dropped field is a warning), stored through an IntakeSession, the subjects it changed
// re-scored and the run's summary audited. What happens is reported as it happens through an observer
// so the command can print it; the command only parses options and renders. One writer at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/command_context.h"
#include "engine/progress.h"
#include "engine/subjects/intake.h"
#include "engine/test_hooks.h"
#include "index/known_index.h"
#include "ingest/referral/referral_reader.h"

namespace hashtriage::engine::subjects {

struct IntakeFileTally {
  std::string path;
  std::string format;
  std::uint64_t records = 0, stored = 0, duplicates = 0, bad = 0, warnings = 0;
  std::string error;  // the file could not be read (on)
};

struct IntakeRunResult {
  std::vector<IntakeFileTally> files;
  std::uint64_t stored = 0, duplicates = 0, bad = 0, warnings = 0;
  std::uint64_t new_subjects = 0, merges = 0, hits = 0, possible_links = 0, escalated = 0, held_back = 0;
  std::vector<std::string> affected;  // root subjects re-scored
  Status rescored;
  IndexStamp index;
  bool failed() const;  // any file or record failed, or re-scoring failed
};

struct IntakeObserver {
  // A record that could not be parsed (skipped), or a warning about a stored one.
  std::function<void(const std::string& file, const ingest::ReferralRecord& record, const std::string& message)> bad_record;
  std::function<void(const std::string& file, const ingest::ReferralRecord& record, const std::string& warning)> warning;
  // A file that could not be opened or read on.
  std::function<void(const std::string& file, const std::string& message)> file_error;
  // Every referral stored or recognised as stored.
  std::function<void(const ReferralOutcome& outcome)> outcome;
};

struct IntakeRunOptions {
  ingest::ReferralReaderOptions reader;
  IntakeOptions session;       // by, link options, batch size (now, command set from the context)
  // Match PDQ hashes of referral files (false when the index was opened without them). Default: true.
  bool match_pdq = true;
  const TestHooks* hooks = nullptr;
};

Result<IntakeRunResult> RunIntake(Case& case_store, const index::KnownIndex* index, const std::vector<std::string>& files,
                                  IntakeRunOptions options, const CommandContext& context, const IntakeObserver& observer,
                                  Progress& progress);

}  // namespace hashtriage::engine::subjects

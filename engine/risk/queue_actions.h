// The operations people run on the queue, each one transaction with its audit entry: re-ranking with
// a (new) model, recording a review decision, and drawing the day's dip-sample. The rules they apply
// are in queue_rules.h / dip_sample.h; the commands only parse and render. One writer at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/command_context.h"
#include "engine/risk/dip_sample.h"
#include "engine/risk/queue_entry.h"
#include "engine/risk/rescore.h"
#include "engine/risk/risk_model.h"

namespace hashtriage::engine::risk {

struct RankResult {
  RiskModel model;
  RescoreReport report;
  bool model_changed = false;  // the case now keeps this model
};
// Re-scores `subjects` (root or merged ids; empty: every subject) with the case's model, or with the
// model at `model_path` ("default": the shipped one), which the case then keeps. A model that does not
// load changes nothing.
Result<RankResult> RankSubjects(Case& case_store, const std::string& model_path, const std::vector<std::string>& subjects,
                                const CommandContext& context);

struct ReviewRequest {
  std::string subject;   // as given (merged ids resolve)
  Decision decision;     // outcome, band / clear_override, reason, by, assign
  // The queue entry's version (QueueEntryVersion) the person decided on; "" = no check. When the
  // entry changed since, the review is refused with a Conflict naming the last change.
  std::string expected_version;
  // Set for a reviewer who may decide only on subjects they took or were given (an investigator):
  // the entry must be owned by this name, and `decision.assign` must be empty or this name.
  std::optional<std::string> reviewer_must_own;
};
struct ReviewResult {
  Decision decision;     // as recorded (id, time, bands, dip-sample filled in)
  QueueEntry entry;      // the queue entry after it
};
// A short digest of the entry as stored: changes whenever anything in it changes.
std::string QueueEntryVersion(const QueueEntry& entry);
// Makes `taker` the owner of the subject's open, unowned entry (an investigator taking work from the
// queue); refused with a Conflict if someone else owns it already. Audited.
Result<QueueEntry> TakeSubject(Case& case_store, const std::string& subject, const std::string& taker,
                               const CommandContext& context);
Result<ReviewResult> RecordReview(Case& case_store, ReviewRequest request, const CommandContext& context);

struct DipSampleResult {
  DipSampleDraw draw;
  bool repeat = false;   // the same queue state was already drawn today: that draw is returned
};
Result<DipSampleResult> DrawDailyDipSample(Case& case_store, const std::string& date, std::size_t size,
                                           const CommandContext& context);

}  // namespace hashtriage::engine::risk

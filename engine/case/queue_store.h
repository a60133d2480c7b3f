// QueueStore: the risk side of a case: each subject's assessments with their band-change history,
// its queue entry (entered date, deadline, bands, override, status), the recorded human decisions and
// the daily dip-sample draws. Nothing here decides: the rules are in engine/risk/queue_rules.h.
// Threads: reads from any thread; writes through a CaseTransaction (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/risk/assessment.h"
#include "engine/risk/dip_sample.h"
#include "engine/risk/queue_entry.h"

namespace hashtriage::engine {

// A stored assessment and what changed with it.
struct AssessmentRecord {
  std::uint64_t seq = 0;  // case-wide, increasing (CaseTransaction::NextId("assessment"))
  risk::Assessment assessment;
  std::string band_change;  // "Medium -> High: score 12 -> 37: + lives_with_children (25)"; "" if none
  std::string event;        // "entered the queue", "re-opened", "re-scored", "override holds; flagged"
};

class QueueStore {
 public:
  virtual ~QueueStore() = default;

  virtual Result<std::optional<risk::QueueEntry>> Entry(const std::string& subject_id) const = 0;
  // Every queue entry, open and closed, in subject id order.
  virtual Result<std::vector<risk::QueueEntry>> Entries() const = 0;
  virtual void PutEntry(CaseTransaction& txn, const risk::QueueEntry& entry) = 0;

  virtual Result<std::optional<AssessmentRecord>> LatestAssessment(const std::string& subject_id) const = 0;
  // The same for many subjects, in the order asked (one round trip on a database server).
  virtual Result<std::vector<std::optional<AssessmentRecord>>> LatestAssessments(
      const std::vector<std::string>& subject_ids) const {
    std::vector<std::optional<AssessmentRecord>> out;
    for (const std::string& id : subject_ids) {
      HT_ASSIGN_OR_RETURN(auto record, LatestAssessment(id));
      out.push_back(std::move(record));
    }
    return out;
  }
  virtual Result<std::vector<AssessmentRecord>> AssessmentHistory(const std::string& subject_id) const = 0;
  virtual void PutAssessment(CaseTransaction& txn, const AssessmentRecord& record) = 0;

  // Decisions of one subject ("" = all), oldest first.
  virtual Result<std::vector<risk::Decision>> Decisions(const std::string& subject_id = "") const = 0;
  virtual void PutDecision(CaseTransaction& txn, const risk::Decision& decision) = 0;

  // Dip-sample draws, oldest first; `date` ("YYYY-MM-DD") limits to one day's draws.
  virtual Result<std::vector<risk::DipSampleDraw>> DipSamples(const std::string& date = "") const = 0;
  virtual void PutDipSample(CaseTransaction& txn, const risk::DipSampleDraw& draw) = 0;
};

}  // namespace hashtriage::engine

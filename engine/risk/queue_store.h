// Storage of the risk tables of a case: assessments with their band-change history
// (Table::kAssessments, key subject + '\0' + seq), queue entries (Table::kQueue, key subject),
// decisions (Table::kDecisions, key decision id) and dip-sample draws (Table::kDipSamples, key
// date + '\0' + draw). Records are CBOR JSON (engine/record_codec.h). Nothing here decides: the rules
// are in queue_rules.h. Thread-safety: as CaseStore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/case_store.h"
#include "engine/risk/assessment.h"
#include "engine/risk/dip_sample.h"
#include "engine/risk/queue_entry.h"
#include "hashing/status.h"

namespace hashtriage::engine::risk {

// A stored assessment and what changed with it.
struct AssessmentRecord {
  std::uint64_t seq = 0;
  Assessment assessment;
  std::string band_change;  // "Medium -> High: score 12 -> 37: + lives_with_children (25)"; "" if none
  std::string event;        // "entered the queue", "re-opened", "re-scored", "override holds; flagged"
};

std::string AssessmentKey(const std::string& subject_id, std::uint64_t seq);

Result<std::optional<QueueEntry>> ReadQueueEntry(const CaseStore& store, const std::string& subject_id);
// Every queue entry, open and closed, in key order (one bad record fails with its key named).
Result<std::vector<QueueEntry>> ReadQueueEntries(const CaseStore& store);
void PutQueueEntry(CaseStore::Batch& batch, const QueueEntry& entry);

Result<std::optional<AssessmentRecord>> LatestAssessment(const CaseStore& store, const std::string& subject_id);
Result<std::vector<AssessmentRecord>> AssessmentHistory(const CaseStore& store, const std::string& subject_id);
void PutAssessment(CaseStore::Batch& batch, const AssessmentRecord& record);

// Decisions of one subject ("" = all), oldest first.
Result<std::vector<Decision>> ReadDecisions(const CaseStore& store, const std::string& subject_id = "");
void PutDecision(CaseStore::Batch& batch, const Decision& decision);

// Dip-sample draws, oldest first; `date` ("YYYY-MM-DD") limits to one day's draws.
Result<std::vector<DipSampleDraw>> ReadDipSamples(const CaseStore& store, const std::string& date = "");
void PutDipSample(CaseStore::Batch& batch, const DipSampleDraw& draw);

}  // namespace hashtriage::engine::risk

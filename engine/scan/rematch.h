// Re-matching: the hits of finished work are matched again against the index as it is now, from the
// query hashes kept with every file record and referral file — the evidence is never read again. Used
// by `hashtriage rematch` (every evidence item and referral of the case) and by a scan re-run after the
// index changed (that evidence item). Hits gained and lost are reported per evidence item, referral and
// subject; changed records are written in batches, each with its audit entry, and the evidence
// record's index stamp last, so an interrupted re-match is simply run again. Images hashed without
// region cells cannot gain region matches (they are counted: a scan of the same evidence computes the
// cells of those without hits, engine/scan/geometric_recheck.h).
// Thread-safety: as the case (one writer).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/matching/index_stamp.h"
#include "engine/scan/scan_pipeline.h"
#include "index/known_index.h"

namespace hashtriage::engine {

struct EvidenceRematch {
  std::uint32_t number = 0;
  std::string id;
  std::string subject;
  IndexStamp before;
  std::uint64_t files_examined = 0;
  std::uint64_t files_changed = 0;
  std::uint64_t hits_gained = 0;
  std::uint64_t hits_lost = 0;
  // Pictures without any hit and without stored region cells that can have them, while the index holds
  // library (+region) sets (a scan of the same evidence computes their cells and matches them again).
  std::uint64_t images_without_region_cells = 0;
  // Images without any hit that were never compared with a library feature set now in the index (new or
  // rebuilt since the scan): the geometric stage needs the pictures, not their stored hashes. Geometric
  // hits of feature sets unchanged since the scan are kept; those of removed or rebuilt sets are dropped.
  std::uint64_t images_not_checked_geometrically = 0;
  // Pictures counted in either of the two above, once each: "nothing found" is not yet known for them.
  std::uint64_t pictures_not_compared = 0;
  EvidenceCounts counts;  // after
};

struct ReferralRematch {
  std::string referral;
  std::string subject;  // the referral's subject at intake (resolve through merges)
  std::uint64_t hits_gained = 0;
  std::uint64_t hits_lost = 0;
};

struct SubjectRematch {
  std::string subject;  // root subject
  std::uint64_t hits_gained = 0;
  std::uint64_t hits_lost = 0;
};

struct RematchReport {
  IndexStamp index;
  std::vector<EvidenceRematch> evidence;
  std::vector<ReferralRematch> referrals;  // those that changed
  std::uint64_t referrals_examined = 0;
  std::vector<SubjectRematch> subjects;    // subjects whose hits changed (re-scored)
  Status rescore;                          // how re-scoring went
};

// Re-matches evidence `number` and stores the result (records, counts, the index stamp).
Result<EvidenceRematch> RematchEvidence(Case& case_store, std::uint32_t number, const index::KnownIndex& index,
                                        const IndexStamp& stamp, const CommandContext& context);

// Re-matches every evidence item and referral of the case, then re-scores the subjects whose hits
// changed, and records the run in the audit log.
Result<RematchReport> RematchCase(Case& case_store, const index::KnownIndex& index, const CommandContext& context);

// The report as `rematch --json` and POST /api/v1/rematch give it: per evidence item, changed referral
// and subject, with the totals (hits_gained, hits_lost, images_without_region_cells) and "rescored".
nlohmann::json RematchReportJson(const RematchReport& report);

}  // namespace hashtriage::engine

// The evidence scan: for each source, fingerprint it (engine/scan/evidence_fingerprint.h) and find the
// evidence item it is in the case — by content, never by path alone — then either hash it anew,
// resume an interrupted run of the same content, re-match a finished one whose index has changed
// since, or report it as already done. Hashing runs as enumerate (serial) -> read + digest -> decode +
// PDQ -> match (one matcher) -> persist (serial, batched) on a oneTBB parallel_pipeline with a bounded
// number of items and bytes in flight; identical content (XXH3-128) is decoded and matched once per
// scan. Every item becomes one file record (with every query hash, for later re-matching) committed in
// batches together with the resume point, so a scan killed at any moment and run again continues where
// it stopped and ends with the same records. A failing item never throws: its error is recorded.
// Evidence creation is audited in the same write; the run's summary entry and the re-scoring of an
// attached subject follow. Thread-safety: RunScan uses the case and index from its own threads; the
// caller must not write the same case concurrently (the embedded case admits one writer process).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/command_context.h"
#include "engine/matching/index_stamp.h"
#include "engine/matching/video_matcher.h"
#include "engine/progress.h"
#include "engine/test_hooks.h"
#include "hashing/image_hasher.h"
#include "index/known_index.h"
#include "ingest/source_options.h"

namespace hashtriage::engine {

struct ScanOptions {
  // Attach the evidence to this subject (created when new; see `subject show`). Default: none.
  std::string subject;
  // Who ran the scan, recorded with the evidence. Default: $USER.
  std::string examiner;
  // Worker threads. 0 means all cores. Default: 0.
  int threads = 0;
  // Bytes of file content held in memory at once across all items in flight; one item larger than
  // this (an image up to max_image_bytes, read whole to be decoded) is let through alone, so peak
  // content memory is max(memory_budget, max_image_bytes), plus decoders' working memory (bounded by
  // image.decode.max_pixels). Changes no record. Default: 512 MiB.
  std::uint64_t memory_budget = 512ull << 20;
  // Images larger than this are digested but not decoded (no PDQ; the record says why). Part of the
  // scan's settings: it changes records. Default: 256 MiB.
  std::uint64_t max_image_bytes = 256ull << 20;
  // Items in flight = threads * this. Enough to keep every core busy while the serial stages wait
  // on one slow item, few enough to bound memory. Default: 4.
  int tokens_per_thread = 4;
  // PDQ radius for near-duplicate matching (0..63). Default: 31.
  int pdq_threshold = index::kDefaultPdqThreshold;
  // Query all eight dihedral PDQ variants (rotated / mirrored copies). Default: true.
  bool dihedral = true;
  // Region matches (library mode, index/region_matcher.h) need this many same-position grid cells
  // within pdq_threshold. Region hashes of each image are computed only when the index holds a
  // +region set (RunScan decides). Default: 7 of 16.
  int region_min_cells = hashing::RegionOptions{}.min_cells;
  // Records per committed batch (each commit also stores the resume point). Default: 512.
  int commit_every = 512;
  // Single-file evidence (archive, disk image, E01, UFDR) up to this size is read again when its scan
  // ends and its MD5/SHA-1 compared with those taken at the start; larger evidence is compared by
  // metadata and head/tail hash only, since re-reading it doubles the scan's evidence I/O.
  // Default: 4 GiB.
  std::uint64_t rehash_evidence_max_bytes = std::uint64_t{4} << 30;
  hashing::ImageHashOptions image;
  // Hash the frames of every video (MP4/MOV/3GP, AVI, MKV/WebM by magic bytes) and match them
  // (engine/matching/video_matcher.h). Default: true.
  bool video = true;
  hashing::VideoHashOptions video_hashing;
  VideoMatchOptions video_match;
  // Library mode's geometric stage (KnownMatcher::MatchGeometric) for every picture the cheaper stages
  // found nothing for, when the index holds library feature sets (RunScan keeps each decoded picture
  // until it is matched). Default: true.
  bool geometric = true;
  ingest::SourceOptions source;
  // Crash-injection points for tests (engine/test_hooks.h). Default: none.
  const TestHooks* hooks = nullptr;
};

// What happened to one source in this run.
enum class ScanOutcome : std::uint8_t {
  kScanned,          // new evidence, read and hashed now
  kResumed,          // an interrupted run of the same content, continued
  kAlreadyComplete,  // scanned before with the same settings against the same index: nothing to do
  kRematched,        // scanned before; the index changed since: its stored hashes were matched again
  kFailed,           // could not be scanned (see failure)
};

// An earlier evidence item found at the same path whose content was different.
struct EarlierAtPath {
  std::uint32_t number = 0;
  std::string fingerprint_id;
  std::int64_t started = 0;
};

struct EvidenceSummary {
  std::uint32_t number = 0;  // 0 when the source failed before it had an evidence number
  std::string id;
  std::string source;
  std::string type;
  ScanOutcome outcome = ScanOutcome::kScanned;
  EvidenceFingerprint fingerprint;
  std::vector<EarlierAtPath> earlier_at_path;
  std::int64_t first_scanned = 0;  // command clock of the evidence's first run
  std::uint64_t resumed_from = 0;  // items skipped because an earlier run committed them
  EvidenceCounts counts;           // this evidence item, all runs
  std::string integrity;           // "md5 ..., sha1 ... (stored hashes: verified)" or why not
  // Checked at the end of this run ("yes" / "changed" / "no"); state "" when the evidence was not read
  // in this run (already complete, re-matched).
  EvidenceVerification verified_at_end;
  EvidenceVerification earlier_verification;  // for evidence not read now: how its scan ended
  IndexStamp index;                // the index its hits reflect now
  IndexStamp index_before;         // kRematched: the index they reflected before
  std::uint64_t hits_gained = 0, hits_lost = 0, files_changed = 0;  // kRematched
  // Pictures without hits put through the geometric stage again in this run, for library feature sets
  // added since they were compared (engine/scan/geometric_recheck.h), and the hits that found.
  std::uint64_t geometric_rechecked = 0, geometric_hits_gained = 0;
  std::string failure;             // non-empty when the source could not be scanned (or not to the end)
  std::uint64_t errors() const { return counts.errors + (failure.empty() ? 0 : 1); }
};

struct ScanSummary {
  std::vector<EvidenceSummary> evidence;
  IndexStamp index;      // the index used (empty: none)
  std::string case_location;
  std::int64_t started_utc = 0;
  double seconds = 0;
  std::uint64_t TotalErrors() const;
};

// Scans each source into the case and records the run in the audit log; an attached subject is
// re-scored. `index` may be null (no matching).
Result<ScanSummary> RunScan(Case& case_store, const index::KnownIndex* index, const std::vector<std::string>& sources,
                            const ScanOptions& options, const CommandContext& context, Progress& progress);

}  // namespace hashtriage::engine

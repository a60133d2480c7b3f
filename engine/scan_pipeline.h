// The evidence scan: enumerate (serial) -> read + digest -> decode + PDQ -> match -> persist (serial,
// batched), on a oneTBB parallel_pipeline with a bounded number of items and bytes in flight.
// Identical content (XXH3-128) is decoded and matched once per scan. Every item becomes one file
// record keyed by its enumeration order; records are committed in batches together with the resume
// point, so a scan killed at any moment and run again continues where it stopped and ends with the
// same records (none missing, none twice). A failing item never throws: its error is recorded.
// Thread-safety: RunScan uses the store and index from its own threads; the caller must not write
// the same case concurrently (the case store's process lock guarantees it across processes).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/case_store.h"
#include "engine/progress.h"
#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "index/category.h"
#include "index/known_index.h"
#include "ingest/source_options.h"

namespace hashtriage::engine {

struct ScanOptions {
  // Attach the evidence to this subject (see `subject show`). Default: none.
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
  // scan's identity: it changes records. Default: 256 MiB.
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
  // metadata (size, inode, mtime, ctime) only, since re-reading it doubles the scan's evidence I/O.
  // Default: 4 GiB.
  std::uint64_t rehash_evidence_max_bytes = std::uint64_t{4} << 30;
  hashing::ImageHashOptions image;
  ingest::SourceOptions source;
};

// Match counts for one category.
struct CategoryCounts {
  std::uint64_t exact = 0;  // files with an exact (md5/sha1/sha256) membership in the category
  std::uint64_t near = 0;   // files with only a perceptual match in the category
};

struct EvidenceSummary {
  std::uint32_t number = 0;
  std::string id;
  std::string source;
  std::string type;
  bool already_complete = false;  // nothing to do: scanned before with the same options
  bool resumed = false;
  std::uint64_t resumed_from = 0;  // items skipped because an earlier run committed them
  std::uint64_t files = 0;         // regular files examined (this run + earlier runs)
  std::uint64_t images = 0;
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;        // items that could not be read or decoded
  std::uint64_t files_with_hits = 0;
  std::array<CategoryCounts, index::kCategoryCount> by_category{};
  std::string integrity;           // "md5=... sha1=... (E01 stored hashes verified)" or why not
  std::string verified_at_end;     // "yes", "changed" (counted in errors) or "no"; see engine/evidence_check.h
  std::string verification;        // how it was verified and what changed
  std::string failure;             // non-empty when the source could not be scanned (or not to the end)
};

struct ScanSummary {
  std::vector<EvidenceSummary> evidence;
  double seconds = 0;
  std::uint64_t TotalErrors() const;
  bool AnyIndecentMatch() const;
};

// Scans each source into the case. `index` may be null (no matching). `now` is the command clock.
// `command_line` is recorded in the evidence record.
Result<ScanSummary> RunScan(CaseStore& store, const index::KnownIndex* index, const std::vector<std::string>& sources,
                            const ScanOptions& options, std::int64_t now, Progress& progress);

}  // namespace hashtriage::engine

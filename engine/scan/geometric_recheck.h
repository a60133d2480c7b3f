// Re-examining pictures for library sets added after a scan: the geometric stage compares pictures, not
// hashes, and region cells are computed only when the index holds library sets, so a re-match from
// stored hashes (engine/scan/rematch.h) cannot apply a library feature set added or rebuilt after a scan,
// nor region-match a picture scanned before any library set existed. When the evidence is scanned again
// (its content unchanged, so the scan would otherwise only re-match), RecheckGeometrically reads it once
// more: each picture without a hit gets the region cells it lacks (stored with its query hashes) and is
// matched again, then put through the geometric stage against the feature sets it was never compared
// with; the record notes which feature sets its pictures have now met (EvidenceRecord::geometric_checked). Until that happens, the re-match reports how
// many pictures were not compared, so "nothing found" is never claimed for them. Only pictures whose
// stored XXH3-128 the re-read bytes still have are examined: evidence that changed is an error.
// Single-threaded; writes the case like a re-match (batched, each batch audited).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/case/case.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/command_context.h"
#include "engine/matching/known_matcher.h"
#include "hashing/image_hasher.h"
#include "index/known_index.h"
#include "ingest/evidence_source.h"

namespace hashtriage::engine {

// The index's library feature sets (NAME+features), name -> generation.
std::map<std::string, std::uint32_t> FeatureSetsOf(const index::KnownIndex& index);

// True when the index holds a feature set that `checked` does not name at its current generation.
bool HasUncheckedFeatureSets(const index::KnownIndex& index, const std::map<std::string, std::uint32_t>& checked);

struct GeometricRecheck {
  std::uint64_t pictures = 0;       // pictures without hits put through the geometric stage now
  std::uint64_t files_changed = 0;  // of them, those that gained hits
  std::uint64_t hits_gained = 0;
};

struct RecheckOptions {
  hashing::ImageHashOptions image;            // hashing as the scan hashes (region cells and luma as needed)
  std::uint64_t max_image_bytes = 256ull << 20;
  bool geometric = true;     // compare pictures with the feature sets they have not met
  bool region_cells = false; // compute the region cells pictures lack (the index holds library sets now)
};

// Opens the evidence again, enumerating it in the scan's order.
using SourceOpener = std::function<Result<std::unique_ptr<ingest::EvidenceSource>>()>;

// Re-reads the evidence of `record` (opened only when some picture without hits needs it, per options),
// matches those pictures again, and updates their file records, the counts and (with options.geometric)
// geometric_checked, to every feature set of the matcher's index, in `c`; `record` too. Nothing is
// written when nothing changed.
Result<GeometricRecheck> RecheckGeometrically(Case& c, EvidenceRecord& record, const SourceOpener& open_source,
                                              const KnownMatcher& matcher, const RecheckOptions& options,
                                              const CommandContext& context);

}  // namespace hashtriage::engine

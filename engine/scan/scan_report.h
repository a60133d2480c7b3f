// How a scan is reported: JSON for tools, a text summary for examiners, and the kiosk verdict: one
// screen in plain words per device for a non-specialist officer (counts only; no file names that could
// describe content, never images) with when, which case, which device content (its fingerprint) and
// which hash sets, ending with what to do next. A match in a set whose category was not recorded is
// known material all the same: specialist review. Pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/scan/scan_pipeline.h"

namespace hashtriage::engine {

// True when any evidence of the summary holds known material (engine/matching/hit.h IsKnownMaterial),
// by exact or near match.
bool AnyKnownMaterial(const ScanSummary& summary);
// The same for one evidence item's counts.
bool HasKnownMaterial(const EvidenceCounts& counts);

nlohmann::json ScanSummaryToJson(const ScanSummary& summary);
std::string ScanSummaryText(const ScanSummary& summary);
// `matched` is false when no index was used (then the verdict says matching was not done).
std::string KioskVerdict(const ScanSummary& summary, bool matched);

}  // namespace hashtriage::engine

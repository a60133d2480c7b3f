// How a scan is reported: JSON for tools, a text summary for examiners, and the kiosk verdict: one
// screen in plain words for a non-specialist officer (counts only; no file names that could
// describe content, never images) ending with what to do next. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/scan_pipeline.h"

namespace hashtriage::engine {

nlohmann::json ScanSummaryToJson(const ScanSummary& summary);
std::string ScanSummaryText(const ScanSummary& summary);
// `matched` is false when no index was used (then the verdict says matching was not done).
std::string KioskVerdict(const ScanSummary& summary, bool matched);

}  // namespace hashtriage::engine

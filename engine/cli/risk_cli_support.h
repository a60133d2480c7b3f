// Small helpers shared by the risk commands (queue, rank, review, dip-sample, forecast, export
// queue|vics): opening the case, writing output to a file or stdout. No state.
#pragma once

#include <memory>
#include <string>

#include "engine/case_store.h"
#include "hashing/status.h"

namespace hashtriage::cli {

// Opens an existing case ("" = $HASHTRIAGE_CASE or ./hashtriage-case); never creates one.
Result<std::unique_ptr<engine::CaseStore>> OpenRiskCase(const std::string& dir, bool read_only);

// Writes `text` to `path` (created 0600, replaced), or to stdout when `path` is "".
Status WriteOutput(const std::string& path, const std::string& text);

}  // namespace hashtriage::cli

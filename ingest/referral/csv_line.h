// SplitCsvLine: one line of CSV into its cells (RFC 4180 quoting within the line: "a ""b""" -> a "b").
// Intake files and attribute imports are line-oriented: a quoted cell never spans lines, so one broken
// quote costs one record, not the rest of the file. Pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashtriage::ingest {

// nullopt when a quoted cell is not closed on the line.
std::optional<std::vector<std::string>> SplitCsvLine(std::string_view line, char delimiter = ',');

}  // namespace hashtriage::ingest

// SourceSize: how many regular files and bytes a directory of evidence holds, for a progress display's
// total and ETA before a scan. Walks the tree the way the scan's directory source does (directories
// opened O_NOFOLLOW|O_NOATIME, symlinks never followed, each directory visited once), reads no file
// content, and stops early (complete = false) at `max_entries` entries. Never an error: what cannot be
// listed is simply not counted.
#pragma once

#include <cstdint>
#include <filesystem>

namespace hashtriage::ingest {

struct SourceSize {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  bool complete = true;
};

SourceSize MeasureDirectory(const std::filesystem::path& dir, std::uint64_t max_entries = 10'000'000);

}  // namespace hashtriage::ingest

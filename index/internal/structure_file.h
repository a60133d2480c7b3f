// StructureFile: a file of derived, read-only arrays (the PDQ search tables, the exact-digest filters)
// written once beside the RocksDB store and then memory-mapped by every process that opens the index,
// so opening touches only the pages a query uses and concurrent processes share them in the page
// cache. Each file names what it holds (`kind`) and the index state it was built from (`fingerprint`,
// see search_structures.h); a reader that finds another kind, another fingerprint, a short file or a
// malformed header gets nothing and builds the structure itself: a file is never trusted beyond that.
// Writing goes to a temporary file that is renamed into place, so a reader sees the old file or the
// new one, never part of one. Layout: a header (magic, kind, fingerprint, parameters, section table)
// padded to 4 KiB, then each section at a 4 KiB boundary; integers little-endian as in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"

namespace hashtriage::index::internal {

struct StructureSection {
  const void* data = nullptr;
  std::size_t bytes = 0;
};

Status WriteStructureFile(const std::string& path, std::string_view kind, std::string_view fingerprint,
                          std::span<const std::uint64_t> params, std::span<const StructureSection> sections);

class MappedStructure {
 public:
  // The file at `path` mapped read-only when it holds `kind` built from `fingerprint`; null otherwise,
  // with the reason in `why` ("absent", "built from another index state", "truncated" ...).
  static std::shared_ptr<const MappedStructure> Open(const std::string& path, std::string_view kind,
                                                     std::string_view fingerprint, std::string* why);
  ~MappedStructure();
  MappedStructure(const MappedStructure&) = delete;
  MappedStructure& operator=(const MappedStructure&) = delete;

  const std::vector<std::uint64_t>& params() const { return params_; }
  std::size_t sections() const { return sections_.size(); }
  const void* section(std::size_t i) const { return sections_[i].data; }
  std::size_t section_bytes(std::size_t i) const { return sections_[i].bytes; }

 private:
  MappedStructure() = default;
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::vector<std::uint64_t> params_;
  std::vector<StructureSection> sections_;
};

}  // namespace hashtriage::index::internal

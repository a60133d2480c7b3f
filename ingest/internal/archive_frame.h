// ArchiveFrame: enumerates one archive (anything libarchive reads) from a ByteReader. libarchive is
// sequential, so each regular entry is read completely while enumerating: into memory up to
// SourceOptions::max_in_memory_entry_bytes, beyond that into an anonymous scratch file (or, with no
// scratch_dir, the entry is reported with ResourceLimit). Every decompressed byte is charged to the
// ArchiveBudget shared by the outermost archive and all archives nested in it (zip-bomb guard).
// Entry names are data: they are escaped into provenance steps and never used as paths.
// Used by the enumeration thread only; the ContentHandles it yields are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ingest/internal/frame.h"
#include "ingest/source_options.h"

namespace hashtriage::ingest::internal {

struct ArchiveBudget {
  std::string root_path;  // provenance path of the outermost archive
  std::uint64_t limit = 0;
  std::uint64_t used = 0;
  bool exhausted = false;  // once set, every frame charging this budget ends

  // The budget for an outermost archive of `compressed_size` bytes (see SourceOptions).
  static std::shared_ptr<ArchiveBudget> For(std::string root_path, std::uint64_t compressed_size,
                                            const SourceOptions& options);
};

// Called for each entry before it is yielded, with the entry's raw name (UFDR uses it to attach the
// original device path and times from report.xml).
using EntryAnnotator = std::function<void(std::string_view raw_name, ItemInfo& info)>;

struct ArchiveFrameParams {
  std::string evidence_id;
  std::string container_path;  // provenance path of the archive itself; entries are steps below it
  std::string container_name;  // escaped file name of the archive, names the single entry of a .gz etc.
  std::shared_ptr<ArchiveBudget> budget;
  EntryAnnotator annotator;  // optional
};

std::unique_ptr<Frame> MakeArchiveFrame(std::unique_ptr<ByteReader> reader, ArchiveFrameParams params,
                                        const SourceOptions& options);

}  // namespace hashtriage::ingest::internal

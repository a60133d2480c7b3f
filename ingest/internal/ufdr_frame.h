// UFDR (Cellebrite-style reader package): a zip whose root holds report.xml. report.xml is located
// through the zip's central directory and parsed (streaming) before enumeration, so every package entry
// it describes carries the original device path (ItemInfo::original_path), deleted flag and times from
// the report; the provenance path keeps the package-internal name ("x.ufdr/zip:files/Image/a.jpg").
// Files the report lists but the package lacks are reported as NotFound errors at the end.
// Enumeration thread only.
#pragma once

#include <memory>
#include <string>

#include "ingest/internal/archive_frame.h"
#include "ingest/internal/content.h"
#include "ingest/internal/frame.h"

namespace hashtriage::ingest::internal {

// True if `zip` is a zip with report.xml at its root. `name` is used in error messages.
Result<bool> IsUfdrPackage(const ContentHandle& zip, const std::string& name);

Result<std::unique_ptr<Frame>> MakeUfdrFrame(std::shared_ptr<ContentHandle> zip, const std::string& name,
                                             ArchiveFrameParams params, const SourceOptions& options);

}  // namespace hashtriage::ingest::internal

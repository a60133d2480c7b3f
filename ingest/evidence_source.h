// EvidenceSource: the one way the pipeline enumerates evidence. OpenEvidenceSource detects the type
// (or takes SourceOptions::type), opens the evidence read-only and returns an iterator of Items.
// Thread-safety: Next() is called by one thread (the pipeline's serial enumeration stage). The readers in
// the returned Items are independent of the source (see item.h) and may be used on other threads.
// Evidence is never written, never followed out of (symlinks are recorded, archive entry names are data),
// and opened with O_NOATIME where the OS permits. One bad item never stops the rest: it comes as an Item
// with a non-OK status (or kind kError); Next() itself fails only when the whole source cannot go on.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hashing/status.h"
#include "ingest/item.h"
#include "ingest/source_options.h"

namespace hashtriage::ingest {

class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;
  // The next item, or nullopt when enumeration is complete.
  virtual Result<std::optional<Item>> Next() = 0;
  virtual SourceType type() const = 0;
  // The evidence id used as the first provenance step.
  virtual const std::string& evidence_id() const = 0;
};

// Detects the type of `path` from its content: a directory; EWF signature "EVF\x09\x0d\x0a\xff\x00"
// (or EWF2 "EVF2\r\n\x81\x00"); zip with report.xml at the root (UFDR); archive magic (zip, 7z, rar,
// gzip, bzip2, xz, zstd, lz4, ustar, cpio, iso9660); a partition table or file system The Sleuth Kit
// recognises; otherwise a single file. FIFOs and sockets are refused (never opened for reading).
Result<SourceType> DetectSourceType(const std::string& path);

// Opens `path` as evidence. options.type == kAuto detects the type; another value forces it.
Result<std::unique_ptr<EvidenceSource>> OpenEvidenceSource(const std::string& path,
                                                           const SourceOptions& options = {});

}  // namespace hashtriage::ingest

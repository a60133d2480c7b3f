// Frame: one layer of an evidence source being enumerated (a directory tree, an archive, a file system).
// ExpandingSource keeps a stack of frames: when a frame yields a file that is itself an archive, a new
// archive frame is pushed and drained before the outer frame continues. A frame never fails as a whole:
// a problem becomes an entry with kind kError (or a non-OK status), after which the frame may end.
// Frames are used by the enumeration thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ingest/internal/content.h"
#include "ingest/item.h"

namespace hashtriage::ingest::internal {

struct FrameEntry {
  ItemInfo info;
  std::shared_ptr<ContentHandle> content;  // set iff info.kind == kFile && info.status.ok()
};

class Frame {
 public:
  virtual ~Frame() = default;
  virtual std::optional<FrameEntry> Next() = 0;
};

// An entry that only reports a problem at `path`.
inline FrameEntry ErrorEntry(const std::string& evidence_id, std::string path, Status status,
                             bool inside_archive) {
  FrameEntry e;
  e.info.evidence_id = evidence_id;
  e.info.path = std::move(path);
  e.info.kind = ItemKind::kError;
  e.info.status = std::move(status);
  e.info.inside_archive = inside_archive;
  return e;
}

}  // namespace hashtriage::ingest::internal

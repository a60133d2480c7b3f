// TskFrame: enumerates the files of a disk image with The Sleuth Kit: an unpartitioned file system, or
// each allocated partition of a partition table (provenance step "p<slot>", the slot `mmls` shows), then
// every allocated and (SourceOptions::include_deleted) deleted file, including TSK's $OrphanFiles.
// The image is reached only through an ImageReader (raw or EWF), handed to TSK as an external image, so
// raw and E01 evidence take exactly the same path. File contents are read on demand by readers that
// open the file by metadata address; all TSK calls on one file system share a mutex, so readers work on
// any thread. Enumeration thread only for the frame itself. After each FAT/exFAT volume, allocated
// clusters that no directory reached are reported as an error of the volume (unreached_space.h), and
// (SourceOptions::carve) JPEG and PNG pictures are carved from its unallocated space (picture_carver.h),
// each a kFile item with carved set, provenance step "carved:<image offset>+<length>.<jpg|png>".
#pragma once

#include <memory>
#include <string>

#include "ingest/internal/frame.h"
#include "ingest/internal/image_reader.h"
#include "ingest/source_options.h"

namespace hashtriage::ingest::internal {

// NotSupported when the image holds neither a file system nor a partition table TSK recognises.
Result<std::unique_ptr<Frame>> MakeDiskImageFrame(std::shared_ptr<ImageReader> reader, std::string evidence_id,
                                                  const SourceOptions& options);

bool LooksLikeDiskImage(std::shared_ptr<ImageReader> reader);

}  // namespace hashtriage::ingest::internal

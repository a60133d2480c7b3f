// HEIF previews: the thumbnails a HEIC/HEIF file holds beside its primary picture. Unlike a JPEG's EXIF
// thumbnail they are not byte ranges that decode on their own: a preview is a coded image item ('hvc1',
// 'av01'), or a grid of them, whose data the item location box places in the file and whose decoder
// configuration (hvcC, av1C), size and transformations are properties elsewhere (heif_meta.h). Each
// item with a 'thmb' reference is re-wrapped here as a small HEIF file of its own — the coded bytes
// unchanged, a header naming them as the primary image (a grid with its tiles) and copying their
// properties — so it decodes, hashes and matches like any picture. Pure functions of the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hashing/status.h"
#include "ingest/internal/image_reader.h"

namespace hashtriage::ingest::internal {

// Limits: the metadata box is read whole (iPhone HEICs carry a few KiB, with many grid tiles tens of KiB);
// a preview's coded data is copied into memory (previews are small; larger items are not previews).
inline constexpr std::uint64_t kMaxHeifMetaBytes = 4 * 1024 * 1024;
inline constexpr std::uint64_t kMaxHeifPreviewBytes = 4 * 1024 * 1024;
// Previews examined in one file (a picture has one or two; a hostile file may declare thousands), and
// tiles of one preview grid.
inline constexpr std::size_t kMaxHeifPreviews = 16;
inline constexpr std::size_t kMaxHeifPreviewTiles = 256;

struct HeifPreview {
  std::uint32_t item_id = 0;
  std::string item_type;         // "hvc1", "av01" or "grid"
  std::vector<std::byte> file;   // a standalone HEIF file holding the preview as its primary image
  std::uint64_t coded_size = 0;  // the item's coded bytes (its extents, concatenated)
};

struct HeifPreviews {
  std::vector<HeifPreview> found;
  // One per preview that is declared but could not be re-wrapped (data outside the file, an item type
  // not handled, too large...), naming the item. Empty when every preview was taken.
  std::vector<Status> problems;
};

// Every preview of the HEIF file `file`. Fails (Corruption) only when the file's box structure cannot be
// read at all; a single bad preview is listed in `problems` instead.
Result<HeifPreviews> FindHeifPreviews(ImageReader& file);

}  // namespace hashtriage::ingest::internal

// HEIF metadata: the item tables of a HEIF file's 'meta' box, read as ISO/IEC 14496-12 (ISOBMFF) and
// ISO/IEC 23008-12 (HEIF) lay them out — item types (iinf/infe), references (iref: 'thmb' thumbnails,
// 'dimg' the tiles of a derived image), where each item's data lies (iloc, with idat), and its
// properties (iprp: ipco, ipma). Only what finding and re-wrapping previews needs (heif_preview.h). Every
// count, size and offset is checked against the bytes present; tables are bounded, so a hostile box
// cannot make the reader allocate or loop beyond its own size. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hashtriage::ingest::internal::heif {

struct BoxHeader {
  std::string type;
  std::uint64_t size = 0;    // header included
  std::uint64_t header = 0;  // 8, or 16 with a 64-bit size
};

// The header at the start of `bytes`, for a box with `available` bytes from its start to the end of
// its container (a size of 0 means "to the end"); nullopt when the header itself is broken.
std::optional<BoxHeader> ReadBoxHeader(std::span<const std::byte> bytes, std::uint64_t available);

struct Box {
  std::string type;
  std::span<const std::byte> payload;  // after the header (a full box's version and flags included)
};

// The boxes laid end to end in `bytes` (fewer than 8 trailing bytes are padding); nullopt when one's
// size runs past the end.
std::optional<std::vector<Box>> Children(std::span<const std::byte> bytes);

struct Extent {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // 0: to the end of the data source
};
struct Location {
  int construction_method = 0;        // 0 the file, 1 the idat box, 2 another item
  std::uint32_t data_reference = 0;   // 0 this file; others name files elsewhere
  std::uint64_t base_offset = 0;
  std::vector<Extent> extents;
};
struct Association {
  std::uint32_t property_index = 0;  // 1-based into Meta::properties; 0 means none
  bool essential = false;
};

// Tables are bounded: a box declaring more items, extents or associations than this is rejected.
inline constexpr std::size_t kMaxHeifTableEntries = 1 << 16;

struct Meta {
  std::map<std::uint32_t, std::string> item_types;
  std::vector<std::uint32_t> thumbnails;                     // items with a 'thmb' reference, once each
  std::map<std::uint32_t, std::vector<std::uint32_t>> tiles;  // 'dimg': a derived image's inputs, in order
  std::map<std::uint32_t, Location> locations;
  std::vector<Box> properties;                                // ipco's boxes, in order
  std::map<std::uint32_t, std::vector<Association>> associations;
  std::span<const std::byte> idat;
};

// The tables of a 'meta' box (its payload: version, flags and children); nullopt when one of the boxes
// read is broken or the meta box is not version 0.
std::optional<Meta> ParseMeta(std::span<const std::byte> meta_payload);

}  // namespace hashtriage::ingest::internal::heif

#include "ingest/internal/heif_meta.h"

#include <algorithm>
#include <set>

namespace hashtriage::ingest::internal::heif {

namespace {

// Big-endian reads from a span, every one bounds-checked: a read past the end sets `ok` false and
// returns 0, so a parse runs to its end and is then rejected once.
class Cursor {
 public:
  explicit Cursor(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint64_t Read(int width) {
    if (width == 0) return 0;
    if (!ok_ || pos_ + static_cast<std::size_t>(width) > bytes_.size()) {
      ok_ = false;
      return 0;
    }
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes_[pos_++]);
    return value;
  }
  std::string FourCc() {
    std::string out;
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(Read(1)));
    return out;
  }
  bool ok() const { return ok_; }
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return bytes_.size() - pos_; }
  std::span<const std::byte> rest() const { return bytes_.subspan(pos_); }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// A full box's version (its flags are returned through `flags`).
int Version(Cursor& c, std::uint64_t* flags = nullptr) {
  const auto version = static_cast<int>(c.Read(1));
  const auto f = c.Read(3);
  if (flags != nullptr) *flags = f;
  return version;
}

bool ParseItemInfo(std::span<const std::byte> payload, Meta& meta) {
  Cursor c(payload);
  const int version = Version(c);
  c.Read(version == 0 ? 2 : 4);  // entry count: the boxes that follow are authoritative
  if (!c.ok()) return false;
  const auto entries = Children(c.rest());
  if (!entries || entries->size() > kMaxHeifTableEntries) return false;
  for (const Box& infe : *entries) {
    if (infe.type != "infe") continue;
    Cursor e(infe.payload);
    const int infe_version = Version(e);
    if (infe_version < 2 || infe_version > 3) continue;  // 0 and 1 describe files, not typed items
    const auto id = static_cast<std::uint32_t>(e.Read(infe_version == 2 ? 2 : 4));
    e.Read(2);  // protection index
    const std::string type = e.FourCc();
    if (e.ok()) meta.item_types[id] = type;
  }
  return true;
}

bool ParseReferences(std::span<const std::byte> payload, Meta& meta) {
  Cursor c(payload);
  const int version = Version(c);
  if (!c.ok()) return false;
  if (version > 1) return true;  // a later layout: no references read
  const int id_width = version == 0 ? 2 : 4;
  const auto refs = Children(c.rest());
  if (!refs) return false;
  std::set<std::uint32_t> thumbnails;
  for (const Box& ref : *refs) {
    if (ref.type != "thmb" && ref.type != "dimg") continue;
    Cursor r(ref.payload);
    const auto from = static_cast<std::uint32_t>(r.Read(id_width));
    const auto count = r.Read(2);
    if (!r.ok() || count * static_cast<std::uint64_t>(id_width) > r.left()) return false;
    if (ref.type == "thmb") {
      if (thumbnails.insert(from).second) meta.thumbnails.push_back(from);
      continue;
    }
    auto& tiles = meta.tiles[from];
    tiles.clear();  // one 'dimg' per derived image; a repeat replaces, never grows without bound
    for (std::uint64_t i = 0; i < count; ++i) tiles.push_back(static_cast<std::uint32_t>(r.Read(id_width)));
  }
  return true;
}

bool ValidWidth(std::uint64_t width) { return width == 0 || width == 4 || width == 8; }

bool ParseLocations(std::span<const std::byte> payload, Meta& meta) {
  Cursor c(payload);
  const int version = Version(c);
  if (version > 2) return false;
  const auto sizes = c.Read(1);
  const auto more = c.Read(1);
  const auto offset_width = sizes >> 4, length_width = sizes & 0xF, base_width = more >> 4;
  const auto index_width = version >= 1 ? (more & 0xF) : 0;
  if (!ValidWidth(offset_width) || !ValidWidth(length_width) || !ValidWidth(base_width) || !ValidWidth(index_width)) {
    return false;
  }
  const std::uint64_t extent_bytes = index_width + offset_width + length_width;
  const auto count = c.Read(version < 2 ? 2 : 4);
  if (count > kMaxHeifTableEntries) return false;
  std::size_t total_extents = 0;
  for (std::uint64_t i = 0; i < count && c.ok(); ++i) {
    const auto id = static_cast<std::uint32_t>(c.Read(version < 2 ? 2 : 4));
    Location location;
    if (version >= 1) location.construction_method = static_cast<int>(c.Read(2) & 0xF);
    location.data_reference = static_cast<std::uint32_t>(c.Read(2));
    location.base_offset = c.Read(static_cast<int>(base_width));
    const auto extents = c.Read(2);
    // Extents of no bytes at all (every width 0) can only be one: "the whole source from base_offset".
    if (extent_bytes == 0 ? extents > 1 : extents * extent_bytes > c.left()) return false;
    total_extents += extents;
    if (total_extents > kMaxHeifTableEntries) return false;
    for (std::uint64_t e = 0; e < extents && c.ok(); ++e) {
      c.Read(static_cast<int>(index_width));
      Extent extent;
      extent.offset = c.Read(static_cast<int>(offset_width));
      extent.length = c.Read(static_cast<int>(length_width));
      location.extents.push_back(extent);
    }
    meta.locations[id] = std::move(location);
  }
  return c.ok();
}

bool ParseAssociations(std::span<const std::byte> payload, Meta& meta) {
  Cursor c(payload);
  std::uint64_t flags = 0;
  const int version = Version(c, &flags);
  const auto entries = c.Read(4);
  if (entries > kMaxHeifTableEntries) return false;
  const bool wide = (flags & 1) != 0;
  for (std::uint64_t i = 0; i < entries && c.ok(); ++i) {
    const auto id = static_cast<std::uint32_t>(c.Read(version < 1 ? 2 : 4));
    const auto count = c.Read(1);
    auto& list = meta.associations[id];
    list.clear();
    for (std::uint64_t a = 0; a < count && c.ok(); ++a) {
      const auto value = c.Read(wide ? 2 : 1);
      const std::uint64_t top = wide ? 0x8000 : 0x80;
      list.push_back(Association{static_cast<std::uint32_t>(value & (top - 1)), (value & top) != 0});
    }
  }
  return c.ok();
}

bool ParseProperties(std::span<const std::byte> payload, Meta& meta) {
  const auto children = Children(payload);
  if (!children) return false;
  for (const Box& box : *children) {
    if (box.type == "ipco") {
      const auto properties = Children(box.payload);
      if (!properties || properties->size() > kMaxHeifTableEntries) return false;
      meta.properties = *properties;
    } else if (box.type == "ipma" && !ParseAssociations(box.payload, meta)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<BoxHeader> ReadBoxHeader(std::span<const std::byte> bytes, std::uint64_t available) {
  Cursor c(bytes);
  BoxHeader h;
  h.size = c.Read(4);
  h.type = c.FourCc();
  h.header = 8;
  if (h.size == 1) {
    h.size = c.Read(8);
    h.header = 16;
  } else if (h.size == 0) {
    h.size = available;
  }
  if (!c.ok() || h.size < h.header) return std::nullopt;
  return h;
}

std::optional<std::vector<Box>> Children(std::span<const std::byte> bytes) {
  std::vector<Box> boxes;
  std::size_t at = 0;
  while (bytes.size() - at >= 8) {
    const auto h = ReadBoxHeader(bytes.subspan(at), bytes.size() - at);
    if (!h || h->size > bytes.size() - at) return std::nullopt;
    const auto whole = bytes.subspan(at, static_cast<std::size_t>(h->size));
    boxes.push_back(Box{h->type, whole.subspan(static_cast<std::size_t>(h->header))});
    at += static_cast<std::size_t>(h->size);
  }
  return boxes;
}

std::optional<Meta> ParseMeta(std::span<const std::byte> meta_payload) {
  Cursor c(meta_payload);
  if (Version(c) != 0 || !c.ok()) return std::nullopt;
  const auto children = Children(c.rest());
  if (!children) return std::nullopt;
  Meta meta;
  for (const Box& box : *children) {
    bool ok = true;
    if (box.type == "iinf") ok = ParseItemInfo(box.payload, meta);
    if (box.type == "iref") ok = ParseReferences(box.payload, meta);
    if (box.type == "iloc") ok = ParseLocations(box.payload, meta);
    if (box.type == "iprp") ok = ParseProperties(box.payload, meta);
    if (box.type == "idat") meta.idat = box.payload;
    if (!ok) return std::nullopt;
  }
  return meta;
}

}  // namespace hashtriage::ingest::internal::heif

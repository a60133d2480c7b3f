#include "ingest/internal/heif_preview.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string_view>

namespace hashtriage::ingest::internal {

namespace heif_boxes {

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
  void Skip(std::size_t n) {
    if (pos_ + n > bytes_.size()) ok_ = false;
    pos_ = std::min(pos_ + n, bytes_.size());
  }
  bool ok() const { return ok_; }
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

struct Box {
  std::string type;
  std::span<const std::byte> whole;    // header and payload
  std::span<const std::byte> payload;  // after the header (and, for a full box, not yet past version/flags)
};

struct BoxHeader {
  std::string type;
  std::uint64_t size = 0;    // header included
  std::uint64_t header = 0;  // 8, or 16 with a 64-bit size
};

// The header at the start of `bytes`, for a box with `available` bytes from its start to the end of
// its container (a size of 0 means "to the end"); nullopt when the header itself is broken.
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

// The boxes laid end to end in `bytes`; nullopt when one's size runs past the end.
std::optional<std::vector<Box>> Children(std::span<const std::byte> bytes) {
  std::vector<Box> boxes;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const auto h = ReadBoxHeader(bytes.subspan(at), bytes.size() - at);
    if (!h || h->size > bytes.size() - at) return std::nullopt;
    const auto whole = bytes.subspan(at, static_cast<std::size_t>(h->size));
    boxes.push_back(Box{h->type, whole, whole.subspan(static_cast<std::size_t>(h->header))});
    at += static_cast<std::size_t>(h->size);
  }
  return boxes;
}

const Box* Find(const std::vector<Box>& boxes, std::string_view type) {
  for (const Box& b : boxes) {
    if (b.type == type) return &b;
  }
  return nullptr;
}

struct Extent {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // 0: to the end of the data source
};
struct Location {
  int construction_method = 0;  // 0 file, 1 idat, 2 another item (not supported)
  std::uint64_t base_offset = 0;
  std::vector<Extent> extents;
};
struct Association {
  std::uint32_t property_index = 0;  // 1-based into ipco
  bool essential = false;
};

struct Meta {
  std::map<std::uint32_t, std::string> item_types;
  std::vector<std::uint32_t> thumbnails;  // items with a 'thmb' reference, in order
  std::map<std::uint32_t, Location> locations;
  std::vector<Box> properties;
  std::map<std::uint32_t, std::vector<Association>> associations;
  std::span<const std::byte> idat;
};

bool ParseItemInfo(std::span<const std::byte> payload, Meta& meta) {
  Cursor c(payload);
  const auto version = c.Read(1);
  c.Skip(3);
  c.Read(version == 0 ? 2 : 4);  // entry count: the boxes that follow are authoritative
  const auto entries = Children(payload.subspan(std::min(c.pos(), payload.size())));
  if (!c.ok() || !entries) return false;
  for (const Box& infe : *entries) {
    if (infe.type != "infe") continue;
    Cursor e(infe.payload);
    const auto infe_version = e.Read(1);
    e.Skip(3);
    if (infe_version < 2) continue;  // versions 0 and 1 describe files, not typed items
    const auto id = static_cast<std::uint32_t>(e.Read(infe_version == 2 ? 2 : 4));
    e.Read(2);  // protection index
    const std::string type = e.FourCc();
    if (e.ok()) meta.item_types[id] = type;
  }
  return true;
}

bool ParseReferences(std::span<const std::byte> payload, Meta& meta) {
  Cursor c(payload);
  const auto version = c.Read(1);
  c.Skip(3);
  const int id_width = version == 0 ? 2 : 4;
  const auto refs = Children(payload.subspan(std::min(c.pos(), payload.size())));
  if (!c.ok() || !refs) return false;
  for (const Box& ref : *refs) {
    if (ref.type != "thmb") continue;
    Cursor r(ref.payload);
    const auto from = static_cast<std::uint32_t>(r.Read(id_width));
    r.Read(2);  // reference count: the masters do not matter here
    if (!r.ok()) return false;
    if (std::find(meta.thumbnails.begin(), meta.thumbnails.end(), from) == meta.thumbnails.end()) {
      meta.thumbnails.push_back(from);
    }
  }
  return true;
}

bool ValidWidth(std::uint64_t width) { return width == 0 || width == 4 || width == 8; }

bool ParseLocations(std::span<const std::byte> payload, Meta& meta) {
  Cursor c(payload);
  const auto version = c.Read(1);
  c.Skip(3);
  if (version > 2) return false;
  const auto sizes = c.Read(1);
  const auto more = c.Read(1);
  const auto offset_width = sizes >> 4, length_width = sizes & 0xF, base_width = more >> 4;
  const auto index_width = version >= 1 ? (more & 0xF) : 0;
  if (!ValidWidth(offset_width) || !ValidWidth(length_width) || !ValidWidth(base_width) || !ValidWidth(index_width)) {
    return false;
  }
  const auto count = c.Read(version < 2 ? 2 : 4);
  for (std::uint64_t i = 0; i < count && c.ok(); ++i) {
    const auto id = static_cast<std::uint32_t>(c.Read(version < 2 ? 2 : 4));
    Location location;
    if (version >= 1) location.construction_method = static_cast<int>(c.Read(2) & 0xF);
    c.Read(2);  // data reference index: 0 is "this file"; others are not followed
    location.base_offset = c.Read(static_cast<int>(base_width));
    const auto extents = c.Read(2);
    if (extents > c.left()) return false;
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

bool ParseProperties(std::span<const std::byte> payload, Meta& meta) {
  const auto children = Children(payload);
  if (!children) return false;
  if (const Box* ipco = Find(*children, "ipco")) {
    const auto properties = Children(ipco->payload);
    if (!properties) return false;
    meta.properties = *properties;
  }
  for (const Box& ipma : *children) {
    if (ipma.type != "ipma") continue;
    Cursor c(ipma.payload);
    const auto version = c.Read(1);
    const auto flags = c.Read(3);
    const auto entries = c.Read(4);
    for (std::uint64_t i = 0; i < entries && c.ok(); ++i) {
      const auto id = static_cast<std::uint32_t>(c.Read(version < 1 ? 2 : 4));
      const auto count = c.Read(1);
      auto& list = meta.associations[id];
      for (std::uint64_t a = 0; a < count && c.ok(); ++a) {
        const bool wide = (flags & 1) != 0;
        const auto value = c.Read(wide ? 2 : 1);
        const std::uint64_t top = wide ? 0x8000 : 0x80;
        list.push_back(Association{static_cast<std::uint32_t>(value & (top - 1)), (value & top) != 0});
      }
    }
    if (!c.ok()) return false;
  }
  return true;
}

std::optional<Meta> ParseMeta(std::span<const std::byte> meta_payload) {
  if (meta_payload.size() < 4) return std::nullopt;
  const auto children = Children(meta_payload.subspan(4));  // past version and flags
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

// ---- writing the standalone file ----

void Put(std::vector<std::byte>& out, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xFF));
}
void Put(std::vector<std::byte>& out, std::string_view text) {
  for (char ch : text) out.push_back(static_cast<std::byte>(ch));
}
void Put(std::vector<std::byte>& out, std::span<const std::byte> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

std::vector<std::byte> MakeBox(std::string_view type, const std::vector<std::byte>& payload) {
  std::vector<std::byte> out;
  Put(out, payload.size() + 8, 4);
  Put(out, type);
  Put(out, payload);
  return out;
}

// A HEIF file whose one item (id 1, the primary) is `coded` of `type` with `properties`.
std::vector<std::byte> StandaloneFile(std::string_view type, const std::vector<const Box*>& properties,
                                      const std::vector<bool>& essential, std::span<const std::byte> coded) {
  std::vector<std::byte> ftyp;
  Put(ftyp, type == "av01" ? "avif" : "heic");
  Put(ftyp, 0, 4);
  Put(ftyp, "mif1");
  Put(ftyp, type == "av01" ? "avif" : "heic");

  std::vector<std::byte> hdlr;
  Put(hdlr, 0, 4);  // version, flags
  Put(hdlr, 0, 4);  // pre-defined
  Put(hdlr, "pict");
  for (int i = 0; i < 3; ++i) Put(hdlr, 0, 4);  // reserved
  Put(hdlr, 0, 1);  // empty name
  std::vector<std::byte> pitm;
  Put(pitm, 0, 4);
  Put(pitm, 1, 2);
  std::vector<std::byte> infe;
  Put(infe, 0x02000000, 4);  // version 2
  Put(infe, 1, 2);
  Put(infe, 0, 2);
  Put(infe, type);
  Put(infe, 0, 1);
  std::vector<std::byte> iinf;
  Put(iinf, 0, 4);
  Put(iinf, 1, 2);
  Put(iinf, MakeBox("infe", infe));
  std::vector<std::byte> ipco;
  for (const Box* p : properties) Put(ipco, p->whole);
  std::vector<std::byte> ipma;
  Put(ipma, 0, 4);
  Put(ipma, 1, 4);
  Put(ipma, 1, 2);
  Put(ipma, properties.size(), 1);
  for (std::size_t i = 0; i < properties.size(); ++i) Put(ipma, (essential[i] ? 0x80 : 0) | (i + 1), 1);
  std::vector<std::byte> iprp = MakeBox("ipco", ipco);
  Put(iprp, MakeBox("ipma", ipma));

  // iloc's offset points into mdat, after everything above: its size is known before its value.
  auto meta_without_iloc = [&](std::uint64_t data_offset) {
    std::vector<std::byte> iloc;
    Put(iloc, 0, 4);     // version 0
    Put(iloc, 0x44, 1);  // offset and length 4 bytes
    Put(iloc, 0x00, 1);  // no base offset
    Put(iloc, 1, 2);
    Put(iloc, 1, 2);  // item 1
    Put(iloc, 0, 2);  // this file
    Put(iloc, 1, 2);  // one extent
    Put(iloc, data_offset, 4);
    Put(iloc, coded.size(), 4);
    std::vector<std::byte> meta;
    Put(meta, 0, 4);
    Put(meta, MakeBox("hdlr", hdlr));
    Put(meta, MakeBox("pitm", pitm));
    Put(meta, MakeBox("iloc", iloc));
    Put(meta, MakeBox("iinf", iinf));
    Put(meta, MakeBox("iprp", iprp));
    return MakeBox("meta", meta);
  };
  std::vector<std::byte> out = MakeBox("ftyp", ftyp);
  const std::size_t header = out.size() + meta_without_iloc(0).size() + 8;
  Put(out, meta_without_iloc(header));
  Put(out, coded.size() + 8, 4);
  Put(out, "mdat");
  Put(out, coded);
  return out;
}

// The coded bytes of `location`, concatenated; an error message when they cannot be read.
Result<std::vector<std::byte>> ReadItemData(ImageReader& file, const Meta& meta, const Location& location) {
  if (location.construction_method > 1) return Status::NotSupported("its data is built from another item");
  const std::uint64_t source_size = location.construction_method == 0 ? file.size() : meta.idat.size();
  std::vector<std::byte> data;
  for (const Extent& e : location.extents) {
    const std::uint64_t start = location.base_offset + e.offset;
    if (start < e.offset || start > source_size) return Status::Corruption("its data starts past the end of the file");
    const std::uint64_t length = e.length == 0 ? source_size - start : e.length;
    if (length > source_size - start) return Status::Corruption("its data runs past the end of the file");
    if (data.size() + length > kMaxHeifPreviewBytes) return Status::ResourceLimit("its data is too large for a preview");
    const std::size_t at = data.size();
    data.resize(at + length);
    if (location.construction_method == 1) {
      std::copy_n(meta.idat.begin() + static_cast<std::ptrdiff_t>(start), length, data.begin() + static_cast<std::ptrdiff_t>(at));
      continue;
    }
    HT_ASSIGN_OR_RETURN(const std::size_t got, file.ReadAt(start, std::span(data).subspan(at)));
    if (got != length) return Status::Corruption("its data could not be read whole");
  }
  if (data.empty()) return Status::Corruption("it has no data");
  return data;
}

}  // namespace heif_boxes

bool LooksLikeHeif(std::span<const std::byte> prefix) {
  heif_boxes::Cursor c(prefix);
  const auto size = c.Read(4);
  if (c.FourCc() != "ftyp" || !c.ok() || size < 16 || size > prefix.size()) return false;
  static constexpr std::array<std::string_view, 8> kBrands = {"mif1", "heic", "heix", "heim", "heis", "avif", "msf1", "miaf"};
  for (std::size_t at = 8; at + 4 <= size; at += 4) {
    if (at == 12) continue;  // the minor version
    const std::string brand(reinterpret_cast<const char*>(prefix.data() + at), 4);
    if (std::find(kBrands.begin(), kBrands.end(), brand) != kBrands.end()) return true;
  }
  return false;
}

Result<HeifPreviews> FindHeifPreviews(ImageReader& file) {
  using namespace heif_boxes;
  // Find the top-level 'meta' box by walking the headers only.
  std::uint64_t at = 0;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> meta_range;  // payload offset, size
  while (at + 8 <= file.size() && !meta_range) {
    std::array<std::byte, 16> header{};
    HT_ASSIGN_OR_RETURN(const std::size_t got, file.ReadAt(at, header));
    const auto h = ReadBoxHeader(std::span<const std::byte>(header.data(), got), file.size() - at);
    if (!h) return Status::Corruption("HEIF box structure broken at offset " + std::to_string(at));
    if (h->size > file.size() - at) {
      // A truncated file: its previews may still be whole (they usually come first in the data).
      if (h->type == "meta") return Status::Corruption("HEIF metadata box runs past the end of the file");
      break;
    }
    if (h->type == "meta") meta_range = std::pair(at + h->header, h->size - h->header);
    at += h->size;
  }
  if (!meta_range) return HeifPreviews{};
  if (meta_range->second > kMaxHeifMetaBytes) return Status::ResourceLimit("HEIF metadata box larger than 4 MiB");
  std::vector<std::byte> meta_bytes(meta_range->second);
  HT_ASSIGN_OR_RETURN(const std::size_t got, file.ReadAt(meta_range->first, meta_bytes));
  if (got != meta_bytes.size()) return Status::Corruption("HEIF metadata box not read whole");
  const std::optional<Meta> meta = ParseMeta(meta_bytes);
  if (!meta) return Status::Corruption("HEIF metadata box structure broken");

  HeifPreviews out;
  for (const std::uint32_t id : meta->thumbnails) {
    const std::string where = "HEIF preview item " + std::to_string(id) + ": ";
    if (out.found.size() == kMaxHeifPreviews) {
      out.problems.push_back(where + "more than " + std::to_string(kMaxHeifPreviews) + " previews in one file");
      break;
    }
    const auto type = meta->item_types.find(id);
    if (type == meta->item_types.end() || (type->second != "hvc1" && type->second != "av01")) {
      out.problems.push_back(where + "not a coded image item (" +
                             (type == meta->item_types.end() ? std::string("no item info") : type->second) + ")");
      continue;
    }
    const auto location = meta->locations.find(id);
    if (location == meta->locations.end()) {
      out.problems.push_back(where + "no item location");
      continue;
    }
    auto data = ReadItemData(file, *meta, location->second);
    if (!data.ok()) {
      out.problems.push_back(where + std::string(data.status().message()));
      continue;
    }
    std::vector<const Box*> properties;
    std::vector<bool> essential;
    bool properties_ok = true;
    if (const auto a = meta->associations.find(id); a != meta->associations.end()) {
      for (const Association& association : a->second) {
        if (association.property_index == 0) continue;  // "no property"
        if (association.property_index > meta->properties.size() || properties.size() == 127) {
          properties_ok = false;
          break;
        }
        properties.push_back(&meta->properties[association.property_index - 1]);
        essential.push_back(association.essential);
      }
    }
    if (!properties_ok) {
      out.problems.push_back(where + "its properties are not in the property box");
      continue;
    }
    HeifPreview preview;
    preview.item_id = id;
    preview.item_type = type->second;
    preview.coded_size = data->size();
    preview.file = StandaloneFile(type->second, properties, essential, *data);
    out.found.push_back(std::move(preview));
  }
  return out;
}

}  // namespace hashtriage::ingest::internal

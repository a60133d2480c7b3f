#include "ingest/internal/heif_preview.h"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

#include "ingest/internal/heif_meta.h"

namespace hashtriage::ingest::internal {

namespace heif_preview {

using heif::Association;
using heif::Box;
using heif::Location;
using heif::Meta;

// One item of the re-wrapped file: its type, coded data and properties (with their essential flags).
struct WrappedItem {
  std::string type;
  std::vector<std::byte> data;
  std::vector<Association> properties;  // indexes into Meta::properties
};

// ---- writing the standalone file ----

void Put(std::vector<std::byte>& out, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xFF));
}
void Put(std::vector<std::byte>& out, std::string_view text) {
  for (char ch : text) out.push_back(static_cast<std::byte>(ch));
}
void Put(std::vector<std::byte>& out, std::span<const std::byte> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

std::vector<std::byte> MakeBox(std::string_view type, std::span<const std::byte> payload) {
  std::vector<std::byte> out;
  Put(out, payload.size() + 8, 4);
  Put(out, type);
  Put(out, payload);
  return out;
}

// A HEIF file whose items are `items`, ids 1..n: item 1 the primary; when there are more, item 1 is a
// grid whose tiles ('dimg') are the others, in order. Properties are re-boxed with plain 32-bit sizes (a
// size of 0, "to the end", would swallow the boxes written after it).
std::vector<std::byte> StandaloneFile(const Meta& meta, const std::vector<WrappedItem>& items) {
  const bool av1 = std::any_of(items.begin(), items.end(), [](const WrappedItem& i) { return i.type == "av01"; });
  std::vector<std::byte> ftyp;
  Put(ftyp, av1 ? "avif" : "heic");
  Put(ftyp, 0, 4);
  Put(ftyp, "mif1");
  Put(ftyp, av1 ? "avif" : "heic");

  std::vector<std::byte> hdlr;
  Put(hdlr, 0, 4);  // version, flags
  Put(hdlr, 0, 4);  // pre-defined
  Put(hdlr, "pict");
  for (int i = 0; i < 3; ++i) Put(hdlr, 0, 4);  // reserved
  Put(hdlr, 0, 1);                              // empty name
  std::vector<std::byte> pitm;
  Put(pitm, 0, 4);
  Put(pitm, 1, 2);
  std::vector<std::byte> iinf;
  Put(iinf, 0, 4);
  Put(iinf, items.size(), 2);
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::vector<std::byte> infe;
    Put(infe, 0x02000000, 4);  // version 2
    Put(infe, i + 1, 2);
    Put(infe, 0, 2);
    Put(infe, items[i].type);
    Put(infe, 0, 1);
    Put(iinf, MakeBox("infe", infe));
  }
  std::vector<std::byte> iref;
  if (items.size() > 1) {
    std::vector<std::byte> dimg;
    Put(dimg, 1, 2);
    Put(dimg, items.size() - 1, 2);
    for (std::size_t i = 1; i < items.size(); ++i) Put(dimg, i + 1, 2);
    Put(iref, 0, 4);
    Put(iref, MakeBox("dimg", dimg));
  }
  // ipco: each property used, once, in order of first use.
  std::vector<std::uint32_t> used;
  std::map<std::uint32_t, std::uint64_t> position;  // property index -> its 1-based place in the new ipco
  for (const WrappedItem& item : items) {
    for (const Association& a : item.properties) {
      if (position.emplace(a.property_index, used.size() + 1).second) used.push_back(a.property_index);
    }
  }
  std::vector<std::byte> ipco;
  for (const std::uint32_t index : used) {
    const Box& p = meta.properties[index - 1];
    Put(ipco, MakeBox(p.type, p.payload));
  }
  const bool wide = used.size() > 127;
  std::vector<std::byte> ipma;
  Put(ipma, wide ? 1 : 0, 4);  // version 0; flags bit 0: 16-bit associations
  Put(ipma, items.size(), 4);
  for (std::size_t i = 0; i < items.size(); ++i) {
    Put(ipma, i + 1, 2);
    Put(ipma, items[i].properties.size(), 1);
    for (const Association& a : items[i].properties) {
      Put(ipma, (a.essential ? (wide ? 0x8000 : 0x80) : 0) | position.at(a.property_index), wide ? 2 : 1);
    }
  }
  std::vector<std::byte> iprp = MakeBox("ipco", ipco);
  Put(iprp, MakeBox("ipma", ipma));

  // iloc points into mdat, after everything above: its size is known before its values.
  auto meta_box = [&](std::uint64_t data_offset) {
    std::vector<std::byte> iloc;
    Put(iloc, 0, 4);     // version 0
    Put(iloc, 0x44, 1);  // offset and length 4 bytes
    Put(iloc, 0x00, 1);  // no base offset
    Put(iloc, items.size(), 2);
    for (std::size_t i = 0; i < items.size(); ++i) {
      Put(iloc, i + 1, 2);
      Put(iloc, 0, 2);  // this file
      Put(iloc, 1, 2);  // one extent
      Put(iloc, data_offset, 4);
      Put(iloc, items[i].data.size(), 4);
      data_offset += items[i].data.size();
    }
    std::vector<std::byte> payload;
    Put(payload, 0, 4);
    Put(payload, MakeBox("hdlr", hdlr));
    Put(payload, MakeBox("pitm", pitm));
    Put(payload, MakeBox("iloc", iloc));
    Put(payload, MakeBox("iinf", iinf));
    if (!iref.empty()) Put(payload, MakeBox("iref", iref));
    Put(payload, MakeBox("iprp", iprp));
    return MakeBox("meta", payload);
  };
  std::vector<std::byte> out = MakeBox("ftyp", ftyp);
  const std::size_t data_start = out.size() + meta_box(0).size() + 8;
  Put(out, meta_box(data_start));
  std::uint64_t data_size = 0;
  for (const WrappedItem& item : items) data_size += item.data.size();
  Put(out, data_size + 8, 4);
  Put(out, "mdat");
  for (const WrappedItem& item : items) Put(out, item.data);
  return out;
}

// ---- reading the items ----

// Appends the coded bytes of `location` to `data`, within `budget` bytes in all.
Status AppendItemData(ImageReader& file, const Meta& meta, const Location& location, std::uint64_t budget,
                      std::vector<std::byte>& data) {
  if (location.construction_method > 1) return Status::NotSupported("its data is built from another item");
  if (location.construction_method == 0 && location.data_reference != 0) {
    return Status::NotSupported("its data is in another file");
  }
  const std::uint64_t source_size = location.construction_method == 0 ? file.size() : meta.idat.size();
  const std::size_t before = data.size();
  for (const heif::Extent& e : location.extents) {
    const std::uint64_t start = location.base_offset + e.offset;
    if (start < e.offset || start > source_size) return Status::Corruption("its data starts past the end of the file");
    const std::uint64_t length = e.length == 0 ? source_size - start : e.length;
    if (length > source_size - start) return Status::Corruption("its data runs past the end of the file");
    if (data.size() + length > budget) return Status::ResourceLimit("its data is too large for a preview");
    const std::size_t at = data.size();
    data.resize(at + length);
    if (location.construction_method == 1) {
      std::copy_n(meta.idat.begin() + static_cast<std::ptrdiff_t>(start), length, data.begin() + static_cast<std::ptrdiff_t>(at));
      continue;
    }
    HT_ASSIGN_OR_RETURN(const std::size_t got, file.ReadAt(start, std::span(data).subspan(at)));
    if (got != length) return Status::Corruption("its data could not be read whole");
  }
  if (data.size() == before) return Status::Corruption("it has no data");
  return Status::Ok();
}

bool CodedImage(const std::string& type) { return type == "hvc1" || type == "av01"; }

// The item `id` as the wrapper needs it, data not yet read; an error when it cannot be wrapped.
Result<WrappedItem> Describe(const Meta& meta, std::uint32_t id, bool tile) {
  const auto type = meta.item_types.find(id);
  if (type == meta.item_types.end()) return Status::Corruption("no item information");
  if (!CodedImage(type->second) && (tile || type->second != "grid")) {
    return Status::NotSupported("item type '" + type->second + "' is not a coded image this scan decodes");
  }
  if (!meta.locations.contains(id)) return Status::Corruption("no item location");
  WrappedItem item;
  item.type = type->second;
  if (const auto a = meta.associations.find(id); a != meta.associations.end()) {
    for (const Association& association : a->second) {
      if (association.property_index == 0) continue;  // "no property"
      if (association.property_index > meta.properties.size()) {
        return Status::Corruption("a property it names is not in the property box");
      }
      item.properties.push_back(association);
    }
  }
  if (item.properties.size() > 255) return Status::NotSupported("more than 255 properties");
  return item;
}

// The preview `id` (a coded image, or a grid and its tiles) re-wrapped as a file of its own.
Result<HeifPreview> Wrap(ImageReader& file, const Meta& meta, std::uint32_t id) {
  std::vector<WrappedItem> items;
  std::vector<std::uint32_t> ids{id};
  HT_ASSIGN_OR_RETURN(WrappedItem first, Describe(meta, id, false));
  items.push_back(std::move(first));
  if (items[0].type == "grid") {
    const auto tiles = meta.tiles.find(id);
    if (tiles == meta.tiles.end() || tiles->second.empty()) return Status::Corruption("a grid without tiles");
    if (tiles->second.size() > kMaxHeifPreviewTiles) return Status::ResourceLimit("a grid of too many tiles");
    for (const std::uint32_t tile : tiles->second) {
      auto described = Describe(meta, tile, true);
      if (!described.ok()) return described.status().WithContext("tile item " + std::to_string(tile));
      items.push_back(std::move(described).value());
      ids.push_back(tile);
    }
  }
  std::size_t properties = 0;
  for (const WrappedItem& item : items) properties += item.properties.size();
  if (properties > 0x7FFF) return Status::NotSupported("too many properties");
  // Every check above is cheap; only now are bytes read, within one budget for the whole preview.
  std::uint64_t coded = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    HT_RETURN_IF_ERROR(AppendItemData(file, meta, meta.locations.at(ids[i]), kMaxHeifPreviewBytes - coded, items[i].data));
    coded += items[i].data.size();
  }
  HeifPreview preview;
  preview.item_id = id;
  preview.item_type = items[0].type;
  preview.coded_size = coded;
  preview.file = StandaloneFile(meta, items);
  return preview;
}

}  // namespace heif_preview

Result<HeifPreviews> FindHeifPreviews(ImageReader& file) {
  // Find the top-level 'meta' box by walking the headers only.
  std::uint64_t at = 0;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> meta_range;  // payload offset, size
  while (at + 8 <= file.size() && !meta_range) {
    std::array<std::byte, 16> header{};
    HT_ASSIGN_OR_RETURN(const std::size_t got, file.ReadAt(at, header));
    const auto h = heif::ReadBoxHeader(std::span<const std::byte>(header.data(), got), file.size() - at);
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
  const std::optional<heif::Meta> meta = heif::ParseMeta(meta_bytes);
  if (!meta) return Status::Corruption("HEIF metadata box structure broken");

  HeifPreviews out;
  const std::size_t examined = std::min(meta->thumbnails.size(), kMaxHeifPreviews);
  for (std::size_t i = 0; i < examined; ++i) {
    const std::uint32_t id = meta->thumbnails[i];
    auto preview = heif_preview::Wrap(file, *meta, id);
    if (preview.ok()) {
      out.found.push_back(std::move(preview).value());
    } else {
      out.problems.push_back(preview.status().WithContext("HEIF preview item " + std::to_string(id)));
    }
  }
  if (meta->thumbnails.size() > examined) {
    out.problems.push_back(Status::ResourceLimit(std::to_string(meta->thumbnails.size() - examined) +
                                                 " more HEIF previews declared than the " +
                                                 std::to_string(kMaxHeifPreviews) + " examined"));
  }
  return out;
}

}  // namespace hashtriage::ingest::internal

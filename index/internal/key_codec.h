// Key and value encodings of the index's RocksDB column families. Internal: callers use
// index/known_index.h. Persistent format: changing anything here needs a new kSchemaVersion.
//
//   md5/sha1/sha256/pdq/photodna CF  key = hash bytes (16/20/32/32/144) + generation (u32 big-endian)
//                                    value = EncodeEntry(EntryInfo)
//   features CF                      key = generation (u32 BE) + picture ordinal (u32 BE)
//                                    value = one library picture's local features (feature_codec.h)
//   sets CF                          "S" + set name          -> set record (JSON)
//                                    "G" + generation (u32 BE) -> "importing" | "dead"
//   default CF                       "schema_version" -> decimal; "next_generation" -> u32 BE
// A generation is one import of one set; it is live while a set record names it. Keys of any other
// generation are invisible to lookups and are dropped by compaction once the generation is dead.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/pdq_hash.h"
#include "index/membership.h"

namespace hashtriage::index::internal {

inline constexpr int kSchemaVersion = 1;

inline void PutU32BE(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}
inline std::uint32_t GetU32BE(const char* p) {
  return std::uint32_t{static_cast<unsigned char>(p[0])} << 24 | std::uint32_t{static_cast<unsigned char>(p[1])} << 16 |
         std::uint32_t{static_cast<unsigned char>(p[2])} << 8 | std::uint32_t{static_cast<unsigned char>(p[3])};
}
inline void PutU64BE(std::string& out, std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}
inline std::uint64_t GetU64BE(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

inline void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
// Reads a varint at data[pos..size); advances pos. nullopt on truncation.
inline std::optional<std::uint64_t> GetVarint(std::string_view data, std::size_t& pos) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64 && pos < data.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(data[pos++]);
    v |= std::uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

// category u8, flags u8, quality u8 (255 = none), varint-length series, varint-length media id.
inline std::string EncodeEntry(const EntryInfo& e) {
  std::string out;
  out.push_back(static_cast<char>(e.category));
  out.push_back(static_cast<char>(e.flags));
  out.push_back(static_cast<char>(e.pdq_quality < 0 || e.pdq_quality > 100 ? 255 : e.pdq_quality));
  PutVarint(out, e.series.size());
  out += e.series;
  PutVarint(out, e.media_id.size());
  out += e.media_id;
  return out;
}

inline std::optional<EntryInfo> DecodeEntry(std::string_view v) {
  if (v.size() < 5) return std::nullopt;
  EntryInfo e;
  const auto category = static_cast<unsigned char>(v[0]);
  if (category >= kCategoryCount) return std::nullopt;
  e.category = static_cast<Category>(category);
  e.flags = static_cast<std::uint8_t>(v[1]);
  const auto quality = static_cast<unsigned char>(v[2]);
  e.pdq_quality = quality == 255 ? -1 : quality;
  std::size_t pos = 3;
  for (std::string* field : {&e.series, &e.media_id}) {
    const auto len = GetVarint(v, pos);
    if (!len || *len > v.size() - pos) return std::nullopt;
    field->assign(v.substr(pos, *len));
    pos += *len;
  }
  return e;
}

inline std::string HashKey(std::string_view hash_bytes, std::uint32_t generation) {
  std::string key(hash_bytes);
  PutU32BE(key, generation);
  return key;
}

// PDQ keys hold the hash most significant byte first, as its hex form reads.
inline std::array<std::uint8_t, 32> PdqToBytes(const hashing::PdqHash& h) {
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 32; ++i) {
    const int from_low = 31 - i;
    out[i] = static_cast<std::uint8_t>(h.words[from_low / 8] >> (8 * (from_low % 8)));
  }
  return out;
}
inline hashing::PdqHash PdqFromBytes(const std::uint8_t* bytes) {
  hashing::PdqHash h;
  for (int i = 0; i < 32; ++i) {
    const int from_low = 31 - i;
    h.words[from_low / 8] |= std::uint64_t{bytes[i]} << (8 * (from_low % 8));
  }
  return h;
}

inline std::string GenerationKey(std::uint32_t generation) {
  std::string key = "G";
  PutU32BE(key, generation);
  return key;
}
inline std::string SetKey(std::string_view name) { return "S" + std::string(name); }

}  // namespace hashtriage::index::internal

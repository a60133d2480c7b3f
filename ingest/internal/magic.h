// Magic-byte sniffing: decides from the first bytes of some content what it is, without trusting names.
// Pure functions over a prefix of the content; thread-safe.
#pragma once

#include <cstddef>
#include <span>

namespace hashtriage::ingest::internal {

// How many leading bytes the sniffers look at (ISO 9660 puts its signature at 32769, 34817 or 36865).
inline constexpr std::size_t kSniffBytes = 36870;
// Enough for every archive signature except ISO 9660 (used for nested items, where ISO is not expanded).
inline constexpr std::size_t kShortSniffBytes = 512;

enum class Magic {
  kNone,
  kEwf,      // EVF\x09\x0d\x0a\xff\x00 (EWF-E01) or EVF2\r\n\x81\x00 (EWF2-Ex01)
  kZip,      // PK\x03\x04, PK\x05\x06 (empty), PK\x07\x08 (spanned)
  kArchive,  // 7z, rar, gzip, bzip2, xz, zstd, lz4, lzip, ustar, cpio, ar, iso9660
};

Magic SniffMagic(std::span<const std::byte> prefix);

}  // namespace hashtriage::ingest::internal

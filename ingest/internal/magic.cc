#include "ingest/internal/magic.h"

#include <cstring>
#include <string_view>

namespace hashtriage::ingest::internal {
namespace {

bool HasAt(std::span<const std::byte> p, std::size_t offset, std::string_view sig) {
  return p.size() >= offset + sig.size() && std::memcmp(p.data() + offset, sig.data(), sig.size()) == 0;
}

}  // namespace

Magic SniffMagic(std::span<const std::byte> p) {
  using std::literals::string_view_literals::operator""sv;
  if (HasAt(p, 0, "EVF\x09\x0d\x0a\xff\x00"sv) || HasAt(p, 0, "EVF2\x0d\x0a\x81\x00"sv)) return Magic::kEwf;
  if (HasAt(p, 0, "PK\x03\x04"sv) || HasAt(p, 0, "PK\x05\x06"sv) || HasAt(p, 0, "PK\x07\x08"sv)) return Magic::kZip;
  static constexpr std::string_view kAtZero[] = {
      "7z\xbc\xaf\x27\x1c"sv,       // 7-Zip
      "Rar!\x1a\x07"sv,             // RAR 4 and 5
      "\x1f\x8b"sv,                 // gzip
      "BZh"sv,                      // bzip2
      "\xfd" "7zXZ\x00"sv,          // xz
      "\x28\xb5\x2f\xfd"sv,         // zstd
      "\x04\x22\x4d\x18"sv,         // lz4 frame
      "LZIP"sv,                     // lzip
      "070707"sv, "070701"sv, "070702"sv, "\xc7\x71"sv,  // cpio (odc, newc, crc, binary)
      "!<arch>\n"sv,                // ar
  };
  for (std::string_view sig : kAtZero) {
    if (HasAt(p, 0, sig)) return Magic::kArchive;
  }
  if (HasAt(p, 257, "ustar"sv)) return Magic::kArchive;  // POSIX and GNU tar
  for (std::size_t off : {std::size_t{32769}, std::size_t{34817}, std::size_t{36865}}) {
    if (HasAt(p, off, "CD001"sv)) return Magic::kArchive;  // ISO 9660 volume descriptor
  }
  return Magic::kNone;
}

}  // namespace hashtriage::ingest::internal

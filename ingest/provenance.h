// Provenance paths: every item carries a path that says where it came from, one step per layer, so that
// "case.E01/p2/inode:1234:/DCIM/x.zip/zip:a/b.jpg" reads as: evidence case.E01, partition slot 2 (as
// `mmls` numbers it), file system entry with metadata address 1234 whose path is /DCIM/x.zip, and inside
// that zip the entry a/b.jpg. Steps:
//   <evidence id>                  the first step (SourceOptions::evidence_id)
//   <name>/<name>...               directory components below the evidence root
//   p<slot>                        a volume of a partitioned disk image
//   inode:<addr>:<fs path>         a file in a file system (path starts with '/')
//   <format>:<entry name>          an archive entry; format is zip, tar, 7z, iso9660, cpio, rar, ar, or
//                                  the compression (gz, bz2, xz, zst, lz4, lzma, lzip) of a single
//                                  compressed file
// Names are data, never used as file system paths. They are escaped so that a path is always valid UTF-8
// and printable: '%', control characters and bytes that are not valid UTF-8 become %XX. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hashtriage::ingest {

// Escapes a raw name (bytes as found in the evidence) as described above.
std::string EscapeName(std::string_view raw);
// Inverse of EscapeName; %XX sequences that are malformed are kept as they are.
std::string UnescapeName(std::string_view escaped);
// parent + "/" + step (step already escaped).
std::string AppendStep(std::string_view parent, std::string_view step);
// True if an archive entry name could escape an extraction directory: absolute, a drive letter, or a
// ".." component (either slash counts as a separator). Such names are recorded, never followed.
bool IsUnsafeEntryName(std::string_view raw);

}  // namespace hashtriage::ingest

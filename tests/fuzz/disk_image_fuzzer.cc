// Raw disk images: partition tables and file systems through The Sleuth Kit (FAT, ext, NTFS...), with
// deleted files and every file's bytes read.
#include "tests/fuzz/evidence_fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzDiskImage(const std::uint8_t* data, std::size_t size) {
  internal::EnumerateEvidence(data, size, ingest::SourceType::kDiskImage, "disk.img");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzDiskImage)

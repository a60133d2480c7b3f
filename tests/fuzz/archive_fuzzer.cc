// Archive entry handling: any archive libarchive reads (zip, tar with every filter, 7z, cpio, iso, rar,
// single compressed files) opened as evidence and enumerated to the end with nested archives expanded,
// every entry read; entry names are only data (provenance), depth and zip-bomb budgets hold.
#include "tests/fuzz/evidence_fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzArchive(const std::uint8_t* data, std::size_t size) {
  // The input's first byte chooses a forced archive open or content detection (UFDR is a zip with
  // report.xml at its root, found only by detection).
  const auto type = size > 0 && data[0] == 'P' ? ingest::SourceType::kAuto : ingest::SourceType::kArchive;
  internal::EnumerateEvidence(data, size, type, "evidence.bin");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzArchive)

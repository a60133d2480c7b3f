// HEIF previews: a file opened as single-file evidence whose content is HEIF, enumerated to the end, so
// the box walk, the item, reference, location and property tables and the re-wrapping of each thumbnail
// item (ingest/internal/heif_preview.h) meet arbitrary bytes; every preview item is read whole.
#include "tests/fuzz/evidence_fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzHeifPreview(const std::uint8_t* data, std::size_t size) {
  internal::EnumerateEvidence(data, size, ingest::SourceType::kFile, "IMG_0001.HEIC");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzHeifPreview)

// The VICS JSON 1.x/2.0 importer (streaming JSON reader, Media fields, AltHash PDQ, PhotoDNA base64,
// category map), through ImportSet into a scratch index (see RunImport).
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzVicsImport(const std::uint8_t* data, std::size_t size) {
  return internal::RunImportOf(index::ImportFormat::kVics, data, size, "input.json");
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzVicsImport)

// The NSRL RDS CSV (quoted header, SHA-1/MD5 columns) importer,
// through ImportSet into a scratch index (see RunImport).
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzNsrlImport(const std::uint8_t* data, std::size_t size) {
  return internal::RunImportOf(index::ImportFormat::kNsrl, data, size, "input.txt");
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzNsrlImport)

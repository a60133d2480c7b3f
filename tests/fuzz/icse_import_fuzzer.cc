// The Interpol ICSE CSV (semicolon separated, header mapping) importer,
// through ImportSet into a scratch index (see RunImport).
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzIcseImport(const std::uint8_t* data, std::size_t size) {
  return internal::RunImportOf(index::ImportFormat::kIcse, data, size, "input.csv");
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzIcseImport)

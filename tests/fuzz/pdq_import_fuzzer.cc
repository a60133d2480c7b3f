// The PDQ lists (hash[,quality[,label]] per line) importer,
// through ImportSet into a scratch index (see RunImport).
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzPdqImport(const std::uint8_t* data, std::size_t size) {
  return internal::RunImportOf(index::ImportFormat::kPdq, data, size, "input.pdq");
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzPdqImport)

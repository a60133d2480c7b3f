// md5sum / sha1sum / sha256sum lists ("<hex>  <name>", with coreutils' backslash escaping), through
// ImportSet into a scratch index. The input's first byte picks the list type (value % 3: md5sum, sha1sum,
// sha256sum) and --strict (value / 3 odd); the rest is the list.
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzHashListImport(const std::uint8_t* data, std::size_t size) {
  static constexpr index::ImportFormat kFormats[] = {index::ImportFormat::kMd5sum, index::ImportFormat::kSha1sum,
                                                     index::ImportFormat::kSha256sum};
  index::ImportOptions options;
  if (size == 0) return 0;
  options.format = kFormats[data[0] % 3];
  options.strict = (data[0] / 3) % 2 == 1;
  options.category = index::Category::kA;
  internal::RunImport(data + 1, size - 1, options, "input.md5");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzHashListImport)

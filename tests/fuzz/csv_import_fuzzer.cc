// Generic CSV hash lists with a column mapping, through ImportSet into a scratch index. The first line
// of the input is the --columns mapping ("md5=MD5,category=Cat,..."), the rest is the file, so the
// fuzzer explores mappings (names, #column numbers) and files together.
#include <string_view>

#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzCsvImport(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return 0;
  index::ImportOptions options;
  options.format = index::ImportFormat::kCsv;
  options.columns = std::string(text.substr(0, newline));
  options.strict = options.columns.size() % 2 == 1;
  // Without a category column the import needs --category; leave it out now and then (refused).
  if (options.columns.size() % 3 != 0) options.category = index::Category::kC;
  const std::size_t body = newline + 1;
  internal::RunImport(data + body, size - body, options, "input.csv");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzCsvImport)

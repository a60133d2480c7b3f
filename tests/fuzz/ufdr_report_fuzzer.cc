// Cellebrite-style UFDR report.xml (expat, streaming): fed in three chunks split at input-dependent
// points so element, attribute and CDATA boundaries fall across chunks; the ISO 8601 parser and the
// local-path normaliser on every string seen. Invariants: a successful parse counts at least as many
// <file> elements as it maps, and normalised paths never start with '/' or "./".
#include <string_view>

#include "ingest/internal/ufdr_report.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz {

int FuzzUfdrReport(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  const std::size_t a = size == 0 ? 0 : data[0] % (size + 1);
  const std::size_t b = a + (size - a) / 2;
  ingest::internal::UfdrReportParser parser;
  Status st = parser.Feed(bytes.subspan(0, a));
  if (st.ok()) st = parser.Feed(bytes.subspan(a, b - a));
  if (st.ok()) st = parser.Feed(bytes.subspan(b));
  if (st.ok()) {
    auto report = parser.Finish();
    if (report.ok()) {
      HT_FUZZ_CHECK(report->files.size() + report->without_local_path <= report->file_elements);
      for (const auto& [local, file] : report->files) {
        HT_FUZZ_CHECK(local.empty() || local[0] != '/');
        HT_FUZZ_CHECK(!local.starts_with("./"));
        (void)file;
      }
    } else {
      HT_FUZZ_CHECK(!report.status().message().empty());
    }
  } else {
    HT_FUZZ_CHECK(!st.message().empty());
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ingest::internal::ParseIso8601(text.substr(0, 64));
  const std::string normal = ingest::internal::NormalizeUfdrLocalPath(text.substr(0, 256));
  HT_FUZZ_CHECK(normal.empty() || normal[0] != '/');
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzUfdrReport)

#include "tests/fuzz/evidence_fuzz_support.h"

#include <set>
#include <string>
#include <vector>

#include "ingest/evidence_source.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz::internal {

void EnumerateEvidence(const std::uint8_t* data, std::size_t size, ingest::SourceType type, const char* file_name) {
  const std::string path = WriteScratchFile(file_name, data, size);
  ingest::SourceOptions options;
  options.type = type;
  options.evidence_id = "ev";
  // Caps small enough that bombs stop quickly, large enough for the seeds.
  options.max_decompressed_bytes = 32u << 20;
  options.max_expansion_ratio = 50;
  options.max_in_memory_entry_bytes = 4u << 20;
  options.max_archive_depth = 3;
  options.max_directory_depth = 16;
  auto source = ingest::OpenEvidenceSource(path, options);
  if (!source.ok()) {
    HT_FUZZ_CHECK(!source.status().message().empty());
    return;
  }
  std::set<std::string> paths;
  std::vector<std::byte> buffer(1 << 16);
  for (int items = 0; items < 20000; ++items) {
    auto next = (*source)->Next();
    if (!next.ok()) {
      HT_FUZZ_CHECK(!next.status().message().empty());
      return;
    }
    if (!next->has_value()) return;
    ingest::Item& item = **next;
    const ingest::ItemInfo& info = item.info;
    HT_FUZZ_CHECK(info.path.starts_with("ev"));
    HT_FUZZ_CHECK(info.evidence_id == "ev");
    const bool readable = info.kind == ingest::ItemKind::kFile && info.status.ok();
    HT_FUZZ_CHECK((item.reader != nullptr) == readable);
    if (!info.status.ok()) HT_FUZZ_CHECK(!info.status.message().empty());
    if (info.kind == ingest::ItemKind::kError) HT_FUZZ_CHECK(!info.status.ok());
    if (info.kind != ingest::ItemKind::kError) HT_FUZZ_CHECK(paths.insert(info.path).second);
    if (!readable) continue;
    HT_FUZZ_CHECK(item.reader->size() == info.size);
    std::uint64_t total = 0;
    for (;;) {
      auto n = item.reader->Read(buffer);
      if (!n.ok()) {
        total = info.size;  // a reader may fail (corrupt data); it must say why
        HT_FUZZ_CHECK(!n.status().message().empty());
        break;
      }
      if (*n == 0) break;
      total += *n;
      HT_FUZZ_CHECK(total <= info.size);
    }
    HT_FUZZ_CHECK(total == info.size);
  }
}

}  // namespace hashtriage::fuzz::internal

#include "engine/scan/geometric_recheck.h"

#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/case/audit_log.h"
#include "hashing/digests.h"

namespace hashtriage::engine {
namespace {

constexpr std::size_t kRecheckBatch = 1024;

}  // namespace

std::map<std::string, std::uint32_t> FeatureSetsOf(const index::KnownIndex& index) {
  std::map<std::string, std::uint32_t> sets;
  for (const index::SetInfo& s : index.ListSets()) {
    if (s.feature_pictures > 0) sets[s.name] = s.generation;
  }
  return sets;
}

bool HasUncheckedFeatureSets(const index::KnownIndex& index, const std::map<std::string, std::uint32_t>& checked) {
  for (const auto& [name, generation] : FeatureSetsOf(index)) {
    auto it = checked.find(name);
    if (it == checked.end() || it->second != generation) return true;
  }
  return false;
}

Result<GeometricRecheck> RecheckGeometrically(Case& c, EvidenceRecord& record, const SourceOpener& open_source,
                                              const KnownMatcher& matcher, const RecheckOptions& options,
                                              const CommandContext& context) {
  GeometricRecheck out;
  // The pictures to examine: decoded, matched without error, no hit.
  std::unordered_map<std::uint64_t, FileRecord> pending;
  HT_RETURN_IF_ERROR(c.evidence().ForEachFile(record.number, false, [&](const FileRecord& f) {
    if ((options.geometric && AwaitsPictureRecheck(f)) || (options.region_cells && AwaitsRegionCells(f))) {
      pending.emplace(f.seq, f);
    }
    return true;
  }));
  const bool checked_changes = options.geometric && record.geometric_checked != FeatureSetsOf(matcher.index());
  if (pending.empty() && !checked_changes) return out;  // nothing to read, nothing to record
  std::unique_ptr<ingest::EvidenceSource> source;
  if (!pending.empty()) {
    HT_ASSIGN_OR_RETURN(source, open_source());
  }
  hashing::ImageHashOptions image = options.image;
  image.keep_luma = options.geometric;
  image.region_hashes = options.region_cells;
  std::vector<FileRecord> changed;
  std::uint64_t seq = 0;
  while (!pending.empty()) {
    HT_ASSIGN_OR_RETURN(std::optional<ingest::Item> item, source->Next());
    if (!item) break;
    auto it = pending.find(seq++);
    if (it == pending.end() || item->info.kind != ingest::ItemKind::kFile || !item->reader) continue;
    FileRecord file = std::move(it->second);
    pending.erase(it);
    const std::string where = "evidence " + std::to_string(record.number) + ": " + file.info.path;
    HT_ASSIGN_OR_RETURN(std::vector<std::byte> bytes, item->reader->ReadAll(options.max_image_bytes));
    const hashing::DigestValues now = hashing::DigestBytes(bytes, hashing::DigestSet().Add(hashing::DigestKind::kXxh3));
    if (!now.xxh3 || *now.xxh3 != *file.digests.xxh3) {
      return Status::Conflict(where + ": not the content its scan hashed (the evidence changed, or is "
                                        "enumerated differently): geometric re-examination stopped, nothing changed");
    }
    auto hashed = hashing::HashImage(bytes, image);
    if (!hashed.ok()) continue;  // it decoded when scanned; a failure now changes nothing
    ++out.pictures;
    const bool new_cells = options.region_cells && !file.query.has_region_cells() && hashed->region.grid > 0;
    if (new_cells) file.query.region = hashed->region;
    HT_ASSIGN_OR_RETURN(std::vector<Hit> hits, matcher.Match(file.query));
    if (hits.empty() && options.geometric && hashed->luma) {
      HT_ASSIGN_OR_RETURN(hits, matcher.MatchGeometric(*hashed->luma));
    }
    if (hits.empty() && !new_cells) continue;
    out.hits_gained += hits.size();
    out.files_changed += !hits.empty();
    file.hits = std::move(hits);
    changed.push_back(std::move(file));
  }

  // Write the changed records in batches, each with its audit entry; then the evidence record.
  for (std::size_t first = 0; first < changed.size(); first += kRecheckBatch) {
    const std::size_t last = std::min(changed.size(), first + kRecheckBatch);
    auto txn = c.Begin();
    for (std::size_t i = first; i < last; ++i) c.evidence().ReplaceFile(*txn, changed[i]);
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, {{"action", "geometric recheck batch"},
                                                                                    {"evidence", record.number},
                                                                                    {"files_changed", last - first}})));
    (void)entry;
    HT_RETURN_IF_ERROR(txn->Commit());
  }
  EvidenceCounts counts;
  HT_RETURN_IF_ERROR(c.evidence().ForEachFile(record.number, false, [&](const FileRecord& f) {
    CountFileRecord(f, counts);
    return true;
  }));
  record.counts.files_with_hits = counts.files_with_hits;
  record.counts.by_category = counts.by_category;
  record.counts.images_without_region_cells = counts.images_without_region_cells;
  if (options.geometric) record.geometric_checked = FeatureSetsOf(matcher.index());
  auto txn = c.Begin();
  HT_RETURN_IF_ERROR(c.evidence().Put(*txn, record));
  HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, {{"action", "geometric recheck"},
                                                                                 {"evidence", record.number},
                                                                                 {"pictures", out.pictures},
                                                                                 {"files_changed", out.files_changed},
                                                                                 {"hits_gained", out.hits_gained}})));
  (void)entry;
  HT_RETURN_IF_ERROR(txn->Commit());
  return out;
}

}  // namespace hashtriage::engine

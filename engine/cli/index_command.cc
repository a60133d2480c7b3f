// `hashtriage index import|list|stats|remove|lookup`: manage the known-image index (index/) and ask
// it about hashes or files. Every data output has --json; `lookup` always prints JSON and exits 10
// when anything is known. Rejected records and category conflicts during import are reported on
// stderr with file, line and byte offset; the set is still committed (exit 1) unless --strict. An
// import that accepts no record, or any problem under --strict, leaves the old set as it was (exit
// 1). Formats without categories need --category (exit 2 without); `list` and `stats` say which
// sets hold entries whose category was not recorded.
#include <ctime>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/cli/commands.h"
#include "engine/file_hashing.h"
#include "engine/matching/index_admin.h"
#include "engine/matching/known_matcher.h"
#include "engine/progress.h"
#include "engine/text/untrusted_text.h"
#include "index/region_matcher.h"
#include "index/importer.h"
#include "index/known_index.h"
#include "index/library_builder.h"

namespace hashtriage::cli {

namespace {

using index::HashType;

struct IndexCommonOptions {
  std::string dir;
  bool json = false;
};

struct IndexImportOptions : IndexCommonOptions {
  std::string set;
  std::string format;
  std::vector<std::string> files;
  std::string category;
  std::string category_map = "uk";
  std::string columns;
  std::string delimiter;
  bool strict = false;
  std::size_t memory_mib = 512;
  const engine::TestHooks* hooks = nullptr;  // crash points, from the test driver only
};

struct IndexRemoveOptions : IndexCommonOptions {
  std::string set;
};

struct IndexLookupOptions : IndexCommonOptions {
  std::vector<std::string> md5, sha1, sha256, pdq, files;
  int threshold = index::kDefaultPdqThreshold;
  int region_cells = hashing::RegionOptions{}.min_cells;
};

void PrintJson(const nlohmann::ordered_json& j) {
  std::fputs((j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(), stdout);
}

std::string EntriesText(const std::map<HashType, std::uint64_t>& entries) {
  std::string out;
  for (HashType t : index::kAllHashTypes) {
    if (auto it = entries.find(t); it != entries.end() && it->second > 0) {
      out += (out.empty() ? "" : ", ") + std::string(HashTypeName(t)) + " " + std::to_string(it->second);
    }
  }
  return out.empty() ? "none" : out;
}

// "category not recorded" (every entry) or "category not recorded for N of M entries"; "" when none.
std::string CategoryNotRecordedText(const index::SetInfo& s) {
  const std::uint64_t unknown = engine::CategoryNotRecorded(s), total = engine::TotalEntries(s);
  if (unknown == 0) return "";
  if (unknown == total) return "category not recorded";
  return "category not recorded for " + std::to_string(unknown) + " of " + std::to_string(total) + " entries";
}

Result<std::unique_ptr<index::KnownIndex>> OpenIndex(const IndexCommonOptions& o, bool read_only, bool load_pdq) {
  index::IndexOptions io;
  io.path = o.dir.empty() ? index::DefaultIndexDir() : o.dir;
  io.read_only = read_only;
  io.exact_filter = false;  // one-off CLI lookups: a RocksDB seek is cheaper than building the filter
  io.load_pdq = load_pdq;
  return index::KnownIndex::Open(io);
}

Result<int> RunIndexImport(const IndexImportOptions& o) {
  engine::IndexImportSpec spec;
  spec.format = o.format;
  spec.category = o.category;
  spec.category_map = o.category_map;
  spec.columns = o.columns;
  spec.delimiter = o.delimiter;
  spec.strict = o.strict;
  HT_ASSIGN_OR_RETURN(index::ImportOptions io, engine::ImportOptionsFor(spec));  // before the index is opened
  if (o.hooks != nullptr) io.test_point = o.hooks->index_import;
  // Records, MB of the input files, rate and ETA on a terminal; then the commit (sort and ingest).
  engine::Progress progress("import " + o.set, 0, StderrIsTerminal());
  progress.SetUnit("records");
  std::uint64_t total_bytes = 0;
  for (const auto& f : o.files) {
    std::error_code size_error;
    const auto size = std::filesystem::file_size(f, size_error);
    if (!size_error) total_bytes += size;
  }
  progress.SetTotalBytes(total_bytes);
  io.on_progress = [&progress, total_bytes](std::uint64_t records, std::uint64_t bytes) {
    progress.Advance(records - progress.items(), bytes > progress.bytes() ? bytes - progress.bytes() : 0);
    if (bytes >= total_bytes) {
      progress.SetDetail("sorting and committing the set");
      progress.Refresh();
    }
  };
  auto imported = engine::ImportIndexSet(o.dir.empty() ? index::DefaultIndexDir() : o.dir, o.set, o.files, io,
                                         o.memory_mib << 20);
  progress.Finish();
  HT_ASSIGN_OR_RETURN(const auto summary, std::move(imported));

  for (const auto& r : summary.rejection_examples) {
    // File names and reasons (which may quote the record) in their terminal form.
    std::fprintf(stderr, "hashtriage: %s:%llu (byte %llu): %s\n", engine::TerminalText(r.file).c_str(),
                 static_cast<unsigned long long>(r.line), static_cast<unsigned long long>(r.offset),
                 engine::TerminalText(r.reason).c_str());
  }
  if (summary.records_rejected > summary.rejection_examples.size()) {
    std::fprintf(stderr, "hashtriage: ... and %llu more rejected records\n",
                 static_cast<unsigned long long>(summary.records_rejected - summary.rejection_examples.size()));
  }
  for (const auto& d : summary.commit.duplicate_examples) {
    if (!d.conflicting) continue;
    const std::string here = index::RecordPlace(summary.files, d.file, d.line, d.offset);
    const std::string there = index::RecordPlace(summary.files, d.first_file, d.first_line, d.first_offset);
    if (d.category_conflict()) {
      std::fprintf(stderr, "hashtriage: %s: %s %s: category %s conflicts with category %s at %s; kept %s (the more serious)\n",
                   engine::TerminalText(here).c_str(), std::string(HashTypeName(d.type)).c_str(), d.hash_hex.c_str(),
                   std::string(CategoryName(d.category)).c_str(), std::string(CategoryName(d.first_category)).c_str(),
                   engine::TerminalText(there).c_str(), std::string(CategoryName(d.kept_category())).c_str());
    } else {
      std::fprintf(stderr, "hashtriage: %s: %s %s duplicates %s with different details (the earlier kept)\n",
                   engine::TerminalText(here).c_str(), std::string(HashTypeName(d.type)).c_str(), d.hash_hex.c_str(), engine::TerminalText(there).c_str());
    }
  }
  const auto& set = summary.commit.set;
  if (o.json) {
    PrintJson(engine::ImportSummaryJson(summary));
  } else {
    std::printf("imported set '%s' (%s, %zu file%s) in %.2f s\n", set.name.c_str(), set.format.c_str(),
                summary.files.size(), summary.files.size() == 1 ? "" : "s", summary.seconds);
    std::printf("  records read %llu, rejected %llu\n", static_cast<unsigned long long>(summary.records_read),
                static_cast<unsigned long long>(summary.records_rejected));
    std::printf("  entries added: %s\n", EntriesText(set.entries).c_str());
    if (summary.commit.duplicates > 0) {
      std::printf("  duplicate hashes inside the set: %llu (%llu with conflicting details)\n",
                  static_cast<unsigned long long>(summary.commit.duplicates),
                  static_cast<unsigned long long>(summary.commit.conflicting_duplicates));
    }
    if (summary.commit.category_conflicts > 0) {
      std::printf("  category conflicts (one hash, two categories; the more serious kept): %llu\n",
                  static_cast<unsigned long long>(summary.commit.category_conflicts));
    }
    if (const std::string note = CategoryNotRecordedText(set); !note.empty()) std::printf("  %s\n", note.c_str());
    for (const auto& [reason, n] : summary.rejected_by_reason) {
      std::printf("  rejected, %s: %llu\n", engine::TerminalText(reason).c_str(), static_cast<unsigned long long>(n));
    }
  }
  return summary.records_rejected > 0 || summary.commit.category_conflicts > 0 ? kExitFailure : kExitOk;
}

Result<int> RunIndexList(const IndexCommonOptions& o) {
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, true, false));
  const auto sets = idx->ListSets();
  if (o.json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& s : sets) j.push_back(engine::SetInfoJson(s));
    PrintJson(j);
    return kExitOk;
  }
  if (sets.empty()) std::printf("no sets in %s\n", idx->path().c_str());
  for (const auto& s : sets) {
    const std::string note = CategoryNotRecordedText(s);
    const std::string entries = s.feature_pictures > 0
                                    ? "local features of " + std::to_string(s.feature_pictures) + " pictures"
                                    : EntriesText(s.entries);
    std::printf("%-24s %-9s %s  %s%s%s\n", s.name.c_str(), s.format.c_str(), engine::IsoTimeUtc(s.imported_unix).c_str(),
                entries.c_str(), note.empty() ? "" : "  ", note.c_str());
  }
  return kExitOk;
}

Result<int> RunIndexStats(const IndexCommonOptions& o) {
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, true, false));
  const auto s = idx->Stats();
  std::vector<index::SetInfo> unrecorded;  // sets with entries of category unknown
  for (const auto& set : idx->ListSets()) {
    if (engine::CategoryNotRecorded(set) > 0) unrecorded.push_back(set);
  }
  if (o.json) {
    nlohmann::ordered_json j;
    j["path"] = s.path;
    j["schema_version"] = s.schema_version;
    j["sets"] = s.sets;
    j["entries"] = engine::EntriesJson(s.entries);
    j["disk_bytes"] = s.disk_bytes;
    j["search_structures"] = idx->SearchStructureFiles();
    auto& sets = j["category_not_recorded"] = nlohmann::ordered_json::array();
    for (const auto& set : unrecorded) {
      sets.push_back({{"set", set.name}, {"entries", engine::CategoryNotRecorded(set)}, {"of", engine::TotalEntries(set)}});
    }
    PrintJson(j);
    return kExitOk;
  }
  std::printf("index %s (schema %d)\n  sets: %llu\n  entries: %s\n  on disk: %.1f MiB\n", s.path.c_str(),
              s.schema_version, static_cast<unsigned long long>(s.sets), EntriesText(s.entries).c_str(),
              static_cast<double>(s.disk_bytes) / (1 << 20));
  for (const auto& set : unrecorded) std::printf("  set %s: %s\n", set.name.c_str(), CategoryNotRecordedText(set).c_str());
  const std::string structures = idx->SearchStructureFiles();
  std::printf("  search structures: %s\n", structures == "current"
                                                ? "current (every open maps them)"
                                                : (structures + " (each open builds its own: run `hashtriage index prepare`)").c_str());
  return kExitOk;
}

// Writes the search structure files, for an index from before them or whose files were removed.
Result<int> RunIndexPrepare(const IndexCommonOptions& o) {
  { HT_ASSIGN_OR_RETURN(auto exists, OpenIndex(o, true, false)); }  // NotFound: never create one here
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, false, false));
  HT_RETURN_IF_ERROR(idx->WriteSearchStructures());
  if (!o.json) std::printf("search structures of %s: %s\n", idx->path().c_str(), idx->SearchStructureFiles().c_str());
  else PrintJson(nlohmann::ordered_json{{"path", idx->path()}, {"search_structures", idx->SearchStructureFiles()}});
  return kExitOk;
}

Result<int> RunIndexRemove(const IndexRemoveOptions& o) {
  HT_ASSIGN_OR_RETURN(const std::vector<std::string> removed,
                      engine::RemoveIndexSet(o.dir.empty() ? index::DefaultIndexDir() : o.dir, o.set));
  if (o.json) {
    PrintJson({{"removed", o.set}, {"derived_removed", std::vector<std::string>(removed.begin() + 1, removed.end())}});
  } else {
    for (const std::string& name : removed) std::printf("removed set '%s'\n", name.c_str());
  }
  return kExitOk;
}

// One hit of the one matcher (engine/matching/known_matcher.h) as `index lookup` reports it.
nlohmann::ordered_json HitJson(const engine::Hit& h, const engine::QueryHashes& query) {
  nlohmann::ordered_json j;
  j["set"] = h.set;
  j["category"] = std::string(CategoryName(h.category));
  j["match_kind"] = std::string(engine::MatchKindName(h.kind));
  switch (h.kind) {
    case engine::MatchKind::kMd5:
      j["hash_type"] = "md5";
      j["hash"] = query.md5 ? query.md5->hex() : "";
      break;
    case engine::MatchKind::kSha1:
      j["hash_type"] = "sha1";
      j["hash"] = query.sha1 ? query.sha1->hex() : "";
      break;
    case engine::MatchKind::kSha256:
      j["hash_type"] = "sha256";
      j["hash"] = query.sha256 ? query.sha256->hex() : "";
      break;
    default:
      j["hash_type"] = "pdq";
      if (!h.matched_hash.empty()) j["hash"] = h.matched_hash;
      break;
  }
  j["distance"] = h.distance;
  if (h.orientation) j["orientation"] = std::string(hashing::DihedralName(*h.orientation));
  j["media_id"] = h.media_id;
  j["series"] = h.series;
  j["victim_identified"] = (h.flags & index::kFlagVictimIdentified) != 0;
  j["offender_identified"] = (h.flags & index::kFlagOffenderIdentified) != 0;
  j["distributed"] = (h.flags & index::kFlagDistributed) != 0;
  if (engine::IsNearMatch(h.kind)) j["low_quality"] = h.low_quality;
  if (h.kind == engine::MatchKind::kRegion) {
    j["cells_matched"] = h.region_cells;
    j["cells_usable"] = h.region_usable_cells;
  }
  if (h.geometry) {
    j["inliers"] = h.geometry->inliers;
    j["matches"] = h.geometry->matches;
    j["scale"] = h.geometry->scale;
    j["rotation"] = h.geometry->rotation_degrees;
    j["region"] = h.geometry->region;
    j["visible"] = h.geometry->visible;
  }
  return j;
}

Result<int> RunIndexLookup(const IndexLookupOptions& o) {
  const bool need_pdq = !o.pdq.empty() || !o.files.empty();
  if (o.md5.empty() && o.sha1.empty() && o.sha256.empty() && !need_pdq) {
    return Status::InvalidArgument("index lookup: give --md5, --sha1, --sha256, --pdq or --file");
  }
  if (o.threshold < 0 || o.threshold > index::kMaxPdqThreshold) {
    return Status::InvalidArgument("--threshold must be 0.." + std::to_string(index::kMaxPdqThreshold));
  }
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, true, need_pdq));
  const engine::KnownMatcher matcher(*idx, engine::MatchOptions{o.threshold, o.region_cells, need_pdq});
  const bool has_regions = !o.files.empty() && index::HasRegionSets(*idx);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  bool known = false;
  // A file's picture goes through the geometric stage where the hashes found nothing (library mode).
  auto add = [&](nlohmann::ordered_json query_json, const engine::QueryHashes& query,
                 const hashing::LumaImage* picture = nullptr) -> Status {
    HT_ASSIGN_OR_RETURN(auto hits, matcher.Match(query));
    if (hits.empty() && picture != nullptr) {
      HT_ASSIGN_OR_RETURN(hits, matcher.MatchGeometric(*picture));
    }
    nlohmann::ordered_json matches = nlohmann::ordered_json::array();
    for (const engine::Hit& h : hits) matches.push_back(HitJson(h, query));
    known = known || !matches.empty();
    query_json["known"] = !matches.empty();
    query_json["matches"] = std::move(matches);
    results.push_back(std::move(query_json));
    return Status::Ok();
  };
  for (const auto& h : o.md5) {
    engine::QueryHashes q;
    HT_ASSIGN_OR_RETURN(q.md5, hashing::Md5Digest::FromHex(h));
    HT_RETURN_IF_ERROR(add({{"md5", h}}, q));
  }
  for (const auto& h : o.sha1) {
    engine::QueryHashes q;
    HT_ASSIGN_OR_RETURN(q.sha1, hashing::Sha1Digest::FromHex(h));
    HT_RETURN_IF_ERROR(add({{"sha1", h}}, q));
  }
  for (const auto& h : o.sha256) {
    engine::QueryHashes q;
    HT_ASSIGN_OR_RETURN(q.sha256, hashing::Sha256Digest::FromHex(h));
    HT_RETURN_IF_ERROR(add({{"sha256", h}}, q));
  }
  for (const auto& h : o.pdq) {
    engine::QueryHashes q;
    HT_ASSIGN_OR_RETURN(q.pdq, hashing::PdqHash::FromHex(h));
    HT_RETURN_IF_ERROR(add({{"pdq", h}, {"threshold", o.threshold}}, q));
  }
  for (const auto& path : o.files) {
    engine::FileHashRequest req;
    req.digests = hashing::DigestSet::All();
    req.pdq = true;
    req.image.dihedral = true;
    req.image.region_hashes = has_regions;
    req.image.keep_luma = matcher.geometric_stage();
    HT_ASSIGN_OR_RETURN(const auto hashes, engine::HashFile(path, req));
    const engine::QueryHashes q = engine::QueryFromFile(hashes.digests, hashes.image);
    nlohmann::ordered_json query{{"file", path}};
    if (q.md5) query["md5"] = q.md5->hex();
    if (q.sha1) query["sha1"] = q.sha1->hex();
    if (q.sha256) query["sha256"] = q.sha256->hex();
    if (hashes.image) {
      query["pdq"] = hashes.image->pdq.hash.hex();
      query["pdq_quality"] = hashes.image->pdq.quality;
      query["threshold"] = o.threshold;
    } else if (!hashes.status.ok()) {
      query["image_error"] = hashes.status.message();
    }
    HT_RETURN_IF_ERROR(add(std::move(query), q, hashes.image && hashes.image->luma ? hashes.image->luma.get() : nullptr));
  }
  PrintJson({{"index", idx->path()}, {"results", results}});
  return known ? kExitMatches : kExitOk;
}

void AddCommon(CLI::App* sub, IndexCommonOptions& o, bool json_flag = true) {
  sub->add_option("--index", o.dir, "Index directory (default: $HASHTRIAGE_INDEX or ./hashtriage-index)");
  if (json_flag) sub->add_flag("--json", o.json, "Print JSON");
}

}  // namespace

void SetupIndexCommand(CLI::App& app, CommandExit& exit) {
  auto* index_cmd = app.add_subcommand("index", "Manage and query the known-image index");
  index_cmd->require_subcommand(1);

  auto import = std::make_shared<IndexImportOptions>();
  auto* imp = index_cmd->add_subcommand("import", "Import hash set files as one set (atomic; replaces a set of that name)");
  AddCommon(imp, *import);
  imp->add_option("--set", import->set, "Set name")->required();
  imp->add_option("--format", import->format, "vics|icse|nsrl|md5sum|sha1sum|sha256sum|pdq|csv|vpdq (one file per known video)")->required();
  imp->add_option("--category,--as", import->category,
                  "Category of entries the file gives none: A, B, C, indecent-uncategorised, non-indecent, ignorable, "
                  "or unknown (stored ungraded: a match is reported as known material for specialist review). Required for md5sum, sha1sum, "
                  "sha256sum, pdq and CSV without a category column; VICS: for Media without Category; ICSE means "
                  "indecent-uncategorised and NSRL ignorable unless given");
  imp->add_option("--category-map", import->category_map, "VICS category numbers: uk (default), us, or a TOML file");
  imp->add_option("--columns", import->columns, "CSV: field=Header,... (md5, sha1, sha256, pdq, category, series, ...)");
  imp->add_option("--delimiter", import->delimiter, "CSV field separator (default: detected)");
  imp->add_flag("--strict", import->strict, "Any rejected record or conflicting duplicate aborts the import");
  imp->add_option("--memory", import->memory_mib, "MiB to sort in memory before spilling runs to disk (default 512)");
  imp->add_option("files", import->files, "Files to import")->required();
  imp->callback([import, &exit]() {
    import->hooks = exit.hooks;
    RecordOutcome(RunIndexImport(*import), exit);
  });

  auto list = std::make_shared<IndexCommonOptions>();
  auto* lst = index_cmd->add_subcommand("list", "List the sets in the index");
  AddCommon(lst, *list);
  lst->callback([list, &exit]() { RecordOutcome(RunIndexList(*list), exit); });

  auto stats = std::make_shared<IndexCommonOptions>();
  auto* st = index_cmd->add_subcommand("stats", "Entries per hash type, sets, size on disk");
  AddCommon(st, *stats);
  st->callback([stats, &exit]() { RecordOutcome(RunIndexStats(*stats), exit); });

  auto prepare = std::make_shared<IndexCommonOptions>();
  auto* pr = index_cmd->add_subcommand("prepare", "Write the search structures every open maps (imports and removals do this)");
  AddCommon(pr, *prepare);
  pr->callback([prepare, &exit]() { RecordOutcome(RunIndexPrepare(*prepare), exit); });

  auto remove = std::make_shared<IndexRemoveOptions>();
  auto* rm = index_cmd->add_subcommand("remove", "Remove one set (exactly its memberships)");
  AddCommon(rm, *remove);
  rm->add_option("--set", remove->set, "Set name")->required();
  rm->callback([remove, &exit]() { RecordOutcome(RunIndexRemove(*remove), exit); });

  auto lookup = std::make_shared<IndexLookupOptions>();
  auto* lk = index_cmd->add_subcommand("lookup", "Every membership of hashes or files, as JSON (exit 10 when known)");
  AddCommon(lk, *lookup);
  lk->add_option("--md5", lookup->md5, "MD5 hex (repeatable)");
  lk->add_option("--sha1", lookup->sha1, "SHA-1 hex (repeatable)");
  lk->add_option("--sha256", lookup->sha256, "SHA-256 hex (repeatable)");
  lk->add_option("--pdq", lookup->pdq, "PDQ hash, 64 hex (repeatable)");
  lk->add_option("--file", lookup->files, "A file: its digests and, for images, its 8 dihedral PDQ hashes");
  lk->add_option("--threshold", lookup->threshold, "PDQ Hamming distance threshold (default 31)")
      ->check(CLI::Range(0, index::kMaxPdqThreshold));
  lk->add_option("--region-cells", lookup->region_cells,
                 "--file against a library-mode index: grid cells (of 16) that must match at the same position "
                 "for a region match (default 7)")
      ->check(CLI::Range(1, 64));
  lk->callback([lookup, &exit]() { RecordOutcome(RunIndexLookup(*lookup), exit); });
}

}  // namespace hashtriage::cli

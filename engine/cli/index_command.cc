// `hashtriage index import|list|stats|remove|lookup`: manage the known-image index (index/) and ask
// it about hashes or files. Every data output has --json; `lookup` always prints JSON and exits 10
// when anything is known. Rejected records during import are reported on stderr with file, line
// and byte offset; the set is still committed (exit 1) unless --strict.
#include <ctime>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/cli/commands.h"
#include "engine/file_hashing.h"
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
};

struct IndexRemoveOptions : IndexCommonOptions {
  std::string set;
};

struct IndexLookupOptions : IndexCommonOptions {
  std::vector<std::string> md5, sha1, sha256, pdq, files;
  int threshold = index::kDefaultPdqThreshold;
  int region_cells = hashing::RegionOptions{}.min_cells;
};

std::string IsoTime(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void PrintJson(const nlohmann::ordered_json& j) {
  std::fputs((j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(), stdout);
}

nlohmann::ordered_json EntriesJson(const std::map<HashType, std::uint64_t>& entries) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (HashType t : index::kAllHashTypes) {
    if (auto it = entries.find(t); it != entries.end() && it->second > 0) j[std::string(HashTypeName(t))] = it->second;
  }
  return j;
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

nlohmann::ordered_json SetJson(const index::SetInfo& s) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["format"] = s.format;
  j["imported"] = IsoTime(s.imported_unix);
  j["generation"] = s.generation;
  j["sources"] = s.sources;
  j["records_read"] = s.records_read;
  j["records_rejected"] = s.records_rejected;
  j["entries"] = EntriesJson(s.entries);
  nlohmann::ordered_json cats = nlohmann::ordered_json::object();
  for (int c = 0; c < index::kCategoryCount; ++c) {
    if (s.by_category[c] > 0) cats[std::string(CategoryName(static_cast<index::Category>(c)))] = s.by_category[c];
  }
  j["by_category"] = cats;
  return j;
}

nlohmann::ordered_json MembershipJson(const index::Membership& m, const std::string& hash_hex,
                                      std::optional<int> distance) {
  nlohmann::ordered_json j;
  j["set"] = m.set_name;
  j["category"] = std::string(CategoryName(m.info.category));
  j["hash_type"] = std::string(HashTypeName(m.hash_type));
  j["hash"] = hash_hex;
  j["distance"] = distance.value_or(0);
  j["media_id"] = m.info.media_id;
  j["series"] = m.info.series;
  j["victim_identified"] = (m.info.flags & index::kFlagVictimIdentified) != 0;
  j["offender_identified"] = (m.info.flags & index::kFlagOffenderIdentified) != 0;
  j["distributed"] = (m.info.flags & index::kFlagDistributed) != 0;
  if (m.hash_type == HashType::kPdq) {
    j["pdq_quality"] = m.info.pdq_quality < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m.info.pdq_quality);
    j["low_quality"] = (m.info.flags & index::kFlagLowQuality) != 0;
  }
  return j;
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
  index::ImportOptions io;
  const auto format = index::ParseImportFormat(o.format);
  if (!format) return Status::InvalidArgument("--format must be vics, icse, nsrl, md5sum, sha1sum, sha256sum, pdq or csv");
  io.format = *format;
  if (!o.category.empty()) {
    io.category = index::ParseCategory(o.category);
    if (!io.category) {
      return Status::InvalidArgument("--category/--as must be A, B, C, indecent-uncategorised, non-indecent, "
                                     "ignorable or unknown");
    }
  }
  if (!index::CategoryMap::BuiltinText(o.category_map).empty()) {
    HT_ASSIGN_OR_RETURN(io.category_map, index::CategoryMap::Builtin(o.category_map));
  } else {
    HT_ASSIGN_OR_RETURN(io.category_map, index::CategoryMap::FromFile(o.category_map));
  }
  io.columns = o.columns;
  if (!o.delimiter.empty()) io.delimiter = o.delimiter == "\\t" || o.delimiter == "tab" ? '\t' : o.delimiter[0];
  io.strict = o.strict;
  for (const auto& f : o.files) {
    if (!std::filesystem::is_regular_file(f)) return Status::NotFound(f + ": no such file");
  }
  index::IndexOptions opts;
  opts.path = o.dir.empty() ? index::DefaultIndexDir() : o.dir;
  opts.read_only = false;
  opts.exact_filter = false;
  opts.load_pdq = false;
  opts.import_memory_bytes = o.memory_mib << 20;
  HT_ASSIGN_OR_RETURN(auto idx, index::KnownIndex::Open(opts));
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
  auto imported = index::ImportSet(*idx, o.set, o.files, io);
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
    std::fprintf(stderr, "hashtriage: %s:%llu: %s %s duplicates line %llu with different details (first kept)\n",
                 engine::TerminalText(summary.files[d.file]).c_str(), static_cast<unsigned long long>(d.line),
                 std::string(HashTypeName(d.type)).c_str(), d.hash_hex.c_str(),
                 static_cast<unsigned long long>(d.first_line));
  }
  const auto& set = summary.commit.set;
  std::uint64_t total = 0;
  for (const auto& [t, n] : set.entries) total += n;
  if (o.json) {
    nlohmann::ordered_json j;
    j["set"] = SetJson(set);
    j["records_read"] = summary.records_read;
    j["records_rejected"] = summary.records_rejected;
    j["rejected_by_reason"] = summary.rejected_by_reason;
    auto& ex = j["rejections"] = nlohmann::ordered_json::array();
    for (const auto& r : summary.rejection_examples) {
      ex.push_back({{"file", r.file}, {"line", r.line}, {"offset", r.offset}, {"reason", r.reason}});
    }
    j["entries_added"] = EntriesJson(set.entries);
    j["duplicates"] = summary.commit.duplicates;
    j["conflicting_duplicates"] = summary.commit.conflicting_duplicates;
    j["seconds"] = summary.seconds;
    j["entries_per_second"] = summary.seconds > 0 ? static_cast<double>(total) / summary.seconds : 0.0;
    PrintJson(j);
  } else {
    std::printf("imported set '%s' (%s, %zu file%s) in %.2f s\n", set.name.c_str(), set.format.c_str(),
                summary.files.size(), summary.files.size() == 1 ? "" : "s", summary.seconds);
    std::printf("  records read %llu, rejected %llu\n", static_cast<unsigned long long>(summary.records_read),
                static_cast<unsigned long long>(summary.records_rejected));
    std::printf("  entries added: %s\n", EntriesText(set.entries).c_str());
    if (summary.commit.duplicates > 0) {
      std::printf("  duplicate hashes inside the set: %llu (%llu with conflicting details; first kept)\n",
                  static_cast<unsigned long long>(summary.commit.duplicates),
                  static_cast<unsigned long long>(summary.commit.conflicting_duplicates));
    }
    for (const auto& [reason, n] : summary.rejected_by_reason) {
      std::printf("  rejected, %s: %llu\n", engine::TerminalText(reason).c_str(), static_cast<unsigned long long>(n));
    }
  }
  return summary.records_rejected > 0 ? kExitFailure : kExitOk;
}

Result<int> RunIndexList(const IndexCommonOptions& o) {
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, true, false));
  const auto sets = idx->ListSets();
  if (o.json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& s : sets) j.push_back(SetJson(s));
    PrintJson(j);
    return kExitOk;
  }
  if (sets.empty()) std::printf("no sets in %s\n", idx->path().c_str());
  for (const auto& s : sets) {
    std::printf("%-24s %-9s %s  %s\n", s.name.c_str(), s.format.c_str(), IsoTime(s.imported_unix).c_str(),
                EntriesText(s.entries).c_str());
  }
  return kExitOk;
}

Result<int> RunIndexStats(const IndexCommonOptions& o) {
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, true, false));
  const auto s = idx->Stats();
  if (o.json) {
    nlohmann::ordered_json j;
    j["path"] = s.path;
    j["schema_version"] = s.schema_version;
    j["sets"] = s.sets;
    j["entries"] = EntriesJson(s.entries);
    j["disk_bytes"] = s.disk_bytes;
    PrintJson(j);
    return kExitOk;
  }
  std::printf("index %s (schema %d)\n  sets: %llu\n  entries: %s\n  on disk: %.1f MiB\n", s.path.c_str(),
              s.schema_version, static_cast<unsigned long long>(s.sets), EntriesText(s.entries).c_str(),
              static_cast<double>(s.disk_bytes) / (1 << 20));
  return kExitOk;
}

Result<int> RunIndexRemove(const IndexRemoveOptions& o) {
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, false, false));
  // A library set (`index build`) goes with the sets derived from it, which would otherwise keep
  // matching images of a library that is no longer in the index.
  std::vector<std::string> removed{o.set};
  const auto sets = idx->ListSets();
  const auto find = [&](const std::string& name) {
    return std::find_if(sets.begin(), sets.end(), [&](const index::SetInfo& s) { return s.name == name; });
  };
  if (auto it = find(o.set); it != sets.end() && it->format == "library") {
    for (const std::string& derived : index::LibraryDerivedSets(o.set)) {
      if (find(derived) != sets.end()) removed.push_back(derived);
    }
  }
  for (const std::string& name : removed) HT_RETURN_IF_ERROR(idx->RemoveSet(name));
  if (o.json) {
    PrintJson({{"removed", o.set}, {"derived_removed", std::vector<std::string>(removed.begin() + 1, removed.end())}});
  } else {
    for (const std::string& name : removed) std::printf("removed set '%s'\n", name.c_str());
  }
  return kExitOk;
}

template <typename Digest>
Result<nlohmann::ordered_json> ExactQuery(const index::KnownIndex& idx, const std::string& hex) {
  HT_ASSIGN_OR_RETURN(const Digest d, Digest::FromHex(hex));
  const std::vector<Digest> one{d};
  auto r = [&] {
    if constexpr (std::is_same_v<Digest, hashing::Md5Digest>) return idx.LookupMd5(one);
    else if constexpr (std::is_same_v<Digest, hashing::Sha1Digest>) return idx.LookupSha1(one);
    else return idx.LookupSha256(one);
  }();
  if (!r.ok()) return r.status();
  nlohmann::ordered_json matches = nlohmann::ordered_json::array();
  for (const auto& m : (*r)[0]) matches.push_back(MembershipJson(m, d.hex(), 0));
  return matches;
}

nlohmann::ordered_json PdqMatchesJson(const std::vector<index::PdqMatch>& found) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& m : found) {
    if (!index::IsRegionCell(m.membership)) out.push_back(MembershipJson(m.membership, m.hash.hex(), m.distance));
  }
  return out;
}

Result<int> RunIndexLookup(const IndexLookupOptions& o) {
  const bool need_pdq = !o.pdq.empty() || !o.files.empty();
  if (o.md5.empty() && o.sha1.empty() && o.sha256.empty() && !need_pdq) {
    return Status::InvalidArgument("index lookup: give --md5, --sha1, --sha256, --pdq or --file");
  }
  HT_ASSIGN_OR_RETURN(auto idx, OpenIndex(o, true, need_pdq));
  const bool has_regions = !o.files.empty() && index::HasRegionSets(*idx);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  bool known = false;
  auto add = [&](nlohmann::ordered_json query, nlohmann::ordered_json matches) {
    known = known || !matches.empty();
    query["known"] = !matches.empty();
    query["matches"] = std::move(matches);
    results.push_back(std::move(query));
  };
  for (const auto& h : o.md5) {
    HT_ASSIGN_OR_RETURN(auto m, ExactQuery<hashing::Md5Digest>(*idx, h));
    add({{"md5", h}}, std::move(m));
  }
  for (const auto& h : o.sha1) {
    HT_ASSIGN_OR_RETURN(auto m, ExactQuery<hashing::Sha1Digest>(*idx, h));
    add({{"sha1", h}}, std::move(m));
  }
  for (const auto& h : o.sha256) {
    HT_ASSIGN_OR_RETURN(auto m, ExactQuery<hashing::Sha256Digest>(*idx, h));
    add({{"sha256", h}}, std::move(m));
  }
  for (const auto& h : o.pdq) {
    HT_ASSIGN_OR_RETURN(const auto q, hashing::PdqHash::FromHex(h));
    HT_ASSIGN_OR_RETURN(const auto found, idx->SearchPdq(std::vector<hashing::PdqHash>{q}, o.threshold));
    add({{"pdq", h}, {"threshold", o.threshold}}, PdqMatchesJson(found[0]));
  }
  for (const auto& path : o.files) {
    engine::FileHashRequest req;
    req.digests = hashing::DigestSet::All();
    req.pdq = true;
    req.image.dihedral = true;
    req.image.region_hashes = has_regions;
    HT_ASSIGN_OR_RETURN(const auto hashes, engine::HashFile(path, req));
    nlohmann::ordered_json query{{"file", path}};
    nlohmann::ordered_json matches = nlohmann::ordered_json::array();
    auto append = [&](Result<nlohmann::ordered_json> r) -> Status {
      if (!r.ok()) return r.status();
      for (auto& m : *r) matches.push_back(std::move(m));
      return Status::Ok();
    };
    if (hashes.digests.md5) {
      query["md5"] = hashes.digests.md5->hex();
      HT_RETURN_IF_ERROR(append(ExactQuery<hashing::Md5Digest>(*idx, hashes.digests.md5->hex())));
    }
    if (hashes.digests.sha1) {
      query["sha1"] = hashes.digests.sha1->hex();
      HT_RETURN_IF_ERROR(append(ExactQuery<hashing::Sha1Digest>(*idx, hashes.digests.sha1->hex())));
    }
    if (hashes.digests.sha256) {
      query["sha256"] = hashes.digests.sha256->hex();
      HT_RETURN_IF_ERROR(
          append(ExactQuery<hashing::Sha256Digest>(*idx, hashes.digests.sha256->hex())));
    }
    if (hashes.image) {
      query["pdq"] = hashes.image->pdq.hash.hex();
      query["pdq_quality"] = hashes.image->pdq.quality;
      query["threshold"] = o.threshold;
      std::vector<hashing::PdqHash> variants{hashes.image->pdq.hash};
      if (hashes.image->dihedral) variants.assign(hashes.image->dihedral->begin(), hashes.image->dihedral->end());
      // Robust query variants (hashing/robust_variants.h), reported with their match kind.
      std::vector<std::pair<std::string_view, hashing::Dihedral>> tags;
      for (std::size_t v = 0; v < variants.size(); ++v) tags.emplace_back("pdq", static_cast<hashing::Dihedral>(v));
      for (const auto& rv : hashes.image->variants) variants.push_back(rv.hash), tags.emplace_back(rv.match_kind, rv.dihedral);
      HT_ASSIGN_OR_RETURN(const auto found, idx->SearchPdq(variants, o.threshold));
      // One match per (indexed hash, set): the closest orientation.
      std::map<std::pair<std::string, std::string>, std::pair<int, std::size_t>> best;
      for (std::size_t v = 0; v < found.size(); ++v) {
        for (std::size_t k = 0; k < found[v].size(); ++k) {
          if (index::IsRegionCell(found[v][k].membership)) continue;  // counted by SearchRegions below
          const auto key = std::make_pair(found[v][k].hash.hex(), found[v][k].membership.set_name);
          auto it = best.find(key);
          if (it == best.end() || found[v][k].distance < found[it->second.first][it->second.second].distance) {
            best[key] = {static_cast<int>(v), k};
          }
        }
      }
      for (const auto& [key, where] : best) {
        const auto& m = found[where.first][where.second];
        auto j = MembershipJson(m.membership, m.hash.hex(), m.distance);
        j["orientation"] = std::string(hashing::DihedralName(tags[static_cast<std::size_t>(where.first)].second));
        j["match_kind"] = index::LibraryMatchKind(m.membership).value_or(std::string(tags[static_cast<std::size_t>(where.first)].first));
        matches.push_back(std::move(j));
      }
      // Library images whose grid cells match at enough positions (index/region_matcher.h).
      HT_ASSIGN_OR_RETURN(const auto regions, index::SearchRegions(*idx, hashes.image->region, o.threshold, o.region_cells));
      for (const index::RegionMatch& r : regions) {
        auto j = MembershipJson(index::Membership{r.set, HashType::kPdq, r.info}, "", r.distance);
        j.erase("hash");
        j["orientation"] = std::string(hashing::DihedralName(hashing::Dihedral::kOriginal));
        j["match_kind"] = "region";
        j["cells_matched"] = r.cells;
        j["cells_usable"] = r.usable_cells;
        matches.push_back(std::move(j));
      }
    } else if (!hashes.status.ok()) {
      query["image_error"] = hashes.status.message();
    }
    add(std::move(query), std::move(matches));
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
  imp->add_option("--format", import->format, "vics|icse|nsrl|md5sum|sha1sum|sha256sum|pdq|csv")->required();
  imp->add_option("--category,--as", import->category,
                  "Category for formats without one: A, B, C, indecent-uncategorised, non-indecent, ignorable, unknown");
  imp->add_option("--category-map", import->category_map, "VICS category numbers: uk (default), us, or a TOML file");
  imp->add_option("--columns", import->columns, "CSV: field=Header,... (md5, sha1, sha256, pdq, category, series, ...)");
  imp->add_option("--delimiter", import->delimiter, "CSV field separator (default: detected)");
  imp->add_flag("--strict", import->strict, "Any rejected record or conflicting duplicate aborts the import");
  imp->add_option("--memory", import->memory_mib, "MiB to sort in memory before spilling runs to disk (default 512)");
  imp->add_option("files", import->files, "Files to import")->required();
  imp->callback([import, &exit]() { RecordOutcome(RunIndexImport(*import), exit); });

  auto list = std::make_shared<IndexCommonOptions>();
  auto* lst = index_cmd->add_subcommand("list", "List the sets in the index");
  AddCommon(lst, *list);
  lst->callback([list, &exit]() { RecordOutcome(RunIndexList(*list), exit); });

  auto stats = std::make_shared<IndexCommonOptions>();
  auto* st = index_cmd->add_subcommand("stats", "Entries per hash type, sets, size on disk");
  AddCommon(st, *stats);
  st->callback([stats, &exit]() { RecordOutcome(RunIndexStats(*stats), exit); });

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

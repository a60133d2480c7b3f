// Changing the known-image index: importing a set from hash-list files and removing a set together with
// the sets derived from it, plus the JSON both report in. The CLI's `index import` / `index remove` and
// `hashtriage serve`'s admin routes call these, so a set changed over the API is changed exactly as on the
// command line. The index is opened read-write only for the change; RocksDB lets readers (a running
// `serve`, a scan) keep reading the previous version meanwhile, and a second writer is refused.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hashing/status.h"
#include "index/importer.h"
#include "index/known_index.h"

namespace hashtriage::engine {

// How to read the files of an import, by name as the command line and the API give them.
struct IndexImportSpec {
  std::string format;               // vics, icse, nsrl, md5sum, sha1sum, sha256sum, pdq, csv
  std::string category;             // entries' category when the source gives none ("" = none given)
  std::string category_map = "uk";  // a built-in map name, or (allow_map_file) a map file
  bool allow_map_file = true;       // false over the API: a request never names a file on the server
  std::string columns;              // CSV column mapping
  std::string delimiter;            // CSV delimiter ("tab" or "\t" for a tab)
  bool strict = false;              // any rejected record refuses the whole file
};

// The importer's options for `spec` (usage errors as InvalidArgument, naming the option).
Result<index::ImportOptions> ImportOptionsFor(const IndexImportSpec& spec);

// Imports `files` as the set `set` into the index at `index_dir` (created when missing), replacing any
// set of that name atomically; the summary holds the rejected records and conflicts.
Result<index::ImportSummary> ImportIndexSet(const std::string& index_dir, const std::string& set,
                                            const std::vector<std::string>& files, const index::ImportOptions& options,
                                            std::uint64_t import_memory_bytes);

// Removes the set (NotFound when there is none) and, for a library set (`index build`), the sets derived
// from it, which would otherwise keep matching images of a library no longer in the index. Returns the
// names removed, the set first.
Result<std::vector<std::string>> RemoveIndexSet(const std::string& index_dir, const std::string& set);

std::uint64_t TotalEntries(const index::SetInfo& s);
// Entries stored with category unknown: a match is known material for specialist review (exit 10).
std::uint64_t CategoryNotRecorded(const index::SetInfo& s);
std::string IsoTimeUtc(std::int64_t unix_seconds);
nlohmann::ordered_json EntriesJson(const std::map<index::HashType, std::uint64_t>& entries);
// One set as `index list --json` and GET /api/v1/index/sets show it.
nlohmann::ordered_json SetInfoJson(const index::SetInfo& s);
// An import's outcome as `index import --json` and POST /api/v1/index/sets report it.
nlohmann::ordered_json ImportSummaryJson(const index::ImportSummary& summary);

}  // namespace hashtriage::engine

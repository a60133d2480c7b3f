// Hash-set importers: read one or more files of a known format and commit them to a KnownIndex
// as one set (atomically: see SetWriter). Every reader streams (constant memory for any file size)
// and locates every problem by file, line and byte offset. Bad records are counted and reported;
// --strict (ImportOptions::strict) makes them fatal. Not thread-safe; one import at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/status.h"
#include "index/category_map.h"
#include "index/known_index.h"
#include "index/set_writer.h"

namespace hashtriage::index {

enum class ImportFormat { kVics, kIcse, kNsrl, kMd5sum, kSha1sum, kSha256sum, kPdq, kCsv };
// "vics", "icse", "nsrl", "md5sum", "sha1sum", "sha256sum", "pdq", "csv".
std::string_view ImportFormatName(ImportFormat f);
std::optional<ImportFormat> ParseImportFormat(std::string_view name);

struct ImportOptions {
  ImportFormat format = ImportFormat::kMd5sum;
  // Category for formats that carry none (md5sum/sha1sum/sha256sum/pdq lists, ICSE, NSRL, CSV
  // without a category column). Default: nullopt = unknown; NSRL: ignorable; ICSE: indecent-uncategorised.
  std::optional<Category> category;
  // VICS Category numbers (and numeric CSV categories) -> Category. Default: the built-in "uk" map.
  std::optional<CategoryMap> category_map;
  // CSV only: "field=Header Name,..." where field is md5, sha1, sha256, pdq, photodna, category,
  // series, media_id, quality, victim_identified, offender_identified, distributed. Header names
  // match case-insensitively; a 1-based column number (#3) works for files without a header.
  std::string columns;
  // CSV only: the field separator. Default: ',' ('\t' or ';' when the header has no ',').
  std::optional<char> delimiter;
  // Any rejected record or conflicting duplicate fails the import (nothing is committed).
  bool strict = false;
  // Rejections described individually in the summary (the rest are only counted). Default: 50.
  std::size_t max_examples = 50;
  // Optional progress report, called every few thousand records with the records read so far and the
  // bytes of all files consumed so far (for a display; the commit that follows is not included).
  std::function<void(std::uint64_t records, std::uint64_t bytes)> on_progress;
};

struct Rejection {
  std::string file;
  std::uint64_t line = 0;
  std::uint64_t offset = 0;  // byte offset of the record
  std::string reason;
};

struct ImportSummary {
  std::string set_name;
  std::vector<std::string> files;
  std::uint64_t records_read = 0;
  std::uint64_t records_rejected = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;  // reason class ("malformed md5", ...) -> count
  std::vector<Rejection> rejection_examples;
  CommitReport commit;  // entries added per hash type, duplicates
  double seconds = 0;
};

// Imports `files` as the set `set_name` into `index` (opened read-write), replacing any set of that
// name. Fails, leaving the index unchanged, on an unreadable file, a structural error (JSON syntax,
// missing CSV header) or, with strict, on any rejected record.
Result<ImportSummary> ImportSet(KnownIndex& index, const std::string& set_name, const std::vector<std::string>& files,
                                const ImportOptions& options);

}  // namespace hashtriage::index

// Hash-set importers: read one or more files of a known format and commit them to a KnownIndex
// as one set (atomically: see SetWriter). Every reader streams (constant memory for any file size)
// and locates every problem by file, line and byte offset. Bad records are counted and reported;
// --strict (ImportOptions::strict) makes them fatal. A set is replaced only by an import that
// accepted at least one record; every stored entry has a category its source or the caller chose,
// never a silent "unknown". Not thread-safe; one import at a time.
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

enum class ImportFormat { kVics, kIcse, kNsrl, kMd5sum, kSha1sum, kSha256sum, kPdq, kCsv, kVpdq };
// "vics", "icse", "nsrl", "md5sum", "sha1sum", "sha256sum", "pdq", "csv", "vpdq" (one video per file).
std::string_view ImportFormatName(ImportFormat f);
std::optional<ImportFormat> ParseImportFormat(std::string_view name);

// The category a format itself gives every entry when ImportOptions::category is not set: ICSE
// indecent-uncategorised (Interpol's ICSE list holds only child abuse material, and does not grade
// it), NSRL ignorable (known software and system files). nullopt for every other format: VICS and
// mapped CSV carry a category per record, hash and PDQ lists carry none.
std::optional<Category> FormatCategory(ImportFormat format);

struct ImportOptions {
  ImportFormat format = ImportFormat::kMd5sum;
  // Category of the entries whose source gives none. Required for md5sum/sha1sum/sha256sum and PDQ
  // lists and for CSV without a mapped category column (where it also fills empty category cells):
  // without it the import is refused (InvalidArgument) instead of storing hashes the kiosk would not
  // report; Category::kUnknown is accepted as an explicit choice and stored as such. VICS: the
  // category of Media without a Category field (rejected without it). ICSE, NSRL: replaces
  // FormatCategory. Default: nullopt (not given).
  std::optional<Category> category;
  // VICS Category numbers (and numeric CSV categories) -> Category. Default: the built-in "uk" map.
  std::optional<CategoryMap> category_map;
  // CSV only: "field=Header Name,..." where field is md5, sha1, sha256, pdq, photodna, category,
  // series, media_id, quality, victim_identified, offender_identified, distributed. Header names
  // match case-insensitively; a 1-based column number (#3) works for files without a header.
  std::string columns;
  // CSV only: the field separator. Default: ',' ('\t' or ';' when the header has no ',').
  std::optional<char> delimiter;
  // Any rejected record or conflicting duplicate fails the import (Corruption; nothing is committed).
  // Default: false: rejected records are reported and skipped, and of records giving one hash
  // different categories the more serious is kept (SetWriter).
  bool strict = false;
  // The names recorded for the files (in the set's sources, the summary and rejections), one per file,
  // when they should differ from the paths read (an upload kept in a scratch file). Default: the paths.
  std::vector<std::string> source_names;
  // Rejections described individually in the summary (the rest are only counted). Default: 50.
  std::size_t max_examples = 50;
  // Optional progress report, called every few thousand records with the records read so far and the
  // bytes of all files consumed so far (for a display; the commit that follows is not included).
  std::function<void(std::uint64_t records, std::uint64_t bytes)> on_progress;
  // Crash-injection for the crash-consistency tests only (set by tests/reliability/test_driver.cc,
  // never by the product): called with ("record", n) as the n-th entry is staged, ("before-ingest", 0)
  // before the commit and ("after-ingest", 0) between ingesting the files and the commit record.
  SetWriter::TestPoint test_point;
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

// InvalidArgument when `options` cannot make a complete set (a format without categories and no
// ImportOptions::category); the message names the command-line option. ImportSet checks this too.
Status CheckImportOptions(const ImportOptions& options);

// Imports `files` as the set `set_name` into `index` (opened read-write), replacing any set of that
// name. Fails, leaving the index unchanged (any old set of that name keeps its generation and
// entries): InvalidArgument for options that cannot work (CheckImportOptions, a CSV without a
// category column or category); Corruption when no record was accepted ("FILE: no valid records (12
// rejected: malformed md5 x12): set 'caid' left unchanged") or, with strict, on any rejected record
// or conflicting duplicate; IOError/Corruption for an unreadable file or a structural error (JSON
// syntax, missing CSV header).
Result<ImportSummary> ImportSet(KnownIndex& index, const std::string& set_name, const std::vector<std::string>& files,
                                const ImportOptions& options);

}  // namespace hashtriage::index

#include "engine/matching/index_admin.h"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "index/library_builder.h"

namespace hashtriage::engine {

using index::HashType;

Result<index::ImportOptions> ImportOptionsFor(const IndexImportSpec& spec) {
  index::ImportOptions io;
  const auto format = index::ParseImportFormat(spec.format);
  if (!format) return Status::InvalidArgument("--format must be vics, icse, nsrl, md5sum, sha1sum, sha256sum, pdq or csv");
  io.format = *format;
  if (!spec.category.empty()) {
    io.category = index::ParseCategory(spec.category);
    if (!io.category) {
      return Status::InvalidArgument("--category/--as must be A, B, C, indecent-uncategorised, non-indecent, "
                                     "ignorable or unknown");
    }
  }
  if (!index::CategoryMap::BuiltinText(spec.category_map).empty()) {
    HT_ASSIGN_OR_RETURN(io.category_map, index::CategoryMap::Builtin(spec.category_map));
  } else if (spec.allow_map_file) {
    HT_ASSIGN_OR_RETURN(io.category_map, index::CategoryMap::FromFile(spec.category_map));
  } else {
    return Status::InvalidArgument("category map '" + spec.category_map + "' is not a built-in map (uk)");
  }
  io.columns = spec.columns;
  if (!spec.delimiter.empty()) io.delimiter = spec.delimiter == "\\t" || spec.delimiter == "tab" ? '\t' : spec.delimiter[0];
  io.strict = spec.strict;
  HT_RETURN_IF_ERROR(index::CheckImportOptions(io));
  return io;
}

Result<index::ImportSummary> ImportIndexSet(const std::string& index_dir, const std::string& set,
                                            const std::vector<std::string>& files, const index::ImportOptions& options,
                                            std::uint64_t import_memory_bytes) {
  HT_RETURN_IF_ERROR(index::CheckImportOptions(options));  // before the index is opened (or created)
  if (set.empty()) return Status::InvalidArgument("the set needs a name");
  for (const auto& f : files) {
    if (!std::filesystem::is_regular_file(f)) return Status::NotFound(f + ": no such file");
  }
  index::IndexOptions opts;
  opts.path = index_dir;
  opts.read_only = false;
  opts.exact_filter = false;
  opts.load_pdq = false;
  if (import_memory_bytes > 0) opts.import_memory_bytes = import_memory_bytes;
  HT_ASSIGN_OR_RETURN(auto idx, index::KnownIndex::Open(opts));
  return index::ImportSet(*idx, set, files, options);
}

Result<std::vector<std::string>> RemoveIndexSet(const std::string& index_dir, const std::string& set) {
  index::IndexOptions opts;
  opts.path = index_dir;
  opts.read_only = false;
  opts.exact_filter = false;
  opts.load_pdq = false;
  HT_ASSIGN_OR_RETURN(auto idx, index::KnownIndex::Open(opts));
  std::vector<std::string> removed{set};
  const auto sets = idx->ListSets();
  const auto find = [&](const std::string& name) {
    return std::find_if(sets.begin(), sets.end(), [&](const index::SetInfo& s) { return s.name == name; });
  };
  if (auto it = find(set); it != sets.end() && it->format == "library") {
    for (const std::string& derived : index::LibraryDerivedSets(set)) {
      if (find(derived) != sets.end()) removed.push_back(derived);
    }
  }
  for (const std::string& name : removed) HT_RETURN_IF_ERROR(idx->RemoveSet(name));
  return removed;
}

std::uint64_t TotalEntries(const index::SetInfo& s) {
  std::uint64_t total = 0;
  for (const auto& [t, n] : s.entries) total += n;
  return total;
}

std::uint64_t CategoryNotRecorded(const index::SetInfo& s) {
  return s.by_category[static_cast<std::size_t>(index::Category::kUnknown)];
}

std::string IsoTimeUtc(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::ordered_json EntriesJson(const std::map<HashType, std::uint64_t>& entries) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (HashType t : index::kAllHashTypes) {
    if (auto it = entries.find(t); it != entries.end() && it->second > 0) j[std::string(HashTypeName(t))] = it->second;
  }
  return j;
}

nlohmann::ordered_json SetInfoJson(const index::SetInfo& s) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["format"] = s.format;
  j["imported"] = IsoTimeUtc(s.imported_unix);
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
  j["category_not_recorded"] = CategoryNotRecorded(s);
  if (s.feature_pictures > 0) j["feature_pictures"] = s.feature_pictures;  // library features (NAME+features)
  return j;
}

nlohmann::ordered_json ImportSummaryJson(const index::ImportSummary& summary) {
  const auto& set = summary.commit.set;
  nlohmann::ordered_json j;
  j["set"] = SetInfoJson(set);
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
  j["category_conflicts"] = summary.commit.category_conflicts;
  auto& conflicts = j["conflicts"] = nlohmann::ordered_json::array();  // examples: both places of each
  for (const auto& d : summary.commit.duplicate_examples) {
    if (!d.conflicting) continue;
    auto place = [&](std::uint32_t file, std::uint64_t line, std::optional<std::uint64_t> offset, index::Category c) {
      return nlohmann::ordered_json{{"file", file < summary.files.size() ? summary.files[file] : ""},
                                    {"line", line},
                                    {"offset", offset ? nlohmann::ordered_json(*offset) : nlohmann::ordered_json()},
                                    {"category", std::string(CategoryName(c))}};
    };
    conflicts.push_back({{"hash_type", std::string(HashTypeName(d.type))},
                         {"hash", d.hash_hex},
                         {"at", place(d.file, d.line, d.offset, d.category)},
                         {"other", place(d.first_file, d.first_line, d.first_offset, d.first_category)},
                         {"kept_category", std::string(CategoryName(d.kept_category()))}});
  }
  j["seconds"] = summary.seconds;
  j["entries_per_second"] = summary.seconds > 0 ? static_cast<double>(TotalEntries(set)) / summary.seconds : 0.0;
  return j;
}

}  // namespace hashtriage::engine

// Text hash-set readers: md5sum/sha1sum/sha256sum lists and PDQ lists (one entry per line), and
// Interpol ICSE CSV, NSRL RDS CSV and generic CSV with a --columns mapping (RFC 4180 records through
// ingest::CsvReader, so a quoted field may span lines and a broken record costs only itself).
#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "index/internal/line_reader.h"
#include "index/internal/record_sink.h"
#include "ingest/csv_reader.h"

namespace hashtriage::index::internal {

namespace {

enum Field { kMd5, kSha1, kSha256, kPdq, kPhotoDna, kCategory, kSeries, kMediaId, kQuality, kVictim, kOffender,
             kDistributed, kFieldCount };
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "md5", "sha1", "sha256", "pdq", "photodna", "category", "series", "media_id", "quality",
    "victim_identified", "offender_identified", "distributed"};
constexpr std::array<std::pair<Field, HashType>, 5> kHashFields = {{{kMd5, HashType::kMd5},
                                                                    {kSha1, HashType::kSha1},
                                                                    {kSha256, HashType::kSha256},
                                                                    {kPdq, HashType::kPdq},
                                                                    {kPhotoDna, HashType::kPhotoDna}}};

// Column index per Field, -1 when absent.
struct Mapping {
  std::array<int, kFieldCount> column;
  Mapping() { column.fill(-1); }
  int max_column() const { return *std::max_element(column.begin(), column.end()); }
};

int FindHeader(const std::vector<std::string>& header, std::initializer_list<std::string_view> names) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string h = NormalizeHeader(header[i]);
    for (auto n : names) {
      if (h == n) return static_cast<int>(i);
    }
  }
  return -1;
}

std::optional<int> ParseInt(std::string_view text) {
  text = Trim(text);
  int v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

// One record from split fields under a mapping. `default_category` is for rows without a category
// cell (or an empty one); without it such rows are rejected.
class RowEmitter {
 public:
  RowEmitter(RecordSink& sink, const Mapping& map, std::optional<Category> default_category,
             const CategoryMap* categories)
      : sink_(sink), map_(map), default_category_(default_category), categories_(categories) {}

  Status Emit(const std::vector<std::string>& f, std::uint64_t line, std::uint64_t offset) {
    sink_.CountRecord(offset);
    auto field = [&](Field k) -> std::string_view {
      const int c = map_.column[k];
      return c >= 0 && static_cast<std::size_t>(c) < f.size() ? Trim(f[c]) : std::string_view();
    };
    if (map_.max_column() >= static_cast<int>(f.size())) {
      return sink_.Reject(line, offset, "too few fields",
                          "expected at least " + std::to_string(map_.max_column() + 1) + ", found " +
                              std::to_string(f.size()));
    }
    EntryInfo info;
    if (const auto text = field(kCategory); !text.empty()) {
      auto c = ParseCategory(text);
      if (!c && categories_ != nullptr) {
        if (auto n = ParseInt(text)) c = categories_->Map(*n);
      }
      if (!c) return sink_.Reject(line, offset, "unknown category", "'" + std::string(text.substr(0, 40)) + "'");
      info.category = *c;
    } else if (default_category_) {
      info.category = *default_category_;
    } else {
      return sink_.Reject(line, offset, "missing category", "empty category cell (--category sets one for such rows)");
    }
    info.series = field(kSeries);
    info.media_id = field(kMediaId);
    if (ParseTruthy(field(kVictim))) info.flags |= kFlagVictimIdentified;
    if (ParseTruthy(field(kOffender))) info.flags |= kFlagOffenderIdentified;
    if (ParseTruthy(field(kDistributed))) info.flags |= kFlagDistributed;
    if (const auto q = field(kQuality); !q.empty()) {
      const auto v = ParseInt(q);
      if (!v || *v < 0 || *v > 100) {
        return sink_.Reject(line, offset, "malformed quality", "'" + std::string(q.substr(0, 20)) + "' (0..100)");
      }
      info.pdq_quality = *v;
      if (*v < hashing::kPdqMinGoodQuality) info.flags |= kFlagLowQuality;
    }
    decoded_.clear();
    for (const auto& [k, type] : kHashFields) {
      const auto text = field(k);
      if (text.empty()) continue;
      std::string bytes;
      if (!RecordSink::DecodeHash(type, text, bytes)) {
        return sink_.Reject(line, offset, "malformed " + std::string(HashTypeName(type)),
                            "'" + std::string(text.substr(0, 80)) + "' (" + std::to_string(text.size()) +
                                " characters)");
      }
      decoded_.emplace_back(type, std::move(bytes));
    }
    if (decoded_.empty()) return sink_.Reject(line, offset, "no hashes", "no hash in the mapped columns");
    for (const auto& [type, bytes] : decoded_) {
      EntryInfo e = info;
      if (type != HashType::kPdq) {
        e.pdq_quality = -1;
        e.flags &= static_cast<std::uint8_t>(~kFlagLowQuality);
      }
      HT_RETURN_IF_ERROR(sink_.Add(type, bytes, e, line, offset));
    }
    return Status::Ok();
  }

 private:
  RecordSink& sink_;
  const Mapping& map_;
  std::optional<Category> default_category_;
  const CategoryMap* categories_;
  std::vector<std::pair<HashType, std::string>> decoded_;
};

// Reads a delimited file whose first non-blank record is a header; `map_header` builds the mapping.
// Without a `delimiter` the header line decides: ',' if it has one, else a tab, else ';'.
template <typename MapHeader>
Status ReadDelimited(const std::string& path, RecordSink& sink, std::optional<char> delimiter,
                     std::optional<Category> category, const CategoryMap* categories, MapHeader map_header) {
  HT_ASSIGN_OR_RETURN(auto input, ingest::TextInput::Open(path));
  ingest::CsvReaderOptions csv_options;
  if (delimiter) {
    csv_options.delimiter = *delimiter;
  } else {
    HT_ASSIGN_OR_RETURN(csv_options.delimiter, ingest::SniffCsvDelimiter(*input, ",\t;"));
  }
  HT_ASSIGN_OR_RETURN(auto reader, ingest::CsvReader::Make(std::move(input), csv_options));
  Mapping map;
  std::optional<RowEmitter> emitter;
  for (;;) {
    HT_ASSIGN_OR_RETURN(const ingest::CsvRecord* record, reader->Next());
    if (record == nullptr) break;
    if (record->status.ok() && record->blank()) continue;
    if (!emitter) {
      const std::string where = path + ":" + std::to_string(record->line) + ": ";
      if (!record->status.ok()) return Status::InvalidArgument(where + "header: " + record->status.message());
      auto mapped = map_header(record->fields);
      if (!mapped.ok()) return Status::InvalidArgument(where + mapped.status().message());
      map = *mapped;
      emitter.emplace(sink, map, category, categories);
      bool header_is_data = false;  // a mapping by column number: the first line is a record
      for (const auto& [k, type] : kHashFields) {
        std::string bytes;
        const int c = map.column[k];
        if (c >= 0 && static_cast<std::size_t>(c) < record->fields.size() &&
            RecordSink::DecodeHash(type, record->fields[c], bytes)) {
          header_is_data = true;
        }
      }
      if (!header_is_data) continue;
    }
    if (!record->status.ok()) {
      sink.CountRecord(record->offset);
      HT_RETURN_IF_ERROR(sink.Reject(record->line, record->offset, "malformed CSV record", record->status.message()));
      continue;
    }
    HT_RETURN_IF_ERROR(emitter->Emit(record->fields, record->line, record->offset));
  }
  if (!emitter) return Status::InvalidArgument(path + ": empty file, expected a header line");
  return Status::Ok();
}

}  // namespace

Status ReadHashList(const std::string& path, HashType type, RecordSink& sink) {
  HT_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
  EntryInfo info;
  info.category = *sink.options().category;  // required by CheckImportOptions
  std::string bytes;
  const std::string reason = "malformed " + std::string(HashTypeName(type));
  while (auto raw = reader->Next()) {
    std::string_view line = Trim(*raw);
    if (line.empty() || line.front() == '#') continue;
    sink.CountRecord(reader->offset());
    std::string_view hex, name;
    if (const auto eq = line.rfind(" = "); line.find(" (") != std::string_view::npos && eq != std::string_view::npos) {
      // BSD style: "MD5 (name) = hex"
      hex = Trim(line.substr(eq + 3));
      const auto open = line.find(" (");
      name = line.substr(open + 2, eq > open + 3 ? eq - open - 3 : 0);
    } else {
      const auto space = line.find_first_of(" \t");
      hex = line.substr(0, space);
      if (space != std::string_view::npos) {
        name = Trim(line.substr(space));
        if (!name.empty() && name.front() == '*') name.remove_prefix(1);  // binary-mode marker
      }
    }
    if (!RecordSink::DecodeHash(type, hex, bytes)) {
      HT_RETURN_IF_ERROR(sink.Reject(reader->line(), reader->offset(), reason,
                                     "'" + std::string(hex.substr(0, 80)) + "' (" + std::to_string(hex.size()) +
                                         " characters, expected " + std::to_string(HashTypeSize(type) * 2) + ")"));
      continue;
    }
    info.media_id = name;
    HT_RETURN_IF_ERROR(sink.Add(type, bytes, info, reader->line(), reader->offset()));
  }
  return reader->status();
}

Status ReadPdqList(const std::string& path, RecordSink& sink) {
  HT_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
  std::string bytes;
  while (auto raw = reader->Next()) {
    const std::string_view line = Trim(*raw);
    if (line.empty() || line.front() == '#') continue;
    // One line is one record (a quoted label may hold commas, not line breaks).
    auto fields = ingest::ParseCsvRecord(line);
    if (!fields.ok()) {
      sink.CountRecord(reader->offset());
      HT_RETURN_IF_ERROR(sink.Reject(reader->line(), reader->offset(), "malformed CSV record", fields.status().message()));
      continue;
    }
    const std::vector<std::string>& f = *fields;
    if (reader->line() == 1 && (NormalizeHeader(f[0]) == "hash" || NormalizeHeader(f[0]) == "pdq")) continue;
    sink.CountRecord(reader->offset());
    EntryInfo info;
    info.category = *sink.options().category;  // required by CheckImportOptions
    if (!RecordSink::DecodeHash(HashType::kPdq, f[0], bytes)) {
      HT_RETURN_IF_ERROR(sink.Reject(reader->line(), reader->offset(), "malformed pdq",
                                     "'" + std::string(Trim(f[0]).substr(0, 80)) + "' (" +
                                         std::to_string(Trim(f[0]).size()) + " characters, expected 64 hex)"));
      continue;
    }
    if (f.size() >= 2 && !Trim(f[1]).empty()) {
      const auto q = ParseInt(f[1]);
      if (!q || *q < 0 || *q > 100) {
        HT_RETURN_IF_ERROR(sink.Reject(reader->line(), reader->offset(), "malformed quality",
                                       "'" + std::string(Trim(f[1]).substr(0, 20)) + "' (0..100)"));
        continue;
      }
      info.pdq_quality = *q;
      if (*q < hashing::kPdqMinGoodQuality) info.flags |= kFlagLowQuality;
    }
    if (f.size() >= 3) {
      std::string label = f[2];
      for (std::size_t i = 3; i < f.size(); ++i) label += "," + f[i];  // labels may contain commas
      info.media_id = std::string(Trim(label));
    }
    HT_RETURN_IF_ERROR(sink.Add(HashType::kPdq, bytes, info, reader->line(), reader->offset()));
  }
  return reader->status();
}

Status ReadIcse(const std::string& path, RecordSink& sink) {
  return ReadDelimited(
      path, sink, ';', sink.options().category.value_or(*FormatCategory(ImportFormat::kIcse)), nullptr,
      [](const std::vector<std::string>& header) -> Result<Mapping> {
        Mapping m;
        m.column[kMd5] = FindHeader(header, {"md5"});
        m.column[kSha1] = FindHeader(header, {"sha1", "sha-1"});
        m.column[kPhotoDna] = FindHeader(header, {"photodna"});
        m.column[kMediaId] = FindHeader(header, {"image id"});
        m.column[kDistributed] = FindHeader(header, {"is distributed"});
        m.column[kVictim] = FindHeader(header, {"victim identified"});
        m.column[kOffender] = FindHeader(header, {"offender identified"});
        m.column[kSeries] = FindHeader(header, {"series name"});
        if (m.column[kMd5] < 0 && m.column[kSha1] < 0) {
          return Status::InvalidArgument("not an ICSE CSV: expected a header 'MD5;SHA1;PhotoDNA;Image ID;...'");
        }
        return m;
      });
}

Status ReadNsrl(const std::string& path, RecordSink& sink) {
  return ReadDelimited(path, sink, ',', sink.options().category.value_or(*FormatCategory(ImportFormat::kNsrl)), nullptr,
                       [](const std::vector<std::string>& header) -> Result<Mapping> {
                         Mapping m;
                         m.column[kSha1] = FindHeader(header, {"sha-1", "sha1"});
                         m.column[kMd5] = FindHeader(header, {"md5"});
                         m.column[kSha256] = FindHeader(header, {"sha-256", "sha256"});
                         m.column[kMediaId] = FindHeader(header, {"filename", "file_name"});
                         if (m.column[kSha1] < 0 && m.column[kMd5] < 0) {
                           return Status::InvalidArgument(
                               "not an NSRL RDS file: expected a header \"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",...");
                         }
                         return m;
                       });
}

Status ReadCsv(const std::string& path, RecordSink& sink, const CategoryMap& categories) {
  const std::string columns = sink.options().columns;
  const bool category_given = sink.options().category.has_value();
  return ReadDelimited(
      path, sink, sink.options().delimiter, sink.options().category, &categories,
      [&columns, category_given](const std::vector<std::string>& header) -> Result<Mapping> {
        Mapping m;
        if (columns.empty()) {  // headers named like the fields
          for (int k = 0; k < kFieldCount; ++k) m.column[k] = FindHeader(header, {kFieldNames[k]});
        }
        std::string_view rest = columns;
        while (!rest.empty()) {
          const auto comma = rest.find(',');
          const std::string_view item = Trim(rest.substr(0, comma));
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          if (item.empty()) continue;
          const auto eq = item.find('=');
          if (eq == std::string_view::npos) {
            return Status::InvalidArgument("--columns: '" + std::string(item) + "' is not field=Header");
          }
          const std::string field = NormalizeHeader(item.substr(0, eq));
          const auto it = std::find(kFieldNames.begin(), kFieldNames.end(), field);
          if (it == kFieldNames.end()) return Status::InvalidArgument("--columns: unknown field '" + field + "'");
          const std::string_view col = Trim(item.substr(eq + 1));
          int index = -1;
          if (!col.empty() && col.front() == '#') {
            index = ParseInt(col.substr(1)).value_or(0) - 1;
          } else {
            index = FindHeader(header, {NormalizeHeader(col)});
          }
          if (index < 0) return Status::InvalidArgument("--columns: no column '" + std::string(col) + "' in the header");
          m.column[it - kFieldNames.begin()] = index;
        }
        if (m.column[kMd5] < 0 && m.column[kSha1] < 0 && m.column[kSha256] < 0 && m.column[kPdq] < 0 &&
            m.column[kPhotoDna] < 0) {
          return Status::InvalidArgument("no hash column: name one with --columns md5=HEADER (or sha1, sha256, pdq)");
        }
        if (m.column[kCategory] < 0 && !category_given) {
          return Status::InvalidArgument(
              "no category column: map one with --columns category=HEADER, or give --category A, B, C, "
              "indecent-uncategorised, non-indecent or ignorable for every row (or --category unknown to store "
              "them ungraded: a match is then known material for specialist review)");
        }
        return m;
      });
}

}  // namespace hashtriage::index::internal

#include "index/importer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <filesystem>

#include "hashing/digest_types.h"
#include "index/internal/line_reader.h"
#include "index/internal/record_sink.h"

namespace hashtriage::index {

namespace {

constexpr std::array<std::pair<ImportFormat, std::string_view>, 9> kFormats = {{
    {ImportFormat::kVics, "vics"},
    {ImportFormat::kIcse, "icse"},
    {ImportFormat::kNsrl, "nsrl"},
    {ImportFormat::kMd5sum, "md5sum"},
    {ImportFormat::kSha1sum, "sha1sum"},
    {ImportFormat::kSha256sum, "sha256sum"},
    {ImportFormat::kPdq, "pdq"},
    {ImportFormat::kCsv, "csv"},
    {ImportFormat::kVpdq, "vpdq"},
}};

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Hex digit values, -1 for anything else: a table, because hex decoding is a hot loop of imports.
struct HexTable {
  std::array<std::int8_t, 256> v{};
  constexpr HexTable() {
    for (auto& x : v) x = -1;
    for (int c = 0; c < 10; ++c) v['0' + c] = static_cast<std::int8_t>(c);
    for (int c = 0; c < 6; ++c) {
      v['a' + c] = static_cast<std::int8_t>(10 + c);
      v['A' + c] = static_cast<std::int8_t>(10 + c);
    }
  }
};
constexpr HexTable kHex;

bool DecodeHexFast(std::string_view hex, std::string& out, std::size_t size) {
  if (hex.size() != size * 2) return false;
  out.resize(size);
  int bad = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const int hi = kHex.v[static_cast<unsigned char>(hex[2 * i])];
    const int lo = kHex.v[static_cast<unsigned char>(hex[2 * i + 1])];
    bad |= hi | lo;
    out[i] = static_cast<char>(hi << 4 | (lo & 15));
  }
  return bad >= 0;
}

// "set 'x' left unchanged" when a set of that name exists, "set 'x' not created" otherwise.
std::string UnchangedNote(const KnownIndex& index, const std::string& set_name) {
  return "set '" + set_name + "' " + (index.HasSet(set_name) ? "left unchanged" : "not created");
}

// "a.md5: no valid records (12 rejected: malformed md5 x12)": why an import accepted nothing.
std::string NoValidRecords(const std::vector<std::string>& files, const ImportSummary& summary) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f;
  out += ": no valid records (";
  if (summary.records_read == 0) {
    out += "no records found";
  } else {
    out += std::to_string(summary.records_rejected) + " rejected:";
    bool first = true;
    for (const auto& [reason, n] : summary.rejected_by_reason) {
      out += std::string(first ? " " : ", ") + reason + " x" + std::to_string(n);
      first = false;
    }
  }
  return out + ")";
}

bool DecodeBase64(std::string_view text, std::string& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = Base64Value(c);
    if (v < 0) return false;
    acc = acc << 6 | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace

std::string_view ImportFormatName(ImportFormat f) {
  for (const auto& [format, name] : kFormats) {
    if (format == f) return name;
  }
  return "unknown";
}

std::optional<ImportFormat> ParseImportFormat(std::string_view name) {
  for (const auto& [format, n] : kFormats) {
    if (n == name) return format;
  }
  return std::nullopt;
}

std::optional<Category> FormatCategory(ImportFormat format) {
  switch (format) {
    case ImportFormat::kIcse: return Category::kIndecentUncategorised;
    case ImportFormat::kNsrl: return Category::kIgnorable;
    default: return std::nullopt;
  }
}

Status CheckImportOptions(const ImportOptions& options) {
  switch (options.format) {
    case ImportFormat::kMd5sum:
    case ImportFormat::kSha1sum:
    case ImportFormat::kSha256sum:
    case ImportFormat::kPdq:
    case ImportFormat::kVpdq:
      if (options.category) return Status::Ok();
      return Status::InvalidArgument(std::string(ImportFormatName(options.format)) +
                                     " lists carry no category: give --category A, B, C, indecent-uncategorised, "
                                     "non-indecent or ignorable (or --category unknown to store them ungraded: a "
                                     "match is then known material for specialist review)");
    default: return Status::Ok();  // VICS/CSV: checked per file and record; ICSE/NSRL: FormatCategory
  }
}

namespace internal {

bool ParseTruthy(std::string_view text) {
  std::string t;
  for (char c : Trim(text)) t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return t == "true" || t == "yes" || t == "y" || t == "1";
}

Status RecordSink::Reject(std::uint64_t line, std::uint64_t offset, std::string_view reason_class, std::string detail) {
  ++summary_.records_rejected;
  ++summary_.rejected_by_reason[std::string(reason_class)];
  std::string reason = std::string(reason_class) + (detail.empty() ? "" : ": " + detail);
  if (options_.strict) {
    return Status::Corruption(file_ + ":" + std::to_string(line) + " (byte " + std::to_string(offset) + "): " + reason +
                              " (--strict: " + unchanged_ + ")");
  }
  if (summary_.rejection_examples.size() < options_.max_examples) {
    summary_.rejection_examples.push_back({file_, line, offset, std::move(reason)});
  }
  return Status::Ok();
}

bool RecordSink::DecodeHash(HashType type, std::string_view text, std::string& out) {
  text = Trim(text);
  const std::size_t size = HashTypeSize(type);
  if (type == HashType::kPhotoDna && text.size() != size * 2) {
    return DecodeBase64(text, out) && out.size() == size;
  }
  return DecodeHexFast(text, out, size);
}

Status RecordSink::Add(HashType type, std::string_view bytes, const EntryInfo& info, std::uint64_t line,
                       std::uint64_t offset) {
  return writer_.Add(type, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, info,
                     RecordPosition{file_index_, line, offset});
}

}  // namespace internal

Result<ImportSummary> ImportSet(KnownIndex& index, const std::string& set_name, const std::vector<std::string>& files,
                                const ImportOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (files.empty()) return Status::InvalidArgument("no files to import");
  HT_RETURN_IF_ERROR(CheckImportOptions(options));
  CategoryMap categories;
  if (options.category_map) {
    categories = *options.category_map;
  } else {
    HT_ASSIGN_OR_RETURN(categories, CategoryMap::Builtin("uk"));
  }
  HT_ASSIGN_OR_RETURN(auto writer, index.BeginSet(set_name, std::string(ImportFormatName(options.format)), options.strict));
  writer->set_test_point(options.test_point);
  ImportSummary summary;
  summary.set_name = set_name;
  const std::vector<std::string>& names = options.source_names.size() == files.size() ? options.source_names : files;
  summary.files = names;
  const std::string unchanged = UnchangedNote(index, set_name);
  internal::RecordSink sink(*writer, options, summary, unchanged);
  std::uint64_t bytes_before = 0;
  std::vector<KnownVideo> videos;
  for (std::size_t i = 0; i < files.size(); ++i) {
    sink.BeginFile(static_cast<std::uint32_t>(i), names[i], bytes_before);
    Status st;
    switch (options.format) {
      case ImportFormat::kVics: st = internal::ReadVics(files[i], sink, categories); break;
      case ImportFormat::kIcse: st = internal::ReadIcse(files[i], sink); break;
      case ImportFormat::kNsrl: st = internal::ReadNsrl(files[i], sink); break;
      case ImportFormat::kMd5sum: st = internal::ReadHashList(files[i], HashType::kMd5, sink); break;
      case ImportFormat::kSha1sum: st = internal::ReadHashList(files[i], HashType::kSha1, sink); break;
      case ImportFormat::kSha256sum: st = internal::ReadHashList(files[i], HashType::kSha256, sink); break;
      case ImportFormat::kPdq: st = internal::ReadPdqList(files[i], sink); break;
      case ImportFormat::kCsv: st = internal::ReadCsv(files[i], sink, categories); break;
      case ImportFormat::kVpdq: st = internal::ReadVpdqList(files[i], names[i], sink, videos); break;
    }
    if (!st.ok()) return st;  // the writer is destroyed unused: nothing is committed
    std::error_code size_error;
    const auto size = std::filesystem::file_size(files[i], size_error);
    if (!size_error) bytes_before += size;
    if (options.on_progress) options.on_progress(summary.records_read, bytes_before);
  }
  if (writer->staged() == 0) {
    // Replacing a set with nothing would silently drop every hash it knew.
    std::string first;
    if (!summary.rejection_examples.empty()) {
      const Rejection& r = summary.rejection_examples.front();
      first = "; first: " + r.file + ":" + std::to_string(r.line) + " (byte " + std::to_string(r.offset) + "): " + r.reason;
    }
    return Status::Corruption(NoValidRecords(names, summary) + ": " + unchanged + first);
  }
  SetInfo set;
  set.sources = names;
  set.records_read = summary.records_read;
  set.records_rejected = summary.records_rejected;
  set.videos = std::move(videos);
  HT_ASSIGN_OR_RETURN(summary.commit, writer->Commit(std::move(set)));
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace hashtriage::index

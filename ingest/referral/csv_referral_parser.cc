// CSV referrals: the peer-to-peer monitoring layout (observed_at,network,client_guid,ip,port,file_name,
// md5,sha1,file_size; one row per file a peer offered) and generic CSV whose columns are mapped onto
// hashtriage's field names. A bad cell is dropped with a warning naming its column; a row with no
// identifier or file left (a P2P row: no client or no hash) is an error.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "hashing/digests.h"
#include "hashing/pdq_hash.h"
#include "ingest/referral/record_parsers.h"

namespace hashtriage::ingest::referral_internal {

namespace {

// Generic CSV fields. Cells of the identifier fields may hold several values separated by ';'.
constexpr std::array<std::string_view, 25> kCsvFields = {
    "report_id", "time",       "incident_type", "event",        "service",      "user_id",
    "screen_name", "display_name", "email",      "phone",        "device_id",    "client_guid",
    "ip",        "port",       "proxy",         "file_name",    "md5",          "sha1",
    "sha256",    "pdq",        "file_size",     "escalate",     "self_production", "industry_classification",
    "location"};

// The P2P monitoring header and the generic field each column fills.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kP2pColumns = {{{"observed_at", "time"},
                                                                                      {"network", "service"},
                                                                                      {"client_guid", "client_guid"},
                                                                                      {"ip", "ip"},
                                                                                      {"port", "port"},
                                                                                      {"file_name", "file_name"},
                                                                                      {"md5", "md5"},
                                                                                      {"sha1", "sha1"},
                                                                                      {"file_size", "file_size"}}};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status CellError(std::string_view field, std::string_view reason) {
  return Status::InvalidArgument("column " + std::string(field) + ": " + std::string(reason));
}

std::vector<std::string_view> SplitValues(std::string_view cell) {
  std::vector<std::string_view> out;
  while (!cell.empty()) {
    const std::size_t semi = cell.find(';');
    const std::string_view part = Trim(cell.substr(0, semi));
    if (!part.empty()) out.push_back(part);
    if (semi == std::string_view::npos) break;
    cell.remove_prefix(semi + 1);
  }
  return out;
}

Result<std::optional<bool>> CellFlag(std::string_view cell, std::string_view field) {
  std::string s(Trim(cell));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s.empty()) return std::optional<bool>();
  if (s == "true" || s == "yes" || s == "y" || s == "1") return std::optional<bool>(true);
  if (s == "false" || s == "no" || s == "n" || s == "0") return std::optional<bool>(false);
  return CellError(field, "'" + QuoteForMessage(s) + "' is not yes/no/true/false");
}

Result<std::uint64_t> CellNumber(std::string_view cell, std::string_view field, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || end != cell.data() + cell.size() || value > max) {
    return CellError(field, "'" + QuoteForMessage(cell) + "' is not a number up to " + std::to_string(max));
  }
  return value;
}

template <typename Digest>
void CellDigest(std::string_view cell, std::string_view field, std::optional<Digest>& out, Referral& r) {
  if (cell.empty()) return;
  auto d = Digest::FromHex(cell);
  if (!d.ok()) {
    DropField(r, CellError(field, "'" + QuoteForMessage(cell) + "': " + d.status().message()));
    return;
  }
  out = *d;
}

void ParseCsvFile(const CsvColumns& c, const std::vector<std::string>& row, Referral& r) {
  auto get = [&](std::string_view f) { return Trim(c.Get(row, f)); };
  ReferralFile file;
  file.name = std::string(get("file_name"));
  CellDigest(get("md5"), "md5", file.md5, r);
  CellDigest(get("sha1"), "sha1", file.sha1, r);
  CellDigest(get("sha256"), "sha256", file.sha256, r);
  if (!get("pdq").empty()) {
    auto pdq = hashing::PdqHash::FromHex(get("pdq"));
    if (pdq.ok()) {
      file.pdq = pdq->hex();
    } else {
      DropField(r, CellError("pdq", "'" + QuoteForMessage(get("pdq")) + "': " + pdq.status().message()));
    }
  }
  if (!get("file_size").empty()) {
    auto size = CellNumber(get("file_size"), "file_size", UINT64_MAX);
    if (size.ok()) {
      file.size = *size;
    } else {
      DropField(r, size.status());
    }
  }
  std::optional<bool> self;
  KeepOrDrop(CellFlag(get("self_production"), "self_production"), self, r);
  file.possible_self_production = self.value_or(false);
  if (!file.name.empty() || file.md5 || file.sha1 || file.sha256 || !file.pdq.empty()) r.files.push_back(std::move(file));
}

}  // namespace

std::string NormalizeFieldName(std::string_view name) {
  std::string out;
  for (char ch : Trim(name)) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out += (c == ' ' || c == '-') ? '_' : c;
  }
  return out;
}

std::string ContentId(std::string_view format, std::string_view content) {
  const auto digest = hashing::DigestBytes(std::as_bytes(std::span(content.data(), content.size())),
                                           hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  return std::string(format) + ":sha256:" + digest.sha256->hex().substr(0, 32);
}

Result<CsvColumns> CsvColumns::Make(const std::vector<std::string>& header, std::string_view mapping, bool p2p) {
  std::vector<std::string> names;
  for (const std::string& h : header) names.push_back(NormalizeFieldName(h));
  auto column_of = [&](std::string_view header_name) -> std::optional<std::size_t> {
    const std::string wanted = NormalizeFieldName(header_name);
    auto it = std::find(names.begin(), names.end(), wanted);
    if (it == names.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names.begin());
  };
  CsvColumns columns;
  if (p2p) {
    for (const auto& [column, field] : kP2pColumns) {
      if (auto pos = column_of(column)) columns.positions_.emplace_back(std::string(field), *pos);
    }
    if (!columns.Has("time") || (!columns.Has("client_guid") && !columns.Has("ip")) ||
        (!columns.Has("md5") && !columns.Has("sha1"))) {
      return Status::InvalidArgument(
          "peer-to-peer CSV header needs observed_at, client_guid or ip, and md5 or sha1 "
          "(observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size)");
    }
    return columns;
  }
  auto valid_names = [] {
    std::string list;
    for (std::string_view f : kCsvFields) list += (list.empty() ? "" : ", ") + std::string(f);
    return list;
  };
  std::vector<std::pair<std::string, std::string>> wanted;  // field -> header
  if (Trim(mapping).empty()) {
    for (std::string_view f : kCsvFields) wanted.emplace_back(std::string(f), std::string(f));
  } else {
    std::string_view rest = mapping;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view pair = Trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (pair.empty()) continue;
      const std::size_t eq = pair.find('=');
      const std::string field = NormalizeFieldName(pair.substr(0, eq));
      if (eq == std::string_view::npos || std::find(kCsvFields.begin(), kCsvFields.end(), field) == kCsvFields.end()) {
        return Status::InvalidArgument("--columns: '" + std::string(pair) +
                                       "' is not field=Header with a field among: " + valid_names());
      }
      wanted.emplace_back(field, std::string(Trim(pair.substr(eq + 1))));
    }
  }
  for (const auto& [field, header_name] : wanted) {
    auto pos = column_of(header_name);
    if (pos) {
      columns.positions_.emplace_back(field, *pos);
    } else if (!Trim(mapping).empty()) {
      return Status::InvalidArgument("--columns: the file has no column '" + header_name + "' (for " + field + ")");
    }
  }
  if (columns.positions_.empty()) {
    return Status::InvalidArgument("CSV header names none of hashtriage's fields; map them with --columns "
                                   "field=Header,... (fields: " + valid_names() + ")");
  }
  return columns;
}

bool CsvColumns::Has(std::string_view field) const {
  return std::any_of(positions_.begin(), positions_.end(), [&](const auto& p) { return p.first == field; });
}

std::string_view CsvColumns::Get(const std::vector<std::string>& row, std::string_view field) const {
  for (const auto& [name, pos] : positions_) {
    if (name == field) return pos < row.size() ? std::string_view(row[pos]) : std::string_view();
  }
  return {};
}

Result<Referral> ParseCsvReferral(const CsvColumns& c, const std::vector<std::string>& row, bool p2p,
                                  const ReferralReaderOptions& options) {
  auto get = [&](std::string_view f) { return Trim(c.Get(row, f)); };
  Referral r;
  r.format = p2p ? "p2p" : "csv";
  r.service = NormalizeService(get("service"));
  r.report_id = std::string(get("report_id"));
  r.incident_type = std::string(get("incident_type"));
  r.estimated_location = std::string(get("location"));
  if (!get("time").empty()) {
    auto t = options.parse_time(get("time"));
    if (t.ok()) {
      r.incident_time = *t;
    } else {
      DropField(r, CellError(p2p ? "observed_at" : "time", t.status().message()));
    }
  }
  static constexpr std::pair<std::string_view, IdentifierKind> kIdentifierFields[] = {
      {"user_id", IdentifierKind::kServiceAccount}, {"email", IdentifierKind::kEmail},
      {"phone", IdentifierKind::kPhone},            {"device_id", IdentifierKind::kDeviceId},
      {"client_guid", IdentifierKind::kClientGuid}, {"screen_name", IdentifierKind::kScreenName},
      {"display_name", IdentifierKind::kDisplayName}};
  for (const auto& [field, kind] : kIdentifierFields) {
    const std::string column = "column " + std::string(field);
    for (std::string_view value : SplitValues(get(field))) r.AddIdentifier(kind, value, column, options.phone_region);
  }
  ReferralEvent event;
  event.type = p2p ? EventType::kOffer : ParseEventType(get("event"));
  event.time = r.incident_time;
  if (!get("ip").empty()) {
    auto ip = NormalizeIdentifier(IdentifierKind::kIp, get("ip"));
    if (ip) {
      event.ip = *ip;
      r.AddIdentifier(IdentifierKind::kIp, *ip);
    } else {
      DropField(r, CellError("ip", "'" + QuoteForMessage(get("ip")) + "' is not an IP address"));
    }
  }
  if (!get("port").empty()) {
    std::uint64_t port = 0;
    KeepOrDrop(CellNumber(get("port"), "port", 65535), port, r);
    event.port = static_cast<int>(port);
  }
  std::optional<bool> proxy;
  KeepOrDrop(CellFlag(get("proxy"), "proxy"), proxy, r);
  event.possible_proxy = proxy.value_or(false);
  if (event.time || !event.ip.empty() || (!p2p && !get("event").empty())) r.events.push_back(event);
  ParseCsvFile(c, row, r);
  std::optional<bool> escalate;
  KeepOrDrop(CellFlag(get("escalate"), "escalate"), escalate, r);
  r.escalate_to_high_priority = escalate.value_or(false);
  std::string industry(get("industry_classification"));
  for (char& ch : industry) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!industry.empty() && industry != "A1" && industry != "A2" && industry != "B1" && industry != "B2") {
    DropField(r, CellError("industry_classification", "'" + QuoteForMessage(industry) + "' is not A1, A2, B1 or B2"));
  } else {
    r.industry_classification = industry;
  }
  if (r.identifiers.empty() && r.files.empty()) {
    return RejectWithWarnings(p2p ? "row has no client_guid or ip" : "row has no identifier or file", r);
  }
  const bool has_hash = std::any_of(r.files.begin(), r.files.end(), [](const ReferralFile& f) { return f.md5 || f.sha1; });
  if (p2p && !has_hash) return RejectWithWarnings("row has no md5 or sha1 of the offered file", r);
  if (!r.report_id.empty()) {
    r.id = r.format + ":" + r.report_id;
  } else {
    std::string content;
    for (const std::string& cell : row) content += std::string(Trim(cell)) + '\x1f';
    r.id = ContentId(r.format, content);
  }
  return r;
}

void MergeCsvReferral(Referral& into, Referral&& row) {
  for (Identifier& id : row.identifiers) {
    if (std::find(into.identifiers.begin(), into.identifiers.end(), id) == into.identifiers.end()) {
      into.identifiers.push_back(std::move(id));
    }
  }
  for (ReferralEvent& e : row.events) into.events.push_back(std::move(e));
  for (ReferralFile& f : row.files) into.files.push_back(std::move(f));
  for (std::string& w : row.warnings) into.warnings.push_back(std::move(w));
  into.escalate_to_high_priority = into.escalate_to_high_priority || row.escalate_to_high_priority;
  if (!row.industry_classification.empty() &&
      (into.industry_classification.empty() || row.industry_classification < into.industry_classification)) {
    into.industry_classification = row.industry_classification;
  }
  if (!into.incident_time || (row.incident_time && *row.incident_time < *into.incident_time)) {
    into.incident_time = row.incident_time;
  }
  if (into.service.empty()) into.service = row.service;
  if (into.incident_type.empty()) into.incident_type = row.incident_type;
  if (into.estimated_location.empty()) into.estimated_location = row.estimated_location;
}

}  // namespace hashtriage::ingest::referral_internal

namespace hashtriage::ingest {

std::vector<std::string_view> CsvFieldNames() {
  return {referral_internal::kCsvFields.begin(), referral_internal::kCsvFields.end()};
}

}  // namespace hashtriage::ingest

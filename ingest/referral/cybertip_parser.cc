// ParseCybertipReport: a provider report (CyberTipline-like JSON, ../shared/docs/formats.md) to a
// Referral. Every field is optional; a present field of the wrong type, an unparseable time, address or
// hash is dropped with a warning naming the field (Referral::warnings), so one malformed field never
// costs the report its other facts. Only a record that is not an object, or has nothing usable, fails.
#include <algorithm>
#include <cctype>

#include "hashing/pdq_hash.h"
#include "ingest/referral/record_parsers.h"

namespace hashtriage::ingest::referral_internal {

namespace {

using Json = nlohmann::json;

Status FieldError(std::string_view field, std::string_view reason) {
  return Status::InvalidArgument(std::string(field) + ": " + std::string(reason));
}

// The value at `key` of object `j`, or nullptr when absent or null.
const Json* Find(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

// A scalar as text (numbers are common for ids); error for objects and arrays.
Result<std::string> Text(const Json& v, std::string_view field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return FieldError(field, "expected a string");
}

// A string or an array of strings, as a list.
Result<std::vector<std::string>> TextList(const Json* v, std::string_view field) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (!v->is_array()) {
    HT_ASSIGN_OR_RETURN(std::string one, Text(*v, field));
    out.push_back(std::move(one));
    return out;
  }
  for (const Json& item : *v) {
    if (item.is_null()) continue;
    HT_ASSIGN_OR_RETURN(std::string one, Text(item, field));
    out.push_back(std::move(one));
  }
  return out;
}

Result<std::optional<bool>> Flag(const Json* v, std::string_view field) {
  if (v == nullptr) return std::optional<bool>();
  if (v->is_boolean()) return std::optional<bool>(v->get<bool>());
  if (v->is_string()) {
    std::string s = v->get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "yes" || s == "1") return std::optional<bool>(true);
    if (s == "false" || s == "no" || s == "0" || s.empty()) return std::optional<bool>(false);
  }
  if (v->is_number_integer()) return std::optional<bool>(v->get<long long>() != 0);
  return FieldError(field, "expected true or false");
}

// An object or an array of objects, as a list; other elements are dropped with a warning.
Result<std::vector<const Json*>> ObjectList(const Json* v, std::string_view field, Referral& r) {
  std::vector<const Json*> out;
  if (v == nullptr) return out;
  if (v->is_object()) {
    out.push_back(v);
    return out;
  }
  if (!v->is_array()) return FieldError(field, "expected an object or an array of objects");
  for (std::size_t i = 0; i < v->size(); ++i) {
    const Json& item = (*v)[i];
    if (item.is_null()) continue;
    if (!item.is_object()) {
      DropField(r, FieldError(std::string(field) + "[" + std::to_string(i) + "]", "expected an object"));
      continue;
    }
    out.push_back(&item);
  }
  return out;
}

Result<std::optional<std::int64_t>> Time(const Json* v, std::string_view field, const TimeParser& parse_time) {
  if (v == nullptr) return std::optional<std::int64_t>();
  if (!v->is_string()) return FieldError(field, "expected an ISO 8601 time string");
  const std::string text = v->get<std::string>();
  if (text.empty()) return std::optional<std::int64_t>();
  auto t = parse_time(text);
  if (!t.ok()) return FieldError(field, t.status().message());
  return std::optional<std::int64_t>(*t);
}

void ParseIndustryClassification(const Json* v, std::string_view field, Referral& r) {
  if (v == nullptr) return;
  std::string text;
  if (!KeepOrDrop(Text(*v, field), text, r)) return;
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (text.empty()) return;
  if (text != "A1" && text != "A2" && text != "B1" && text != "B2") {
    DropField(r, FieldError(field, "'" + QuoteForMessage(text) + "' is not A1, A2, B1 or B2"));
    return;
  }
  // The report keeps its most serious classification (A before B, 1 before 2).
  if (r.industry_classification.empty() || text < r.industry_classification) r.industry_classification = text;
}

void ParseReportedPerson(const Json& person, const ReferralReaderOptions& options, Referral& r) {
  if (!person.is_object()) {
    DropField(r, FieldError("reportedPerson", "expected an object"));
    return;
  }
  if (const Json* service = Find(person, "espService")) {
    std::string text;
    if (KeepOrDrop(Text(*service, "reportedPerson.espService"), text, r)) r.service = NormalizeService(text);
  }
  struct Field {
    const char* name;
    IdentifierKind kind;
  };
  static constexpr Field kFields[] = {
      {"espIdentifier", IdentifierKind::kServiceAccount}, {"email", IdentifierKind::kEmail},
      {"phone", IdentifierKind::kPhone},                  {"deviceId", IdentifierKind::kDeviceId},
      {"screenName", IdentifierKind::kScreenName},        {"displayName", IdentifierKind::kDisplayName},
      {"profileUrl", IdentifierKind::kProfileUrl}};
  for (const Field& f : kFields) {
    const std::string field = std::string("reportedPerson.") + f.name;
    std::vector<std::string> values;
    KeepOrDrop(TextList(Find(person, f.name), field), values, r);
    for (const std::string& value : values) r.AddIdentifier(f.kind, value, field, options.phone_region);
  }
  if (const Json* location = Find(person, "estimatedLocation")) {
    if (location->is_object()) {
      for (const auto& [key, value] : location->items()) {
        if (!value.is_string() || value.get<std::string>().empty()) continue;
        r.estimated_location += (r.estimated_location.empty() ? "" : ", ") + value.get<std::string>();
      }
    } else {
      KeepOrDrop(Text(*location, "reportedPerson.estimatedLocation"), r.estimated_location, r);
    }
  }
}

void ParseIpEvents(const Json* events, const ReferralReaderOptions& options, Referral& r) {
  std::vector<const Json*> list;
  KeepOrDrop(ObjectList(events, "ipCaptureEvent", r), list, r);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& e = *list[i];
    const std::string field = "ipCaptureEvent[" + std::to_string(i) + "]";
    ReferralEvent event;
    if (const Json* name = Find(e, "eventName")) {
      std::string text;
      if (KeepOrDrop(Text(*name, field + ".eventName"), text, r)) event.type = ParseEventType(text);
    }
    KeepOrDrop(Time(Find(e, "dateTime"), field + ".dateTime", options.parse_time), event.time, r);
    if (const Json* ip = Find(e, "ipAddress")) {
      std::string text;
      if (KeepOrDrop(Text(*ip, field + ".ipAddress"), text, r)) {
        auto normal = NormalizeIdentifier(IdentifierKind::kIp, text);
        if (!normal && !text.empty()) {
          DropField(r, FieldError(field + ".ipAddress", "'" + QuoteForMessage(text) + "' is not an IP address"));
        }
        event.ip = normal.value_or("");
      }
    }
    if (const Json* port = Find(e, "port")) {
      std::string text;
      if (KeepOrDrop(Text(*port, field + ".port"), text, r)) {
        char* end = nullptr;
        const long value = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || value < 0 || value > 65535) {
          DropField(r, FieldError(field + ".port", "'" + QuoteForMessage(text) + "' is not a port number"));
        } else {
          event.port = static_cast<int>(value);
        }
      }
    }
    std::optional<bool> proxy;
    KeepOrDrop(Flag(Find(e, "possibleProxy"), field + ".possibleProxy"), proxy, r);
    event.possible_proxy = proxy.value_or(false);
    if (!event.ip.empty()) r.AddIdentifier(IdentifierKind::kIp, event.ip);
    r.events.push_back(std::move(event));
  }
}

// One originalFileHash entry into `file`.
Status ParseFileHash(const Json& h, const std::string& field, ReferralFile& file) {
  HT_ASSIGN_OR_RETURN(std::string type, Text(Find(h, "hashType") ? *Find(h, "hashType") : Json(""), field + ".hashType"));
  HT_ASSIGN_OR_RETURN(std::string value, Text(Find(h, "value") ? *Find(h, "value") : Json(""), field + ".value"));
  std::string kind;
  for (char c : type) {
    if (c != '-' && c != '_' && c != ' ') kind += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (value.empty()) return Status::Ok();
  auto fail = [&](const Status& s) { return FieldError(field + ".value", s.message()); };
  if (kind == "md5") {
    auto d = hashing::Md5Digest::FromHex(value);
    if (!d.ok()) return fail(d.status());
    file.md5 = *d;
  } else if (kind == "sha1") {
    auto d = hashing::Sha1Digest::FromHex(value);
    if (!d.ok()) return fail(d.status());
    file.sha1 = *d;
  } else if (kind == "sha256") {
    auto d = hashing::Sha256Digest::FromHex(value);
    if (!d.ok()) return fail(d.status());
    file.sha256 = *d;
  } else if (kind == "pdq") {
    auto d = hashing::PdqHash::FromHex(value);
    if (!d.ok()) return fail(d.status());
    file.pdq = d->hex();
  }
  // Other kinds (PhotoDNA...) are not matched by hashtriage and are not kept.
  return Status::Ok();
}

void ParseFiles(const Json* files, Referral& r) {
  std::vector<const Json*> list;
  KeepOrDrop(ObjectList(files, "files", r), list, r);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& f = *list[i];
    const std::string field = "files[" + std::to_string(i) + "]";
    ReferralFile file;
    if (const Json* name = Find(f, "originalFileName")) KeepOrDrop(Text(*name, field + ".originalFileName"), file.name, r);
    std::vector<const Json*> hashes;
    KeepOrDrop(ObjectList(Find(f, "originalFileHash"), field + ".originalFileHash", r), hashes, r);
    for (std::size_t k = 0; k < hashes.size(); ++k) {
      const Status hash = ParseFileHash(*hashes[k], field + ".originalFileHash[" + std::to_string(k) + "]", file);
      if (!hash.ok()) DropField(r, hash);
    }
    KeepOrDrop(Flag(Find(f, "fileViewedByEsp"), field + ".fileViewedByEsp"), file.viewed_by_esp, r);
    KeepOrDrop(Flag(Find(f, "publiclyAvailable"), field + ".publiclyAvailable"), file.publicly_available, r);
    if (const Json* annotations = Find(f, "fileAnnotations")) {
      if (!annotations->is_object()) {
        DropField(r, FieldError(field + ".fileAnnotations", "expected an object"));
      } else {
        std::optional<bool> self;
        KeepOrDrop(Flag(Find(*annotations, "possibleSelfProduction"), field + ".fileAnnotations.possibleSelfProduction"),
             self, r);
        file.possible_self_production = self.value_or(false);
      }
    }
    ParseIndustryClassification(Find(f, "industryClassification"), field + ".industryClassification", r);
    r.files.push_back(std::move(file));
  }
}

}  // namespace

Result<Referral> ParseCybertipReport(const nlohmann::json& report, const ReferralReaderOptions& options) {
  if (!report.is_object()) return Status::InvalidArgument("record is not a JSON object");
  Referral r;
  r.format = "cybertip";
  for (const char* key : {"reportId", "report_id", "reportNumber", "id"}) {
    if (const Json* id = Find(report, key)) {
      KeepOrDrop(Text(*id, key), r.report_id, r);
      break;
    }
  }
  if (const Json* summary = Find(report, "incidentSummary")) {
    if (!summary->is_object()) {
      DropField(r, FieldError("incidentSummary", "expected an object"));
    } else {
      if (const Json* type = Find(*summary, "incidentType")) {
        KeepOrDrop(Text(*type, "incidentSummary.incidentType"), r.incident_type, r);
      }
      KeepOrDrop(Time(Find(*summary, "incidentDateTime"), "incidentSummary.incidentDateTime", options.parse_time),
           r.incident_time, r);
      std::optional<bool> escalate;
      KeepOrDrop(Flag(Find(*summary, "escalateToHighPriority"), "incidentSummary.escalateToHighPriority"), escalate, r);
      r.escalate_to_high_priority = escalate.value_or(false);
    }
  }
  if (const Json* service = Find(report, "espService")) {
    std::string text;
    if (KeepOrDrop(Text(*service, "espService"), text, r)) r.service = NormalizeService(text);
  }
  if (const Json* person = Find(report, "reportedPerson")) ParseReportedPerson(*person, options, r);
  ParseIpEvents(Find(report, "ipCaptureEvent"), options, r);
  ParseFiles(Find(report, "files"), r);
  ParseIndustryClassification(Find(report, "industryClassification"), "industryClassification", r);
  if (r.identifiers.empty() && r.files.empty()) {
    return RejectWithWarnings("report has no reported person, IP address or file", r);
  }
  r.id = r.report_id.empty() ? ContentId("cybertip", report.dump()) : "cybertip:" + r.report_id;
  return r;
}

}  // namespace hashtriage::ingest::referral_internal

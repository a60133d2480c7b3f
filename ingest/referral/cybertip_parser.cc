// ParseCybertipReport: a provider report (CyberTipline-like JSON, ../shared/docs/formats.md) to a
// Referral. Every field is optional; a present field of the wrong type, an unparseable time or hash is
// an error naming the field, so a half-understood report is never stored.
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

// An object or an array of objects, as a list.
Result<std::vector<const Json*>> ObjectList(const Json* v, std::string_view field) {
  std::vector<const Json*> out;
  if (v == nullptr) return out;
  if (v->is_object()) {
    out.push_back(v);
    return out;
  }
  if (!v->is_array()) return FieldError(field, "expected an object or an array of objects");
  for (const Json& item : *v) {
    if (item.is_null()) continue;
    if (!item.is_object()) return FieldError(field, "expected an array of objects");
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

Status ParseIndustryClassification(const Json* v, std::string_view field, Referral& r) {
  if (v == nullptr) return Status::Ok();
  HT_ASSIGN_OR_RETURN(std::string text, Text(*v, field));
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (text.empty()) return Status::Ok();
  if (text != "A1" && text != "A2" && text != "B1" && text != "B2") {
    return FieldError(field, "'" + text + "' is not A1, A2, B1 or B2");
  }
  // The report keeps its most serious classification (A before B, 1 before 2).
  if (r.industry_classification.empty() || text < r.industry_classification) r.industry_classification = text;
  return Status::Ok();
}

Status ParseReportedPerson(const Json& person, Referral& r) {
  if (!person.is_object()) return FieldError("reportedPerson", "expected an object");
  if (const Json* service = Find(person, "espService")) {
    HT_ASSIGN_OR_RETURN(std::string text, Text(*service, "reportedPerson.espService"));
    r.service = NormalizeService(text);
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
    HT_ASSIGN_OR_RETURN(std::vector<std::string> values, TextList(Find(person, f.name), field));
    for (const std::string& value : values) r.AddIdentifier(f.kind, value);
  }
  if (const Json* location = Find(person, "estimatedLocation")) {
    if (location->is_object()) {
      for (const auto& [key, value] : location->items()) {
        if (!value.is_string() || value.get<std::string>().empty()) continue;
        r.estimated_location += (r.estimated_location.empty() ? "" : ", ") + value.get<std::string>();
      }
    } else {
      HT_ASSIGN_OR_RETURN(r.estimated_location, Text(*location, "reportedPerson.estimatedLocation"));
    }
  }
  return Status::Ok();
}

Status ParseIpEvents(const Json* events, const TimeParser& parse_time, Referral& r) {
  HT_ASSIGN_OR_RETURN(auto list, ObjectList(events, "ipCaptureEvent"));
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& e = *list[i];
    const std::string field = "ipCaptureEvent[" + std::to_string(i) + "]";
    ReferralEvent event;
    if (const Json* name = Find(e, "eventName")) {
      HT_ASSIGN_OR_RETURN(std::string text, Text(*name, field + ".eventName"));
      event.type = ParseEventType(text);
    }
    HT_ASSIGN_OR_RETURN(event.time, Time(Find(e, "dateTime"), field + ".dateTime", parse_time));
    if (const Json* ip = Find(e, "ipAddress")) {
      HT_ASSIGN_OR_RETURN(std::string text, Text(*ip, field + ".ipAddress"));
      auto normal = NormalizeIdentifier(IdentifierKind::kIp, text);
      if (!normal && !text.empty()) return FieldError(field + ".ipAddress", "'" + text + "' is not an IP address");
      event.ip = normal.value_or("");
    }
    if (const Json* port = Find(e, "port")) {
      HT_ASSIGN_OR_RETURN(std::string text, Text(*port, field + ".port"));
      char* end = nullptr;
      const long value = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || value < 0 || value > 65535) {
        return FieldError(field + ".port", "'" + text + "' is not a port number");
      }
      event.port = static_cast<int>(value);
    }
    HT_ASSIGN_OR_RETURN(auto proxy, Flag(Find(e, "possibleProxy"), field + ".possibleProxy"));
    event.possible_proxy = proxy.value_or(false);
    if (!event.ip.empty()) r.AddIdentifier(IdentifierKind::kIp, event.ip);
    r.events.push_back(std::move(event));
  }
  return Status::Ok();
}

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

Status ParseFiles(const Json* files, Referral& r) {
  HT_ASSIGN_OR_RETURN(auto list, ObjectList(files, "files"));
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& f = *list[i];
    const std::string field = "files[" + std::to_string(i) + "]";
    ReferralFile file;
    if (const Json* name = Find(f, "originalFileName")) {
      HT_ASSIGN_OR_RETURN(file.name, Text(*name, field + ".originalFileName"));
    }
    HT_ASSIGN_OR_RETURN(auto hashes, ObjectList(Find(f, "originalFileHash"), field + ".originalFileHash"));
    for (std::size_t k = 0; k < hashes.size(); ++k) {
      HT_RETURN_IF_ERROR(ParseFileHash(*hashes[k], field + ".originalFileHash[" + std::to_string(k) + "]", file));
    }
    HT_ASSIGN_OR_RETURN(file.viewed_by_esp, Flag(Find(f, "fileViewedByEsp"), field + ".fileViewedByEsp"));
    HT_ASSIGN_OR_RETURN(file.publicly_available, Flag(Find(f, "publiclyAvailable"), field + ".publiclyAvailable"));
    if (const Json* annotations = Find(f, "fileAnnotations")) {
      if (!annotations->is_object()) return FieldError(field + ".fileAnnotations", "expected an object");
      HT_ASSIGN_OR_RETURN(auto self, Flag(Find(*annotations, "possibleSelfProduction"),
                                          field + ".fileAnnotations.possibleSelfProduction"));
      file.possible_self_production = self.value_or(false);
    }
    HT_RETURN_IF_ERROR(
        ParseIndustryClassification(Find(f, "industryClassification"), field + ".industryClassification", r));
    r.files.push_back(std::move(file));
  }
  return Status::Ok();
}

}  // namespace

Result<Referral> ParseCybertipReport(const nlohmann::json& report, const TimeParser& parse_time) {
  if (!report.is_object()) return Status::InvalidArgument("record is not a JSON object");
  Referral r;
  r.format = "cybertip";
  for (const char* key : {"reportId", "report_id", "reportNumber", "id"}) {
    if (const Json* id = Find(report, key)) {
      HT_ASSIGN_OR_RETURN(r.report_id, Text(*id, key));
      break;
    }
  }
  if (const Json* summary = Find(report, "incidentSummary")) {
    if (!summary->is_object()) return FieldError("incidentSummary", "expected an object");
    if (const Json* type = Find(*summary, "incidentType")) {
      HT_ASSIGN_OR_RETURN(r.incident_type, Text(*type, "incidentSummary.incidentType"));
    }
    HT_ASSIGN_OR_RETURN(r.incident_time,
                        Time(Find(*summary, "incidentDateTime"), "incidentSummary.incidentDateTime", parse_time));
    HT_ASSIGN_OR_RETURN(auto escalate, Flag(Find(*summary, "escalateToHighPriority"),
                                            "incidentSummary.escalateToHighPriority"));
    r.escalate_to_high_priority = escalate.value_or(false);
  }
  if (const Json* service = Find(report, "espService")) {
    HT_ASSIGN_OR_RETURN(std::string text, Text(*service, "espService"));
    r.service = NormalizeService(text);
  }
  if (const Json* person = Find(report, "reportedPerson")) HT_RETURN_IF_ERROR(ParseReportedPerson(*person, r));
  HT_RETURN_IF_ERROR(ParseIpEvents(Find(report, "ipCaptureEvent"), parse_time, r));
  HT_RETURN_IF_ERROR(ParseFiles(Find(report, "files"), r));
  HT_RETURN_IF_ERROR(ParseIndustryClassification(Find(report, "industryClassification"), "industryClassification", r));
  if (r.identifiers.empty() && r.files.empty()) {
    return Status::InvalidArgument("report has no reported person, IP address or file");
  }
  r.id = r.report_id.empty() ? ContentId("cybertip", report.dump()) : "cybertip:" + r.report_id;
  return r;
}

}  // namespace hashtriage::ingest::referral_internal

// The referral store on the key-value store: kReferrals, key = referral id.
#include "engine/case/kv/hit_codec.h"
#include "engine/case/kv/record_codec.h"
#include "engine/case/kv/kv_case.h"

namespace hashtriage::engine::kv {

namespace {

constexpr int kReferralVersion = 1;

std::string EncodeReferral(const ReferralRecord& r) {
  Json events = Json::array();
  for (const auto& e : r.events) {
    events.push_back(Json{{"type", e.type}, {"time", OptJson(e.time)}, {"ip", e.ip}, {"port", e.port}, {"proxy", e.proxy}});
  }
  Json files = Json::array();
  for (const auto& f : r.files) {
    files.push_back(Json{{"name", f.name},
                         {"md5", f.md5},
                         {"sha1", f.sha1},
                         {"sha256", f.sha256},
                         {"pdq", f.pdq},
                         {"size", f.size ? Json(*f.size) : Json(nullptr)},
                         {"viewed_by_esp", OptJson(f.viewed_by_esp)},
                         {"publicly_available", OptJson(f.publicly_available)},
                         {"possible_self_production", f.possible_self_production},
                         {"hits", HitsToJson(f.hits)}});
  }
  Json j{{"id", r.id},
         {"format", r.format},
         {"report_id", r.report_id},
         {"source_file", r.source_file},
         {"record", r.record},
         {"ingested_at", r.ingested_at},
         {"ingested_by", r.ingested_by},
         {"incident_type", r.incident_type},
         {"incident_time", OptJson(r.incident_time)},
         {"escalate", r.escalate},
         {"industry_classification", r.industry_classification},
         {"service", r.service},
         {"location", r.location},
         {"account", r.account},
         {"subject", r.subject},
         {"identifiers", r.identifiers},
         {"events", events},
         {"files", files},
         {"distribution", r.distribution},
         {"matched", r.matched},
         {"matched_index", r.matched_index},
         {"warnings", r.warnings}};
  return EncodeRecord(std::move(j), kReferralVersion);
}

Result<ReferralRecord> DecodeReferral(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kReferralVersion, "referral " + PrintableKey(key)));
  ReferralRecord r;
  r.id = Str(j, "id");
  r.format = Str(j, "format");
  r.report_id = Str(j, "report_id");
  r.source_file = Str(j, "source_file");
  r.record = UInt(j, "record");
  r.ingested_at = Int(j, "ingested_at");
  r.ingested_by = Str(j, "ingested_by");
  r.incident_type = Str(j, "incident_type");
  r.incident_time = OptInt(j, "incident_time");
  r.escalate = Bool(j, "escalate");
  r.industry_classification = Str(j, "industry_classification");
  r.service = Str(j, "service");
  r.location = Str(j, "location");
  r.account = Str(j, "account");
  r.subject = Str(j, "subject");
  r.identifiers = Strings(j, "identifiers");
  for (const Json& e : Arr(j, "events")) {
    r.events.push_back({Str(e, "type"), OptInt(e, "time"), Str(e, "ip"), static_cast<int>(Int(e, "port")), Bool(e, "proxy")});
  }
  for (const Json& f : Arr(j, "files")) {
    ReferralFileRecord file;
    file.name = Str(f, "name");
    file.md5 = Str(f, "md5");
    file.sha1 = Str(f, "sha1");
    file.sha256 = Str(f, "sha256");
    file.pdq = Str(f, "pdq");
    if (f.contains("size") && f["size"].is_number_unsigned()) file.size = f["size"].get<std::uint64_t>();
    file.viewed_by_esp = OptBool(f, "viewed_by_esp");
    file.publicly_available = OptBool(f, "publicly_available");
    file.possible_self_production = Bool(f, "possible_self_production");
    file.hits = HitsFromJson(Arr(f, "hits"));
    r.files.push_back(std::move(file));
  }
  r.distribution = UInt(j, "distribution");
  r.matched = Bool(j, "matched");
  r.matched_index = Str(j, "matched_index");
  r.warnings = Strings(j, "warnings");
  return r;
}

}  // namespace

Result<std::optional<ReferralRecord>> KvReferralStore::Get(const std::string& id) const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kReferrals, id));
  if (!bytes) return std::optional<ReferralRecord>();
  HT_ASSIGN_OR_RETURN(ReferralRecord r, DecodeReferral(*bytes, id));
  return std::optional<ReferralRecord>(std::move(r));
}

Result<bool> KvReferralStore::Contains(const std::string& id) const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kReferrals, id));
  return bytes.has_value();
}

Status KvReferralStore::ReadAhead(const std::vector<std::string>& ids) const {
  return kv_.ReadAhead(Table::kReferrals, ids);
}

Result<std::set<std::string>> KvReferralStore::StoredAmong(const std::vector<std::string>& ids) const {
  std::set<std::string> stored;
  HT_RETURN_IF_ERROR(kv_.GetMany(Table::kReferrals, ids, /*with_values=*/false,
                                 [&](std::string_view key, std::string_view) { stored.emplace(key); }));
  return stored;
}

void KvReferralStore::Put(CaseTransaction& txn, const ReferralRecord& record) {
  KvTxn(txn).Put(Table::kReferrals, record.id, EncodeReferral(record));
}

Status KvReferralStore::ForEach(const std::function<bool(const ReferralRecord&)>& visit) const {
  return ScanRecords(kv_, Table::kReferrals, "", DecodeReferral, visit);
}

}  // namespace hashtriage::engine::kv

// The subject store on the key-value store: kSubjects, kAccounts, kIdentifiers (identifier key; "ip:" keys hold IP
// address records), kLinks (decision id), kPossibleLinks (possible-link key), kAttributes (subject id
// + '\0' + seq u64 BE).
#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "engine/case/kv/record_codec.h"
#include "engine/case/kv/kv_case.h"

namespace hashtriage::engine::kv {

namespace {

constexpr int kSubjectVersion = 1;
constexpr int kAccountVersion = 1;
constexpr int kIdentifierVersion = 1;
constexpr int kIpVersion = 1;
constexpr int kLinkVersion = 1;
constexpr int kPossibleLinkVersion = 1;
constexpr int kAttributeVersion = 1;

Json MergeJson(const MergeEvent& m) {
  return Json{{"kind", m.kind},     {"subject", m.subject}, {"into", m.into},     {"identifier", m.identifier},
              {"accounts", m.accounts}, {"referral", m.referral}, {"link", m.link}, {"reason", m.reason},
              {"time", m.time},     {"by", m.by}};
}

MergeEvent MergeFrom(const Json& j) {
  return MergeEvent{Str(j, "kind"), Str(j, "subject"),  Str(j, "into"),   Str(j, "identifier"), Strings(j, "accounts"),
                    Str(j, "referral"), Str(j, "link"), Str(j, "reason"), Int(j, "time"),       Str(j, "by")};
}

IdList IdsFrom(const Json& j, std::string_view key) { return IdList(Strings(j, key)); }

std::string EncodeSubject(const SubjectRecord& s) {
  Json merges = Json::array();
  for (const auto& m : s.merges) merges.push_back(MergeJson(m));
  Json j{{"id", s.id},
         {"created", s.created},
         {"created_by", s.created_by},
         {"display_name", s.display_name},
         {"accounts", s.accounts.items()},
         {"aliases", s.aliases.items()},
         {"merged_into", s.merged_into},
         {"merges", merges},
         {"constraints", s.constraints.items()},
         {"links", s.links.items()},
         {"referrals", s.referrals}};
  if (s.merged) j["merged"] = MergeJson(*s.merged);
  return EncodeRecord(std::move(j), kSubjectVersion);
}

Result<SubjectRecord> DecodeSubject(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kSubjectVersion, "subject " + PrintableKey(key)));
  SubjectRecord s;
  s.id = Str(j, "id");
  s.created = Int(j, "created");
  s.created_by = Str(j, "created_by");
  s.display_name = Str(j, "display_name");
  s.accounts = IdsFrom(j, "accounts");
  s.aliases = IdsFrom(j, "aliases");
  s.merged_into = Str(j, "merged_into");
  if (j.contains("merged") && j["merged"].is_object()) s.merged = MergeFrom(j["merged"]);
  for (const Json& m : Arr(j, "merges")) s.merges.push_back(MergeFrom(m));
  s.constraints = IdsFrom(j, "constraints");
  s.links = IdsFrom(j, "links");
  s.referrals = UInt(j, "referrals");
  return s;
}

std::string EncodeAccount(const AccountRecord& a) {
  Json ids = Json::array();
  for (const auto& i : a.identifiers) {
    Json item{{"key", i.key}, {"kind", i.kind}, {"value", i.value}, {"first_seen", i.first_seen}, {"referral", i.referral}};
    if (i.last_seen) item["last_seen"] = *i.last_seen;
    ids.push_back(std::move(item));
  }
  Json j{{"id", a.id},           {"created", a.created},   {"service", a.service},
         {"origin", a.origin},   {"source", a.source},     {"subject", a.subject},
         {"home", a.home},       {"identifiers", ids},     {"referrals", a.referrals.items()},
         {"possible_links", a.possible_links.items()}};
  if (a.joined) {
    const JoinInfo& w = *a.joined;
    j["joined"] = Json{{"kind", w.kind},     {"identifier", w.identifier}, {"with", w.with}, {"referral", w.referral},
                       {"link", w.link},     {"source", w.source},         {"from", w.from}, {"by", w.by},
                       {"time", w.time}};
  }
  return EncodeRecord(std::move(j), kAccountVersion);
}

Result<AccountRecord> DecodeAccount(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kAccountVersion, "account " + PrintableKey(key)));
  AccountRecord a;
  a.id = Str(j, "id");
  a.created = Int(j, "created");
  a.service = Str(j, "service");
  a.origin = Str(j, "origin");
  a.source = Str(j, "source");
  a.subject = Str(j, "subject");
  a.home = Str(j, "home");
  for (const Json& i : Arr(j, "identifiers")) {
    a.identifiers.push_back(
        {Str(i, "key"), Str(i, "kind"), Str(i, "value"), Int(i, "first_seen"), OptInt(i, "last_seen"), Str(i, "referral")});
  }
  a.referrals = IdsFrom(j, "referrals");
  a.possible_links = IdsFrom(j, "possible_links");
  if (j.contains("joined") && j["joined"].is_object()) {
    const Json& w = j["joined"];
    a.joined = JoinInfo{Str(w, "kind"), Str(w, "identifier"), Str(w, "with"), Str(w, "referral"), Str(w, "link"),
                        Str(w, "source"), Str(w, "from"), Str(w, "by"), Int(w, "time")};
  }
  return a;
}

std::string EncodeIdentifier(const IdentifierRecord& r) {
  return EncodeRecord(Json{{"key", r.key},
                           {"kind", r.kind},
                           {"value", r.value},
                           {"accounts", r.accounts.items()},
                           {"subjects", r.subjects.items()},
                           {"primary", r.primary},
                           {"first_seen", r.first_seen},
                           {"last_seen", r.last_seen}},
                      kIdentifierVersion);
}

Result<IdentifierRecord> DecodeIdentifier(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kIdentifierVersion, "identifier " + PrintableKey(key)));
  return IdentifierRecord{Str(j, "key"),     Str(j, "kind"),      Str(j, "value"),    IdsFrom(j, "accounts"),
                          IdsFrom(j, "subjects"), Str(j, "primary"), Int(j, "first_seen"), Int(j, "last_seen")};
}

std::string EncodeIp(const IpAddressRecord& r) {
  Json sightings = Json::array();
  for (const auto& s : r.sightings) {
    Json item{{"t", s.time}, {"a", s.account}, {"r", s.referral}};
    if (s.port != 0) item["p"] = s.port;
    if (s.proxy) item["x"] = true;
    sightings.push_back(std::move(item));
  }
  return EncodeRecord(Json{{"key", r.key},       {"value", r.value},   {"sightings", sightings}, {"shared", r.shared},
                           {"shared_since", r.shared_since}, {"shared_reason", r.shared_reason}},
                      kIpVersion);
}

Result<IpAddressRecord> DecodeIp(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kIpVersion, "IP address " + PrintableKey(key)));
  IpAddressRecord r;
  r.key = Str(j, "key");
  r.value = Str(j, "value");
  for (const Json& s : Arr(j, "sightings")) {
    r.sightings.push_back({Int(s, "t"), Str(s, "a"), Str(s, "r"), static_cast<int>(Int(s, "p")), Bool(s, "x")});
  }
  r.shared = Bool(j, "shared");
  r.shared_since = Int(j, "shared_since");
  r.shared_reason = Str(j, "shared_reason");
  return r;
}

std::string EncodeLink(const LinkRecord& l) {
  return EncodeRecord(Json{{"id", l.id},         {"type", l.type},     {"a", l.a},           {"b", l.b},
                           {"nodes", l.nodes},   {"left", l.left},     {"right", l.right},   {"reason", l.reason},
                           {"by", l.by},         {"time", l.time},     {"active", l.active}, {"revoked_by", l.revoked_by},
                           {"revoked_at", l.revoked_at}},
                      kLinkVersion);
}

Result<LinkRecord> DecodeLink(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kLinkVersion, "link " + PrintableKey(key)));
  return LinkRecord{Str(j, "id"),     Str(j, "type"),    Str(j, "a"),     Str(j, "b"),
                    Strings(j, "nodes"), Strings(j, "left"), Strings(j, "right"), Str(j, "reason"),
                    Str(j, "by"),     Int(j, "time"),    Bool(j, "active"), Str(j, "revoked_by"),
                    Int(j, "revoked_at")};
}

std::string EncodePossible(const PossibleLinkRecord& p) {
  return EncodeRecord(Json{{"key", p.key},       {"basis", p.basis},     {"ip", p.ip},       {"accounts", p.accounts},
                           {"reason", p.reason}, {"referral", p.referral}, {"first", p.first}, {"last", p.last},
                           {"count", p.count},   {"proxy", p.proxy},     {"status", p.status}},
                      kPossibleLinkVersion);
}

Result<PossibleLinkRecord> DecodePossible(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kPossibleLinkVersion, "possible link " + PrintableKey(key)));
  PossibleLinkRecord p;
  p.key = Str(j, "key");
  p.basis = Str(j, "basis");
  p.ip = Str(j, "ip");
  p.accounts = Strings(j, "accounts");
  p.reason = Str(j, "reason");
  p.referral = Str(j, "referral");
  p.first = Int(j, "first");
  p.last = Int(j, "last");
  p.count = UInt(j, "count");
  p.proxy = Bool(j, "proxy");
  p.status = Str(j, "status");
  return p;
}

std::string EncodeAttribute(const AttributeRecord& a) {
  return EncodeRecord(Json{{"seq", a.seq},       {"subject", a.subject},         {"name", a.name},
                           {"value", a.value},   {"source", a.source},           {"recorded_at", a.recorded_at},
                           {"recorded_by", a.recorded_by}, {"entered_at", a.entered_at}},
                      kAttributeVersion);
}

Result<AttributeRecord> DecodeAttribute(std::string_view bytes, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kAttributeVersion, "attribute " + PrintableKey(key)));
  return AttributeRecord{UInt(j, "seq"),   Str(j, "subject"),     Str(j, "name"),      Str(j, "value"),
                         Str(j, "source"), Int(j, "recorded_at"), Str(j, "recorded_by"), Int(j, "entered_at")};
}

template <typename Record, typename Decode>
Result<std::optional<Record>> GetRecord(const KvStore& kv, Table table, const std::string& key, Decode decode) {
  HT_ASSIGN_OR_RETURN(auto bytes, kv.Get(table, key));
  if (!bytes) return std::optional<Record>();
  HT_ASSIGN_OR_RETURN(Record r, decode(*bytes, key));
  return std::optional<Record>(std::move(r));
}

template <typename Record, typename Decode>
Result<std::vector<std::optional<Record>>> GetRecords(const KvStore& kv, Table table,
                                                      const std::vector<std::string>& keys, Decode decode) {
  std::unordered_map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < keys.size(); ++i) position.emplace(keys[i], i);
  std::vector<std::optional<Record>> out(keys.size());
  Status decoded;
  HT_RETURN_IF_ERROR(kv.GetMany(table, keys, /*with_values=*/true, [&](std::string_view key, std::string_view value) {
    const auto it = position.find(std::string(key));
    if (it == position.end() || !decoded.ok()) return;
    auto record = decode(value, it->first);
    if (!record.ok()) {
      decoded = record.status();
      return;
    }
    out[it->second] = std::move(*record);
  }));
  HT_RETURN_IF_ERROR(decoded);
  // A key asked twice gets its record twice.
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::size_t first = position.at(keys[i]);
    if (first != i) out[i] = out[first];
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> KvSubjectStore::ReadAheadSubjects(const std::vector<std::string>& subject_ids) const {
  HT_ASSIGN_OR_RETURN(const auto subjects, GetSubjects(subject_ids));
  std::vector<std::string> account_ids, prefixes;
  for (const auto& subject : subjects) {
    if (!subject) continue;
    account_ids.insert(account_ids.end(), subject->accounts.begin(), subject->accounts.end());
    prefixes.push_back(subject->id + '\0');
    for (const std::string& alias : subject->aliases) prefixes.push_back(alias + '\0');
  }
  HT_RETURN_IF_ERROR(kv_.ReadAheadPrefixes(Table::kAttributes, prefixes));
  HT_ASSIGN_OR_RETURN(const auto accounts, GetAccounts(account_ids));
  std::vector<std::string> referral_ids;
  for (const auto& account : accounts) {
    if (account) referral_ids.insert(referral_ids.end(), account->referrals.begin(), account->referrals.end());
  }
  return referral_ids;
}

Result<std::vector<std::optional<SubjectRecord>>> KvSubjectStore::GetSubjects(const std::vector<std::string>& ids) const {
  return GetRecords<SubjectRecord>(kv_, Table::kSubjects, ids, DecodeSubject);
}
Result<std::vector<std::optional<AccountRecord>>> KvSubjectStore::GetAccounts(const std::vector<std::string>& ids) const {
  return GetRecords<AccountRecord>(kv_, Table::kAccounts, ids, DecodeAccount);
}
Result<std::vector<std::optional<IdentifierRecord>>> KvSubjectStore::GetIdentifiers(
    const std::vector<std::string>& keys) const {
  return GetRecords<IdentifierRecord>(kv_, Table::kIdentifiers, keys, DecodeIdentifier);
}
Result<std::vector<std::optional<IpAddressRecord>>> KvSubjectStore::GetIpAddresses(
    const std::vector<std::string>& keys) const {
  return GetRecords<IpAddressRecord>(kv_, Table::kIdentifiers, keys, DecodeIp);
}

Result<std::optional<SubjectRecord>> KvSubjectStore::GetSubject(const std::string& id) const {
  return GetRecord<SubjectRecord>(kv_, Table::kSubjects, id, DecodeSubject);
}
void KvSubjectStore::PutSubject(CaseTransaction& txn, const SubjectRecord& r) {
  KvTxn(txn).Put(Table::kSubjects, r.id, EncodeSubject(r));
}
Status KvSubjectStore::ForEachSubject(const std::function<bool(const SubjectRecord&)>& visit) const {
  return ScanRecords(kv_, Table::kSubjects, "", DecodeSubject, visit);
}

Result<std::optional<AccountRecord>> KvSubjectStore::GetAccount(const std::string& id) const {
  return GetRecord<AccountRecord>(kv_, Table::kAccounts, id, DecodeAccount);
}
void KvSubjectStore::PutAccount(CaseTransaction& txn, const AccountRecord& r) {
  KvTxn(txn).Put(Table::kAccounts, r.id, EncodeAccount(r));
}

Result<std::optional<IdentifierRecord>> KvSubjectStore::GetIdentifier(const std::string& key) const {
  return GetRecord<IdentifierRecord>(kv_, Table::kIdentifiers, key, DecodeIdentifier);
}
void KvSubjectStore::PutIdentifier(CaseTransaction& txn, const IdentifierRecord& r) {
  KvTxn(txn).Put(Table::kIdentifiers, r.key, EncodeIdentifier(r));
}
Result<std::optional<IpAddressRecord>> KvSubjectStore::GetIpAddress(const std::string& key) const {
  return GetRecord<IpAddressRecord>(kv_, Table::kIdentifiers, key, DecodeIp);
}
void KvSubjectStore::PutIpAddress(CaseTransaction& txn, const IpAddressRecord& r) {
  KvTxn(txn).Put(Table::kIdentifiers, r.key, EncodeIp(r));
}

Result<std::optional<LinkRecord>> KvSubjectStore::GetLink(const std::string& id) const {
  return GetRecord<LinkRecord>(kv_, Table::kLinks, id, DecodeLink);
}
void KvSubjectStore::PutLink(CaseTransaction& txn, const LinkRecord& r) {
  KvTxn(txn).Put(Table::kLinks, r.id, EncodeLink(r));
}
Result<std::optional<PossibleLinkRecord>> KvSubjectStore::GetPossibleLink(const std::string& key) const {
  return GetRecord<PossibleLinkRecord>(kv_, Table::kPossibleLinks, key, DecodePossible);
}
void KvSubjectStore::PutPossibleLink(CaseTransaction& txn, const PossibleLinkRecord& r) {
  KvTxn(txn).Put(Table::kPossibleLinks, r.key, EncodePossible(r));
}

Result<std::vector<AttributeRecord>> KvSubjectStore::Attributes(const std::vector<std::string>& subject_ids) const {
  std::vector<AttributeRecord> out;
  for (const std::string& id : subject_ids) {
    HT_RETURN_IF_ERROR(ScanRecords(kv_, Table::kAttributes, id + '\0', DecodeAttribute, [&](AttributeRecord& a) {
      out.push_back(std::move(a));
      return true;
    }));
  }
  std::sort(out.begin(), out.end(), [](const AttributeRecord& a, const AttributeRecord& b) {
    return std::tie(a.recorded_at, a.seq) < std::tie(b.recorded_at, b.seq);
  });
  return out;
}

void KvSubjectStore::PutAttribute(CaseTransaction& txn, const AttributeRecord& r) {
  KvTxn(txn).Put(Table::kAttributes, r.subject + '\0' + EncodeU64(r.seq), EncodeAttribute(r));
}

}  // namespace hashtriage::engine::kv

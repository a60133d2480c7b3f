#include "engine/subjects/subject_view.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/record_codec.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/record_cache.h"
#include "engine/subjects/subject_evidence.h"
#include "engine/subjects/subject_records.h"
#include "engine/time_util.h"

namespace hashtriage::engine::subjects {

namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;

OJson Time(std::int64_t t) { return FormatIso8601(t); }
OJson TimeOrNull(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? Time(it->get<std::int64_t>()) : OJson(nullptr);
}

// How an account came to be in its subject, in words.
std::string JoinedText(const Json& joined) {
  const std::string kind = StringField(joined, "kind");
  const std::string referral = StringField(joined, "referral");
  const std::string when = IntField(joined, "time") ? " on " + FormatDate(IntField(joined, "time")) : "";
  if (kind == "founder") return "first account of the subject" + (referral.empty() ? "" : " (referral " + referral + ")");
  if (kind == "identifier") {
    return "joined via " + StringField(joined, "identifier") + " shared with " + StringField(joined, "with") +
           (referral.empty() ? "" : ", referral " + referral) + when;
  }
  if (kind == "manual") return "identifier added by " + StringField(joined, "by") + " (source: " + StringField(joined, "source") + ")" + when;
  if (kind == "link") return "manual link " + StringField(joined, "link") + (StringField(joined, "with").empty() ? "" : " with " + StringField(joined, "with"));
  if (kind == "split") return "separated from " + StringField(joined, "from") + " by an unlink" + when;
  return kind;
}

std::string MergeText(const Json& m) {
  const std::string kind = StringField(m, "kind");
  const std::string subject = StringField(m, "subject");
  if (kind == "identifier") {
    const Json& accounts = ListField(m, "accounts");
    std::string pair;
    if (accounts.size() == 2) pair = " (" + accounts[0].get<std::string>() + " ~ " + accounts[1].get<std::string>() + ")";
    return subject + " merged automatically: shared " + StringField(m, "identifier") + pair +
           (StringField(m, "referral").empty() ? "" : ", referral " + StringField(m, "referral"));
  }
  if (kind == "link") {
    return subject + " linked by " + StringField(m, "by") + " (" + StringField(m, "link") + "): " + StringField(m, "reason");
  }
  if (kind == "split") return "re-derived after an unlink of " + subject + " by " + StringField(m, "by");
  return kind + " " + subject;
}

OJson AccountView(const Json& account) {
  OJson ids = OJson::array();
  for (const auto& id : ListField(account, "identifiers")) {
    OJson item{{"kind", StringField(id, "kind")}, {"value", StringField(id, "value")}, {"first_seen", TimeOrNull(id, "first_seen")}};
    if (id.contains("last_seen")) item["last_seen"] = TimeOrNull(id, "last_seen");
    ids.push_back(std::move(item));
  }
  const Json joined = account.value("joined", Json::object());
  OJson view{{"id", StringField(account, "id")},
             {"service", StringField(account, "service")},
             {"origin", StringField(account, "origin")},
             {"joined", JoinedText(joined)},
             {"joined_by", StringField(joined, "identifier")},
             {"identifiers", std::move(ids)},
             {"referrals", account.value("referrals", Json::array())}};
  if (!StringField(account, "source").empty()) view["source"] = StringField(account, "source");
  return view;
}

OJson ReferralView(const Json& r) {
  std::uint64_t files = ListField(r, "files").size();
  return OJson{{"id", StringField(r, "id")},
               {"format", StringField(r, "format")},
               {"service", StringField(r, "service")},
               {"received", TimeOrNull(r, "ingested_at")},
               {"incident_time", TimeOrNull(r, "incident_time")},
               {"incident_type", StringField(r, "incident_type")},
               {"escalate", r.value("escalate", false)},
               {"industry_classification", StringField(r, "industry_classification")},
               {"files", files},
               {"hits", IntField(r, "hits")},
               {"account", StringField(r, "account")},
               {"source_file", StringField(r, "source_file")},
               {"record", IntField(r, "record")},
               {"location", StringField(r, "location")}};
}

OJson AttributeView(const AttributeRecord& a) {
  return OJson{{"name", a.name},       {"value", a.value},       {"source", a.source},
               {"recorded_at", Time(a.recorded_at)}, {"recorded_by", a.recorded_by},
               {"entered_at", Time(a.entered_at)}};
}

void AddEvent(OJson& timeline, std::int64_t t, const std::string& what) {
  timeline.push_back(OJson{{"time_unix", t}, {"time", Time(t)}, {"event", what}});
}

Result<OJson> PossibleLinks(const CaseStore& store, const SubjectEvidence& ev) {
  RecordCache cache(store);
  Linker linker(cache);
  OJson out = OJson::array();
  std::set<std::string> seen;
  for (const Json& account : ev.accounts) {
    for (const auto& key : ListField(account, "possible_links")) {
      if (!seen.insert(key.get<std::string>()).second) continue;
      HT_ASSIGN_OR_RETURN(const Json* link, cache.Find(Table::kLinks, key.get<std::string>()));
      if (link == nullptr) continue;
      std::string other;
      for (const auto& a : ListField(*link, "accounts")) {
        if (a.get<std::string>() != StringField(account, "id")) other = a.get<std::string>();
      }
      auto other_subject = linker.SubjectOfAccount(other);
      if (!other_subject.ok() || *other_subject == ev.root) continue;  // confirmed since, or gone
      OJson item{{"ip", StringField(*link, "ip")},
                 {"account", StringField(account, "id")},
                 {"other_account", other},
                 {"other_subject", *other_subject},
                 {"first", TimeOrNull(*link, "first")},
                 {"last", TimeOrNull(*link, "last")},
                 {"sightings", IntField(*link, "count")},
                 {"proxy", link->value("proxy", false)}};
      HT_ASSIGN_OR_RETURN(const Json* ip, cache.Find(Table::kIdentifiers, "ip:" + StringField(*link, "ip")));
      if (ip != nullptr && ip->value("shared", false)) item["shared_ip"] = StringField(*ip, "shared_reason");
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace

Result<OJson> BuildSubjectView(const CaseStore& store, const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(SubjectEvidence ev, GatherSubjectEvidence(store, subject_id));
  const Json& s = ev.subject;
  OJson view;
  view["id"] = ev.root;
  if (subject_id != ev.root) view["requested_id"] = subject_id;
  view["name"] = StringField(s, "display_name");
  view["created"] = TimeOrNull(s, "created");
  view["created_by"] = StringField(s, "created_by");
  view["aliases"] = OJson(std::vector<std::string>(ev.subject_ids.begin() + 1, ev.subject_ids.end()));
  OJson timeline = OJson::array();

  OJson accounts = OJson::array();
  for (const Json& a : ev.accounts) accounts.push_back(AccountView(a));
  view["accounts"] = std::move(accounts);

  OJson merges = OJson::array();
  for (const auto& m : ListField(s, "merges")) {
    merges.push_back(OJson{{"time", TimeOrNull(m, "time")}, {"kind", StringField(m, "kind")}, {"subject", StringField(m, "subject")},
                           {"identifier", StringField(m, "identifier")}, {"link", StringField(m, "link")},
                           {"by", StringField(m, "by")}, {"reason", StringField(m, "reason")}, {"text", MergeText(m)}});
    AddEvent(timeline, IntField(m, "time"), MergeText(m));
  }
  view["merges"] = std::move(merges);
  RecordCache cache(store);
  OJson decisions = OJson::array();
  for (const char* list : {"links", "constraints"}) {
    for (const auto& id : ListField(s, list)) {
      HT_ASSIGN_OR_RETURN(const Json* rec, cache.Find(Table::kLinks, id.get<std::string>()));
      if (rec == nullptr) continue;
      decisions.push_back(OJson{{"id", id}, {"type", StringField(*rec, "type")}, {"a", StringField(*rec, "a")},
                                {"b", StringField(*rec, "b")}, {"reason", StringField(*rec, "reason")},
                                {"by", StringField(*rec, "by")}, {"time", TimeOrNull(*rec, "time")},
                                {"active", rec->value("active", false)}, {"revoked_by", StringField(*rec, "revoked_by")}});
      AddEvent(timeline, IntField(*rec, "time"),
               std::string(StringField(*rec, "type") == "link" ? "linked " : "kept apart ") + StringField(*rec, "a") +
                   " / " + StringField(*rec, "b") + " by " + StringField(*rec, "by") + ": " + StringField(*rec, "reason"));
    }
  }
  view["link_decisions"] = std::move(decisions);
  HT_ASSIGN_OR_RETURN(view["possible_links"], PossibleLinks(store, ev));

  OJson referrals = OJson::array();
  bool escalate = false, self_production = false;
  for (const Json& r : ev.referrals) {
    referrals.push_back(ReferralView(r));
    escalate = escalate || r.value("escalate", false);
    for (const auto& f : ListField(r, "files")) self_production = self_production || f.value("possible_self_production", false);
    const std::string id = StringField(r, "id");
    if (r.contains("incident_time") && r["incident_time"].is_number_integer()) {
      AddEvent(timeline, r["incident_time"].get<std::int64_t>(), "incident reported in " + id + " (" + StringField(r, "incident_type") + ")");
    }
    for (const auto& e : ListField(r, "events")) {
      if (!e.contains("time") || !e["time"].is_number_integer()) continue;
      std::string what = StringField(e, "type") + (StringField(e, "ip").empty() ? "" : " from " + StringField(e, "ip"));
      if (IntField(e, "port")) what += ":" + std::to_string(IntField(e, "port"));
      AddEvent(timeline, e["time"].get<std::int64_t>(), what + " (" + id + ")");
    }
    AddEvent(timeline, IntField(r, "ingested_at"), "referral " + id + " received (" + std::to_string(IntField(r, "hits")) + " known-image hits)");
  }
  view["referrals"] = std::move(referrals);
  view["escalate_to_high_priority"] = escalate;
  view["possible_self_production"] = self_production;

  OJson scans = OJson::array();
  for (const ScanEvidence& scan : ev.scans) {
    scans.push_back(OJson{{"number", scan.record.value("number", 0)}, {"id", StringField(scan.record, "id")},
                          {"source", StringField(scan.record, "source")}, {"started", StringField(scan.record, "started")},
                          {"finished", StringField(scan.record, "finished")}, {"files_with_hits", scan.files_with_hits}});
    if (scan.started) AddEvent(timeline, *scan.started, "device scan " + StringField(scan.record, "id") + " of " + StringField(scan.record, "source"));
  }
  view["scans"] = std::move(scans);

  OJson by_category = OJson::object();
  for (index::Category c : {index::Category::kA, index::Category::kB, index::Category::kC, index::Category::kIndecentUncategorised,
                            index::Category::kUnknown, index::Category::kNonIndecent}) {
    by_category[std::string(index::CategoryName(c))] = 0;
  }
  OJson hits = OJson::array();
  for (const HitEvidence& h : ev.hits) {
    by_category[std::string(index::CategoryName(h.category))] = by_category[std::string(index::CategoryName(h.category))].get<int>() + 1;
    hits.push_back(OJson{{"category", std::string(index::CategoryName(h.category))}, {"set", h.set}, {"kind", h.kind},
                         {"distance", h.distance}, {"source", h.source}, {"content", h.content}});
  }
  view["hits_by_category"] = std::move(by_category);
  view["hits"] = std::move(hits);

  HT_ASSIGN_OR_RETURN(auto history, AttributeHistory(store, ev.subject_ids));
  OJson current = OJson::array();
  const auto now_values = CurrentAttributes(history);
  for (std::string_view name : RiskAttributeNames()) {
    auto it = std::find_if(now_values.begin(), now_values.end(), [&](const AttributeRecord& a) { return a.name == name; });
    if (it != now_values.end()) {
      current.push_back(AttributeView(*it));
    } else {
      current.push_back(OJson{{"name", name}, {"value", "unknown"}, {"source", nullptr}, {"note", "not recorded: research needed"}});
    }
  }
  view["area"] = nullptr;
  for (const auto& a : now_values) {
    if (a.name == kAreaAttribute) view["area"] = AttributeView(a);
  }
  view["attributes"] = std::move(current);
  OJson hist = OJson::array();
  for (const auto& a : history) {
    hist.push_back(AttributeView(a));
    AddEvent(timeline, a.entered_at, "attribute " + a.name + " = " + a.value + " (source: " + a.source + ", by " + a.recorded_by + ")");
  }
  view["attribute_history"] = std::move(hist);

  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const OJson& x, const OJson& y) { return x["time_unix"].get<std::int64_t>() < y["time_unix"].get<std::int64_t>(); });
  for (auto& e : timeline) e.erase("time_unix");
  view["timeline"] = std::move(timeline);
  return view;
}

Result<OJson> BuildSubjectList(const CaseStore& store) {
  RecordCache cache(store);
  Linker linker(cache);
  std::map<std::string, std::uint64_t> scans;
  Status bad;
  HT_RETURN_IF_ERROR(store.Scan(Table::kEvidence, "", [&](std::string_view, std::string_view value) {
    auto record = DecodeRecord(value);
    if (record.ok() && !StringField(*record, "subject").empty()) {
      auto root = linker.Resolve(StringField(*record, "subject"));
      if (root.ok()) ++scans[*root];
    }
    return true;
  }));
  OJson list = OJson::array();
  HT_RETURN_IF_ERROR(store.Scan(Table::kSubjects, "", [&](std::string_view key, std::string_view value) {
    auto s = DecodeRecord(value);
    if (!s.ok()) {
      bad = s.status().WithContext("subject " + std::string(key));
      return false;
    }
    if (!StringField(*s, "merged_into").empty()) return true;
    std::uint64_t referrals = 0, hits = 0;
    bool escalate = false;
    std::int64_t last = 0;
    for (const auto& a : ListField(*s, "accounts")) {
      auto account = cache.Find(Table::kAccounts, a.get<std::string>());
      if (!account.ok() || *account == nullptr) continue;
      for (const auto& r : ListField(**account, "referrals")) {
        auto referral = cache.Find(Table::kReferrals, r.get<std::string>());
        if (!referral.ok() || *referral == nullptr) continue;
        ++referrals;
        hits += static_cast<std::uint64_t>(IntField(**referral, "hits"));
        escalate = escalate || (*referral)->value("escalate", false);
        last = std::max(last, IntField(**referral, "ingested_at"));
      }
    }
    list.push_back(OJson{{"id", std::string(key)}, {"name", StringField(*s, "display_name")},
                         {"accounts", ListField(*s, "accounts").size()}, {"referrals", referrals},
                         {"scans", scans[std::string(key)]}, {"referral_hits", hits}, {"escalate", escalate},
                         {"merged_ids", ListField(*s, "aliases").size()}, {"created", TimeOrNull(*s, "created")},
                         {"last_referral", last ? Time(last) : OJson(nullptr)}});
    if (cache.staged() == 0) cache.Discard();  // bound memory on large cases
    return true;
  }));
  HT_RETURN_IF_ERROR(bad);
  return OJson{{"subjects", std::move(list)}};
}

}  // namespace hashtriage::engine::subjects

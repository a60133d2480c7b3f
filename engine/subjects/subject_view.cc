#include "engine/subjects/subject_view.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/case/queue_store.h"
#include "engine/risk/queue_entry.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/subject_evidence.h"
#include "engine/subjects/subject_workspace.h"
#include "engine/time_util.h"

namespace hashtriage::engine::subjects {

namespace {

using OJson = nlohmann::ordered_json;

OJson Time(std::int64_t t) { return FormatIso8601(t); }
OJson TimeOrNull(const std::optional<std::int64_t>& t) { return t ? Time(*t) : OJson(nullptr); }
OJson TimeOrNull(std::int64_t t) { return t != 0 ? Time(t) : OJson(nullptr); }

// How an account came to be in its subject, in words.
std::string JoinedText(const std::optional<JoinInfo>& joined) {
  if (!joined) return "";
  const JoinInfo& j = *joined;
  const std::string when = j.time ? " on " + FormatDate(j.time) : "";
  if (j.kind == "founder") return "first account of the subject" + (j.referral.empty() ? "" : " (referral " + j.referral + ")");
  if (j.kind == "identifier") {
    return "joined via " + j.identifier + " shared with " + j.with + (j.referral.empty() ? "" : ", referral " + j.referral) + when;
  }
  if (j.kind == "manual") return "identifier added by " + j.by + " (source: " + j.source + ")" + when;
  if (j.kind == "link") return "manual link " + j.link + (j.with.empty() ? "" : " with " + j.with);
  if (j.kind == "split") return "separated from " + j.from + " by an unlink" + when;
  return j.kind;
}

std::string MergeText(const MergeEvent& m) {
  if (m.kind == "identifier") {
    std::string pair;
    if (m.accounts.size() == 2) pair = " (" + m.accounts[0] + " ~ " + m.accounts[1] + ")";
    return m.subject + " merged automatically: shared " + m.identifier + pair +
           (m.referral.empty() ? "" : ", referral " + m.referral);
  }
  if (m.kind == "link") return m.subject + " linked by " + m.by + " (" + m.link + "): " + m.reason;
  if (m.kind == "split") return "re-derived after an unlink of " + m.subject + " by " + m.by;
  return m.kind + " " + m.subject;
}

OJson AccountView(const AccountRecord& account) {
  OJson ids = OJson::array();
  for (const AccountIdentifier& id : account.identifiers) {
    OJson item{{"kind", id.kind}, {"value", id.value}, {"first_seen", Time(id.first_seen)}};
    if (id.last_seen) item["last_seen"] = Time(*id.last_seen);
    ids.push_back(std::move(item));
  }
  OJson view{{"id", account.id},
             {"service", account.service},
             {"origin", account.origin},
             {"joined", JoinedText(account.joined)},
             {"joined_by", account.joined ? account.joined->identifier : ""},
             {"identifiers", std::move(ids)},
             {"referrals", account.referrals.items()}};
  if (!account.source.empty()) view["source"] = account.source;
  return view;
}

OJson ReferralView(const ReferralRecord& r) {
  return OJson{{"id", r.id},
               {"format", r.format},
               {"service", r.service},
               {"received", Time(r.ingested_at)},
               {"incident_time", TimeOrNull(r.incident_time)},
               {"incident_type", r.incident_type},
               {"escalate", r.escalate},
               {"industry_classification", r.industry_classification},
               {"files", r.files.size()},
               {"hits", r.FilesWithHits()},
               {"account", r.account},
               {"source_file", r.source_file},
               {"record", r.record},
               {"location", r.location},
               {"warnings", r.warnings}};
}

OJson AttributeView(const AttributeRecord& a) {
  return OJson{{"name", a.name},   {"value", a.value},   {"source", a.source},  {"recorded_at", Time(a.recorded_at)},
               {"recorded_by", a.recorded_by}, {"subject", a.subject}, {"entered_at", Time(a.entered_at)},
               {"ref", a.ref()}};
}

void AddEvent(OJson& timeline, std::int64_t t, const std::string& what) {
  timeline.push_back(OJson{{"time_unix", t}, {"time", Time(t)}, {"event", what}});
}

Result<OJson> PossibleLinks(const Case& c, const SubjectEvidence& ev) {
  SubjectWorkspace work(c);
  Linker linker(work);
  OJson out = OJson::array();
  std::set<std::string> seen;
  for (const AccountRecord& account : ev.accounts) {
    for (const std::string& key : account.possible_links) {
      if (!seen.insert(key).second) continue;
      HT_ASSIGN_OR_RETURN(const PossibleLinkRecord* link, work.possible_links.Find(key));
      if (link == nullptr) continue;
      std::string other;
      for (const std::string& a : link->accounts) {
        if (a != account.id) other = a;
      }
      auto other_subject = linker.SubjectOfAccount(other);
      if (!other_subject.ok() || *other_subject == ev.root) continue;  // confirmed since, or gone
      OJson item{{"basis", link->basis},
                 {"ip", link->ip},
                 {"account", account.id},
                 {"other_account", other},
                 {"other_subject", *other_subject},
                 {"first", TimeOrNull(link->first)},
                 {"last", TimeOrNull(link->last)},
                 {"sightings", link->count},
                 {"proxy", link->proxy}};
      if (!link->reason.empty()) item["reason"] = link->reason;
      if (!link->referral.empty()) item["referral"] = link->referral;
      if (link->basis == "ip") {
        HT_ASSIGN_OR_RETURN(const IpAddressRecord* ip, work.ip_addresses.Find("ip:" + link->ip));
        if (ip != nullptr && ip->shared) item["shared_ip"] = ip->shared_reason;
      }
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace

Result<OJson> BuildSubjectView(const Case& c, const std::string& subject_id) {
  SubjectAuditHistory fresh;
  return BuildSubjectView(c, subject_id, fresh);
}

Result<OJson> BuildSubjectView(const Case& c, const std::string& subject_id, SubjectAuditHistory& audit_history) {
  HT_ASSIGN_OR_RETURN(SubjectEvidence ev, GatherSubjectEvidence(c, subject_id));
  const SubjectRecord& s = ev.subject;
  OJson view;
  view["id"] = ev.root;
  if (subject_id != ev.root) view["requested_id"] = subject_id;
  view["name"] = s.display_name;
  view["created"] = Time(s.created);
  view["created_by"] = s.created_by;
  view["aliases"] = OJson(std::vector<std::string>(ev.subject_ids.begin() + 1, ev.subject_ids.end()));
  OJson timeline = OJson::array();

  OJson accounts = OJson::array();
  for (const AccountRecord& a : ev.accounts) accounts.push_back(AccountView(a));
  view["accounts"] = std::move(accounts);

  OJson merges = OJson::array();
  for (const MergeEvent& m : s.merges) {
    merges.push_back(OJson{{"time", Time(m.time)}, {"kind", m.kind}, {"subject", m.subject}, {"identifier", m.identifier},
                           {"link", m.link}, {"by", m.by}, {"reason", m.reason}, {"text", MergeText(m)}});
    AddEvent(timeline, m.time, MergeText(m));
  }
  view["merges"] = std::move(merges);
  SubjectWorkspace work(c);
  OJson decisions = OJson::array();
  for (const IdList* list : {&s.links, &s.constraints}) {
    for (const std::string& id : *list) {
      HT_ASSIGN_OR_RETURN(const LinkRecord* rec, work.links.Find(id));
      if (rec == nullptr) continue;
      decisions.push_back(OJson{{"id", id}, {"type", rec->type}, {"a", rec->a}, {"b", rec->b}, {"reason", rec->reason},
                                {"by", rec->by}, {"time", Time(rec->time)}, {"active", rec->active},
                                {"revoked_by", rec->revoked_by}});
      AddEvent(timeline, rec->time,
               std::string(rec->type == "link" ? "linked " : "kept apart ") + rec->a + " / " + rec->b + " by " + rec->by +
                   ": " + rec->reason);
    }
  }
  view["link_decisions"] = std::move(decisions);
  HT_ASSIGN_OR_RETURN(view["possible_links"], PossibleLinks(c, ev));

  OJson referrals = OJson::array();
  bool escalate = false, self_production = false;
  for (const ReferralRecord& r : ev.referrals) {
    referrals.push_back(ReferralView(r));
    escalate = escalate || r.escalate;
    for (const auto& f : r.files) self_production = self_production || f.possible_self_production;
    if (r.incident_time) AddEvent(timeline, *r.incident_time, "incident reported in " + r.id + " (" + r.incident_type + ")");
    for (const auto& e : r.events) {
      if (!e.time) continue;
      std::string what = e.type + (e.ip.empty() ? "" : " from " + e.ip);
      if (e.port) what += ":" + std::to_string(e.port);
      AddEvent(timeline, *e.time, what + " (" + r.id + ")");
    }
    AddEvent(timeline, r.ingested_at, "referral " + r.id + " received (" + std::to_string(r.FilesWithHits()) + " known-image hits)");
  }
  view["referrals"] = std::move(referrals);
  view["escalate_to_high_priority"] = escalate;
  view["possible_self_production"] = self_production;

  OJson scans = OJson::array();
  for (const ScanEvidence& scan : ev.scans) {
    const EvidenceRecord& e = scan.record;
    scans.push_back(OJson{{"number", e.number}, {"id", e.id}, {"source", e.source}, {"started", Time(e.started)},
                          {"finished", TimeOrNull(e.finished)}, {"files_with_hits", scan.files_with_hits}});
    if (e.started) AddEvent(timeline, e.started, "device scan " + e.id + " of " + e.source);
  }
  view["scans"] = std::move(scans);

  OJson by_category = OJson::object();
  for (index::Category cat : {index::Category::kA, index::Category::kB, index::Category::kC,
                              index::Category::kIndecentUncategorised, index::Category::kUnknown,
                              index::Category::kNonIndecent}) {
    by_category[std::string(index::CategoryName(cat))] = 0;
  }
  OJson hits = OJson::array();
  for (const HitEvidence& h : ev.hits) {
    const std::string cat(index::CategoryName(h.category));
    by_category[cat] = by_category[cat].get<int>() + 1;
    hits.push_back(OJson{{"category", cat}, {"set", h.set}, {"kind", std::string(MatchKindName(h.kind))},
                         {"distance", h.distance}, {"source", h.source}, {"content", h.content}});
  }
  view["hits_by_category"] = std::move(by_category);
  view["hits"] = std::move(hits);

  HT_ASSIGN_OR_RETURN(auto history, c.subjects().Attributes(ev.subject_ids));
  OJson current = OJson::array();
  const auto now_values = CurrentAttributes(history, ev.joined);
  for (std::string_view name : RiskAttributeNames()) {
    auto it = std::find_if(now_values.begin(), now_values.end(),
                           [&](const CurrentAttribute& a) { return a.record.name == name; });
    if (it == now_values.end()) {
      current.push_back(OJson{{"name", name}, {"value", "unknown"}, {"source", nullptr}, {"note", "not recorded: research needed"}});
      continue;
    }
    OJson item = AttributeView(it->record);
    if (!it->conflicting.empty()) {
      OJson values = OJson::array();
      for (const AttributeRecord& r : it->conflicting) values.push_back(AttributeView(r));
      item["conflict"] = std::move(values);
      item["note"] = "merged subjects disagree: the riskier value counts until it is recorded again";
    }
    current.push_back(std::move(item));
  }
  view["area"] = nullptr;
  for (const auto& a : now_values) {
    if (a.record.name == kAreaAttribute) view["area"] = AttributeView(a.record);
  }
  view["attributes"] = std::move(current);
  OJson hist = OJson::array();
  for (const auto& a : history) {
    hist.push_back(AttributeView(a));
    AddEvent(timeline, a.entered_at, "attribute " + a.name + " = " + a.value + " (source: " + a.source + ", by " + a.recorded_by + ")");
  }
  view["attribute_history"] = std::move(hist);

  // The people's decisions on the subject (and on subjects merged into it): reviews, re-grades,
  // assignments and dip-sample outcomes, with who and why.
  for (const std::string& id : ev.subject_ids) {
    HT_ASSIGN_OR_RETURN(auto decisions, c.queue().Decisions(id));
    for (const risk::Decision& d : decisions) {
      std::string what = "decision " + std::to_string(d.id) + " by " + d.by + ": " + std::string(risk::OutcomeName(d.outcome));
      if (d.band) what += ", band " + std::string(risk::BandName(*d.band));
      if (d.clear_override) what += ", back to the model's band";
      if (!d.assign.empty()) what += ", assigned to " + d.assign;
      if (!d.dip_sample.empty()) what += " (dip-sample " + d.dip_sample + ")";
      AddEvent(timeline, d.at, what + ": " + d.reason);
    }
    // The queue's own record: entering it, re-opening, and every band change with its cause.
    HT_ASSIGN_OR_RETURN(auto assessments, c.queue().AssessmentHistory(id));
    for (const AssessmentRecord& a : assessments) {
      if (a.band_change.empty() && a.event == "re-scored") continue;
      std::string what = "queue: " + a.event;
      if (!a.band_change.empty()) what += (a.event.empty() ? "" : "; ") + a.band_change;
      AddEvent(timeline, a.assessment.assessed_at, what);
    }
  }
  HT_ASSIGN_OR_RETURN(auto audited, audit_history.EventsFor(c.audit(), ev.subject_ids));
  for (const AuditHistoryEvent& e : audited) AddEvent(timeline, e.time, e.text);

  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const OJson& x, const OJson& y) { return x["time_unix"].get<std::int64_t>() < y["time_unix"].get<std::int64_t>(); });
  for (auto& e : timeline) e.erase("time_unix");
  view["timeline"] = std::move(timeline);
  return view;
}

Result<OJson> BuildSubjectList(const Case& c) {
  std::map<std::string, std::uint64_t> scans;
  {
    SubjectWorkspace work(c);
    Linker linker(work);
    HT_ASSIGN_OR_RETURN(auto evidence, c.evidence().List());
    for (const EvidenceRecord& e : evidence) {
      if (e.subject.empty()) continue;
      auto root = linker.Resolve(e.subject);
      if (root.ok()) ++scans[*root];
    }
  }
  OJson list = OJson::array();
  SubjectWorkspace work(c);
  Status bad;
  HT_RETURN_IF_ERROR(c.subjects().ForEachSubject([&](const SubjectRecord& s) {
    if (!s.root()) return true;
    std::uint64_t referrals = 0, hits = 0;
    bool escalate = false;
    std::int64_t last = 0;
    for (const std::string& a : s.accounts) {
      auto account = work.accounts.Find(a);
      if (!account.ok() || *account == nullptr) continue;
      for (const std::string& r : (*account)->referrals) {
        auto referral = c.referrals().Get(r);
        if (!referral.ok()) {
          bad = referral.status();
          return false;
        }
        if (!*referral) continue;
        ++referrals;
        hits += (*referral)->FilesWithHits();
        escalate = escalate || (*referral)->escalate;
        last = std::max(last, (*referral)->ingested_at);
      }
    }
    list.push_back(OJson{{"id", s.id}, {"name", s.display_name}, {"accounts", s.accounts.size()},
                         {"referrals", referrals}, {"scans", scans[s.id]}, {"referral_hits", hits},
                         {"escalate", escalate}, {"merged_ids", s.aliases.size()}, {"created", Time(s.created)},
                         {"last_referral", last ? Time(last) : OJson(nullptr)}});
    if (work.staged() == 0 && work.accounts.size() > 100000) work.Discard();  // bound memory on large cases
    return true;
  }));
  HT_RETURN_IF_ERROR(bad);
  return OJson{{"subjects", std::move(list)}};
}

}  // namespace hashtriage::engine::subjects

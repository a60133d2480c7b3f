// Linker, automatic part: accounts, identifiers, incremental merges and IP possible links.
// Manual link/unlink and the re-derivation of a split subject are in linker_manual.cc.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "engine/subjects/linker.h"
#include "engine/subjects/subject_records.h"

namespace hashtriage::engine::subjects {

namespace {

using Json = nlohmann::json;
using ingest::IdentifierKind;

// The identifier that names an account: a service account first, then a P2P client, then contact details.
std::string PrimaryKey(const AccountInput& input) {
  static constexpr IdentifierKind kPriority[] = {IdentifierKind::kServiceAccount, IdentifierKind::kClientGuid,
                                                 IdentifierKind::kEmail, IdentifierKind::kPhone,
                                                 IdentifierKind::kDeviceId};
  for (IdentifierKind kind : kPriority) {
    for (const auto& id : input.identifiers) {
      if (id.kind == kind && id.strong()) return id.Key();
    }
  }
  return "";
}

Json NewSubjectRecord(const std::string& id, std::string_view created_by, std::string_view display_name,
                      std::int64_t time) {
  return Json{{"id", id},
              {"created", time},
              {"created_by", created_by},
              {"display_name", display_name},
              {"accounts", Json::array()},
              {"aliases", Json::array()},
              {"merges", Json::array()},
              {"constraints", Json::array()},
              {"links", Json::array()}};
}

}  // namespace

Result<std::string> Linker::Resolve(std::string_view subject_id) {
  std::string id(subject_id);
  for (int hops = 0; hops < 64; ++hops) {
    HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Find(Table::kSubjects, id));
    if (rec == nullptr) return Status::NotFound("no subject '" + std::string(subject_id) + "'");
    const std::string next = StringField(*rec, "merged_into");
    if (next.empty()) return id;
    id = next;
  }
  return Status::Corruption("subject '" + std::string(subject_id) + "': merge redirects form a loop");
}

Result<std::string> Linker::SubjectOfAccount(std::string_view account_id) {
  HT_ASSIGN_OR_RETURN(const Json* acc, cache_.Require(Table::kAccounts, account_id, "account"));
  const std::string hint = StringField(*acc, "subject");
  if (hint.empty()) return Status::Corruption("account " + std::string(account_id) + " has no subject");
  return Resolve(hint);
}

Result<std::string> Linker::CreateSubject(std::string id, std::string_view created_by, std::string_view display_name,
                                          std::int64_t time) {
  if (id.empty()) {
    for (;;) {
      HT_ASSIGN_OR_RETURN(std::uint64_t n, cache_.NextId(kSubjectCounter));
      id = FormatId('S', n);
      HT_ASSIGN_OR_RETURN(const Json* existing, cache_.Find(Table::kSubjects, id));
      if (existing == nullptr) break;  // someone named a subject like an automatic id: skip it
    }
  } else {
    if (!IsValidSubjectId(id)) {
      return Status::InvalidArgument("invalid subject id '" + id + "' (1-64 of A-Z a-z 0-9 . _ -, not A-<digits>)");
    }
    HT_ASSIGN_OR_RETURN(const Json* existing, cache_.Find(Table::kSubjects, id));
    if (existing != nullptr) return Status::InvalidArgument("subject " + id + " already exists");
  }
  cache_.Put(Table::kSubjects, id, NewSubjectRecord(id, created_by, display_name, time));
  return id;
}

Result<Linker::AccountChoice> Linker::AccountFor(const AccountInput& input, const std::string& primary,
                                                 std::int64_t now) {
  if (!primary.empty() && input.origin != "manual") {
    HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Find(Table::kIdentifiers, primary));
    if (rec != nullptr && !StringField(*rec, "primary").empty()) return AccountChoice{StringField(*rec, "primary"), false};
  }
  HT_ASSIGN_OR_RETURN(std::uint64_t n, cache_.NextId(kAccountCounter));
  const std::string id = FormatId('A', n);
  Json account{{"id", id},           {"created", now},          {"service", input.service},
               {"origin", input.origin}, {"identifiers", Json::array()}, {"referrals", Json::array()},
               {"possible_links", Json::array()}, {"subject", ""},     {"home", ""}};
  if (!input.source.empty()) account["source"] = input.source;
  cache_.Put(Table::kAccounts, id, std::move(account));
  return AccountChoice{id, true};
}

Status Linker::AddIdentifiers(const std::string& account_id, const AccountInput& input, const std::string& primary,
                              std::int64_t now) {
  HT_ASSIGN_OR_RETURN(Json * account, cache_.Edit(Table::kAccounts, account_id));
  Json& list = (*account)["identifiers"];
  for (const auto& id : input.identifiers) {
    const std::string key = id.Key();
    const bool known = std::any_of(list.begin(), list.end(), [&](const Json& e) { return StringField(e, "key") == key; });
    if (!known) {
      list.push_back(Json{{"key", key},
                          {"kind", ingest::IdentifierKindName(id.kind)},
                          {"value", id.value},
                          {"first_seen", now},
                          {"referral", input.referral_id}});
    }
    HT_ASSIGN_OR_RETURN(const Json* found, cache_.Find(Table::kIdentifiers, key));
    Json* rec;
    if (found == nullptr) {
      rec = &cache_.Put(Table::kIdentifiers, key,
                        Json{{"key", key},
                             {"kind", ingest::IdentifierKindName(id.kind)},
                             {"value", id.value},
                             {"accounts", Json::array()},
                             {"subjects", Json::array()},
                             {"first_seen", now}});
    } else {
      HT_ASSIGN_OR_RETURN(rec, cache_.Edit(Table::kIdentifiers, key));
    }
    ListAdd((*rec)["accounts"], account_id);
    (*rec)["last_seen"] = now;
    if (key == primary && input.origin != "manual" && StringField(*rec, "primary").empty()) {
      (*rec)["primary"] = account_id;
    }
  }
  return Status::Ok();
}

Result<std::string> Linker::AccountInSubjectWith(const std::string& key, const std::string& root) {
  HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Find(Table::kIdentifiers, key));
  if (rec == nullptr) return std::string();
  for (const auto& account : ListField(*rec, "accounts")) {
    auto subject = SubjectOfAccount(account.get<std::string>());
    if (subject.ok() && *subject == root) return account.get<std::string>();
  }
  return std::string();
}

Result<Attachment> Linker::Attach(const AccountInput& input, const Actor& actor) {
  Attachment out;
  const std::string primary = PrimaryKey(input);
  HT_ASSIGN_OR_RETURN(AccountChoice choice, AccountFor(input, primary, actor.now));
  out.account_id = choice.id;
  out.new_account = choice.created;
  HT_RETURN_IF_ERROR(AddIdentifiers(out.account_id, input, primary, actor.now));
  std::vector<std::string> strong;
  for (const auto& id : input.identifiers) {
    if (id.strong()) strong.push_back(id.Key());
  }

  std::string subject;
  if (!out.new_account) {
    HT_ASSIGN_OR_RETURN(subject, SubjectOfAccount(out.account_id));
  } else {
    Json joined;
    std::string home;
    if (!input.subject_id.empty()) {
      HT_ASSIGN_OR_RETURN(subject, Resolve(input.subject_id));
      home = input.subject_id;
      joined = Json{{"kind", "manual"}, {"source", input.source}, {"time", actor.now}, {"by", actor.by}};
    }
    for (std::size_t i = 0; subject.empty() && i < strong.size(); ++i) {
      HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Find(Table::kIdentifiers, strong[i]));
      for (const auto& hint : ListField(*rec, "subjects")) {
        auto root = Resolve(hint.get<std::string>());
        if (!root.ok()) continue;
        subject = *root;
        HT_ASSIGN_OR_RETURN(std::string with, AccountInSubjectWith(strong[i], subject));
        joined = Json{{"kind", "identifier"}, {"identifier", strong[i]}, {"with", with},
                      {"referral", input.referral_id}, {"time", actor.now}};
        break;
      }
    }
    if (subject.empty()) {
      HT_ASSIGN_OR_RETURN(subject, CreateSubject("", input.referral_id.empty() ? "manual" : "intake:" + input.referral_id,
                                                 input.display_name, actor.now));
      out.new_subject = true;
      joined = Json{{"kind", "founder"}, {"referral", input.referral_id}, {"time", actor.now}};
    }
    if (home.empty()) home = subject;
    HT_ASSIGN_OR_RETURN(Json * account, cache_.Edit(Table::kAccounts, out.account_id));
    (*account)["subject"] = subject;
    (*account)["home"] = home;
    (*account)["joined"] = std::move(joined);
    HT_ASSIGN_OR_RETURN(Json * subject_rec, cache_.Edit(Table::kSubjects, subject));
    ListAdd((*subject_rec)["accounts"], out.account_id);
    if (StringField(*subject_rec, "display_name").empty()) (*subject_rec)["display_name"] = input.display_name;
  }

  // Every other subject holding one of these strong identifiers is the same person.
  for (const std::string& key : strong) {
    HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Find(Table::kIdentifiers, key));
    std::vector<std::string> roots;
    for (const auto& hint : ListField(*rec, "subjects")) {
      auto root = Resolve(hint.get<std::string>());
      if (root.ok() && std::find(roots.begin(), roots.end(), *root) == roots.end()) roots.push_back(*root);
    }
    std::vector<std::string> remaining{subject};
    for (const std::string& other : roots) {
      if (other == subject) continue;
      HT_ASSIGN_OR_RETURN(auto blocking, Blocking(subject, other));
      if (blocking) {
        out.blocked.push_back(key + " shared with " + other + " but kept apart by " + *blocking);
        remaining.push_back(other);
        continue;
      }
      HT_ASSIGN_OR_RETURN(std::string with, AccountInSubjectWith(key, other));
      const Json how{{"kind", "identifier"},
                     {"identifier", key},
                     {"accounts", Json::array({out.account_id, with})},
                     {"referral", input.referral_id}};
      HT_ASSIGN_OR_RETURN(std::string survivor, Merge(subject, other, how, actor));
      out.merges.push_back(MergeEvent{survivor, survivor == subject ? other : subject, "identifier", key, ""});
      remaining[0] = subject = survivor;
    }
    HT_ASSIGN_OR_RETURN(Json * editable, cache_.Edit(Table::kIdentifiers, key));
    (*editable)["subjects"] = remaining;
  }
  if (!input.referral_id.empty()) {
    HT_ASSIGN_OR_RETURN(Json * account, cache_.Edit(Table::kAccounts, out.account_id));
    ListAdd((*account)["referrals"], input.referral_id);
  }
  out.subject_id = subject;
  return out;
}

Result<std::string> Linker::Merge(std::string a, std::string b, const Json& how, const Actor& actor) {
  if (a == b) return a;
  HT_ASSIGN_OR_RETURN(const Json* ra, cache_.Require(Table::kSubjects, a, "subject"));
  HT_ASSIGN_OR_RETURN(const Json* rb, cache_.Require(Table::kSubjects, b, "subject"));
  // The older subject survives: its id is the one people already know.
  const auto ka = std::make_pair(IntField(*ra, "created"), a);
  const auto kb = std::make_pair(IntField(*rb, "created"), b);
  const std::string survivor = ka <= kb ? a : b;
  const std::string merged = ka <= kb ? b : a;
  HT_ASSIGN_OR_RETURN(Json * s, cache_.Edit(Table::kSubjects, survivor));
  HT_ASSIGN_OR_RETURN(Json * m, cache_.Edit(Table::kSubjects, merged));
  for (const char* list : {"accounts", "constraints", "links"}) {
    for (const auto& item : (*m)[list]) ListAdd((*s)[list], item.get<std::string>());
  }
  ListAdd((*s)["aliases"], merged);
  for (const auto& alias : (*m)["aliases"]) {
    ListAdd((*s)["aliases"], alias.get<std::string>());
    HT_ASSIGN_OR_RETURN(Json * rec, cache_.Edit(Table::kSubjects, alias.get<std::string>()));
    (*rec)["merged_into"] = survivor;
  }
  if (StringField(*s, "display_name").empty()) (*s)["display_name"] = StringField(*m, "display_name");
  Json event = how;
  event["subject"] = merged;
  event["time"] = actor.now;
  event["by"] = actor.by;
  if (!(*s)["merges"].is_array()) (*s)["merges"] = Json::array();
  (*s)["merges"].push_back(event);
  event.erase("subject");
  event["into"] = survivor;
  (*m)["merged_into"] = survivor;
  (*m)["merged"] = std::move(event);
  (*m)["accounts"] = Json::array();
  (*m)["aliases"] = Json::array();
  return survivor;
}

Result<std::vector<std::string>> Linker::FamilyNodes(const std::string& root) {
  HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Require(Table::kSubjects, root, "subject"));
  std::vector<std::string> nodes{SubjectNode(root)};
  for (const auto& alias : ListField(*rec, "aliases")) nodes.push_back(SubjectNode(alias.get<std::string>()));
  for (const auto& account : ListField(*rec, "accounts")) nodes.push_back(account.get<std::string>());
  return nodes;
}

Result<std::optional<std::string>> Linker::Blocking(const std::string& a, const std::string& b) {
  HT_ASSIGN_OR_RETURN(const Json* ra, cache_.Require(Table::kSubjects, a, "subject"));
  HT_ASSIGN_OR_RETURN(const Json* rb, cache_.Require(Table::kSubjects, b, "subject"));
  std::vector<std::string> ids;
  for (const Json* rec : {ra, rb}) {
    for (const auto& c : ListField(*rec, "constraints")) ids.push_back(c.get<std::string>());
  }
  if (ids.empty()) return std::optional<std::string>();
  HT_ASSIGN_OR_RETURN(auto na, FamilyNodes(a));
  HT_ASSIGN_OR_RETURN(auto nb, FamilyNodes(b));
  const std::set<std::string> set_a(na.begin(), na.end()), set_b(nb.begin(), nb.end());
  auto touches = [](const Json& side, const std::set<std::string>& nodes) {
    return std::any_of(side.begin(), side.end(), [&](const Json& n) { return nodes.count(n.get<std::string>()) > 0; });
  };
  for (const std::string& id : ids) {
    HT_ASSIGN_OR_RETURN(const Json* c, cache_.Find(Table::kLinks, id));
    if (c == nullptr || !c->value("active", false)) continue;
    const Json& left = ListField(*c, "left");
    const Json& right = ListField(*c, "right");
    if ((touches(left, set_a) && touches(right, set_b)) || (touches(right, set_a) && touches(left, set_b))) {
      return std::optional<std::string>(id);
    }
  }
  return std::optional<std::string>();
}

Result<std::vector<std::string>> Linker::RecordIpSighting(const std::string& ip, const std::string& account_id,
                                                          std::int64_t time, int port, bool proxy,
                                                          const std::string& referral_id) {
  std::vector<std::string> links;
  const std::string key = ingest::Identifier{IdentifierKind::kIp, ip}.Key();
  HT_ASSIGN_OR_RETURN(const Json* found, cache_.Find(Table::kIdentifiers, key));
  Json* rec;
  if (found == nullptr) {
    rec = &cache_.Put(Table::kIdentifiers, key,
                      Json{{"key", key}, {"kind", "ip"}, {"value", ip}, {"sightings", Json::array()}, {"shared", false}});
  } else {
    HT_ASSIGN_OR_RETURN(rec, cache_.Edit(Table::kIdentifiers, key));
  }
  HT_ASSIGN_OR_RETURN(const std::string subject, SubjectOfAccount(account_id));
  Json& sightings = (*rec)["sightings"];
  if (!rec->value("shared", false)) {
    std::set<std::string> subjects{subject};
    std::unordered_map<std::string, bool> candidates;  // other account -> proxy flagged
    for (const auto& s : sightings) {
      if (std::llabs(IntField(s, "t") - time) > options_.ip_window_seconds) continue;
      const std::string other = StringField(s, "a");
      auto other_subject = SubjectOfAccount(other);
      if (!other_subject.ok()) continue;
      subjects.insert(*other_subject);
      if (*other_subject != subject && other != account_id) candidates[other] = candidates[other] || s.value("x", false);
    }
    if (static_cast<int>(subjects.size()) > options_.max_subjects_per_ip) {
      (*rec)["shared"] = true;
      (*rec)["shared_since"] = time;
      (*rec)["shared_reason"] = "seen with " + std::to_string(subjects.size()) + " subjects within " +
                                std::to_string(options_.ip_window_seconds / 3600) + " h (carrier NAT, VPN or proxy)";
    } else {
      for (const auto& [other, other_proxy] : candidates) {
        const std::string link_key = PossibleLinkKey(ip, account_id, other);
        HT_ASSIGN_OR_RETURN(const Json* existing, cache_.Find(Table::kLinks, link_key));
        if (existing == nullptr) {
          cache_.Put(Table::kLinks, link_key,
                     Json{{"type", "possible"}, {"ip", ip}, {"accounts", Json::array({std::min(account_id, other), std::max(account_id, other)})},
                          {"first", time}, {"last", time}, {"count", 0}, {"proxy", false}, {"status", "open"}});
        }
        HT_ASSIGN_OR_RETURN(Json * link, cache_.Edit(Table::kLinks, link_key));
        (*link)["first"] = std::min(IntField(*link, "first"), time);
        (*link)["last"] = std::max(IntField(*link, "last"), time);
        (*link)["count"] = IntField(*link, "count") + 1;
        (*link)["proxy"] = link->value("proxy", false) || proxy || other_proxy;
        for (const std::string& acc : {account_id, other}) {
          HT_ASSIGN_OR_RETURN(Json * a, cache_.Edit(Table::kAccounts, acc));
          ListAdd((*a)["possible_links"], link_key);
        }
        links.push_back(link_key);
      }
    }
  }
  Json sighting{{"t", time}, {"a", account_id}, {"r", referral_id}};
  if (port != 0) sighting["p"] = port;
  if (proxy) sighting["x"] = true;
  sightings.push_back(std::move(sighting));
  if (sightings.size() > options_.max_ip_sightings) {
    std::stable_sort(sightings.begin(), sightings.end(),
                     [](const Json& x, const Json& y) { return IntField(x, "t") < IntField(y, "t"); });
    sightings.erase(sightings.begin(), sightings.begin() + static_cast<std::ptrdiff_t>(sightings.size() - options_.max_ip_sightings));
  }
  // The account remembers the addresses it used.
  HT_ASSIGN_OR_RETURN(Json * account, cache_.Edit(Table::kAccounts, account_id));
  Json& ids = (*account)["identifiers"];
  auto it = std::find_if(ids.begin(), ids.end(), [&](const Json& e) { return StringField(e, "key") == key; });
  if (it == ids.end()) {
    ids.push_back(Json{{"key", key}, {"kind", "ip"}, {"value", ip}, {"first_seen", time}, {"last_seen", time},
                       {"referral", referral_id}});
  } else {
    (*it)["first_seen"] = std::min(IntField(*it, "first_seen", time), time);
    (*it)["last_seen"] = std::max(IntField(*it, "last_seen", time), time);
  }
  return links;
}

}  // namespace hashtriage::engine::subjects

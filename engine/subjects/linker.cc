// Linker, automatic part: accounts, identifiers, incremental merges and IP possible links.
// Manual link/unlink and the re-derivation of a split subject are in linker_manual.cc.
#include <algorithm>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "engine/subjects/linker.h"
#include "engine/subjects/subject_records.h"

namespace hashtriage::engine::subjects {

namespace {

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

SubjectRecord NewSubjectRecord(const std::string& id, std::string_view created_by, std::string_view display_name,
                               std::int64_t time) {
  SubjectRecord s;
  s.id = id;
  s.created = time;
  s.created_by = std::string(created_by);
  s.display_name = std::string(display_name);
  return s;
}

}  // namespace

Result<std::string> Linker::Resolve(std::string_view subject_id) {
  std::string id(subject_id);
  for (int hops = 0; hops < 64; ++hops) {
    HT_ASSIGN_OR_RETURN(const SubjectRecord* rec, work_.subjects.Find(id));
    if (rec == nullptr) return Status::NotFound("no subject '" + std::string(subject_id) + "'");
    if (rec->merged_into.empty()) return id;
    id = rec->merged_into;
  }
  return Status::Corruption("subject '" + std::string(subject_id) + "': merge redirects form a loop");
}

Result<std::string> Linker::SubjectOfAccount(std::string_view account_id) {
  HT_ASSIGN_OR_RETURN(const AccountRecord* acc, work_.accounts.Require(std::string(account_id)));
  if (acc->subject.empty()) return Status::Corruption("account " + std::string(account_id) + " has no subject");
  return Resolve(acc->subject);
}

namespace {
// Automatic subject ids checked for a hand-made subject of the same name in one read (team mode).
constexpr std::uint64_t kSubjectIdsAhead = 256;
}  // namespace

Result<std::string> Linker::CreateSubject(std::string id, std::string_view created_by, std::string_view display_name,
                                          std::int64_t time) {
  if (id.empty()) {
    for (;;) {
      HT_ASSIGN_OR_RETURN(std::uint64_t n, work_.NextId(kSubjectCounter));
      id = FormatId('S', n);
      if (!work_.subjects.Holds(id)) {  // the next automatic ids are checked together
        std::vector<std::string> next;
        for (std::uint64_t k = n; k < n + kSubjectIdsAhead; ++k) next.push_back(FormatId('S', k));
        HT_RETURN_IF_ERROR(work_.PreloadSubjects(next));
      }
      HT_ASSIGN_OR_RETURN(const SubjectRecord* existing, work_.subjects.Find(id));
      if (existing == nullptr) break;  // someone named a subject like an automatic id: skip it
    }
  } else {
    if (!IsValidSubjectId(id)) {
      return Status::InvalidArgument("invalid subject id '" + id + "' (1-64 of A-Z a-z 0-9 . _ -, not A-<digits>)");
    }
    HT_ASSIGN_OR_RETURN(const SubjectRecord* existing, work_.subjects.Find(id));
    if (existing != nullptr) return Status::InvalidArgument("subject " + id + " already exists");
  }
  work_.subjects.Put(id, NewSubjectRecord(id, created_by, display_name, time));
  return id;
}

Result<Linker::AccountChoice> Linker::AccountFor(const AccountInput& input, const std::string& primary,
                                                 std::int64_t now) {
  if (!primary.empty() && input.origin != "manual") {
    HT_ASSIGN_OR_RETURN(const IdentifierRecord* rec, work_.identifiers.Find(primary));
    if (rec != nullptr && !rec->primary.empty()) return AccountChoice{rec->primary, false};
  }
  HT_ASSIGN_OR_RETURN(std::uint64_t n, work_.NextId(kAccountCounter));
  AccountRecord account;
  account.id = FormatId('A', n);
  account.created = now;
  account.service = input.service;
  account.origin = input.origin;
  account.source = input.source;
  work_.accounts.Put(account.id, account);
  return AccountChoice{account.id, true};
}

Status Linker::AddIdentifiers(const std::string& account_id, const AccountInput& input, const std::string& primary,
                              std::int64_t now) {
  HT_ASSIGN_OR_RETURN(AccountRecord * account, work_.accounts.Edit(account_id));
  for (const auto& id : input.identifiers) {
    const std::string key = id.Key();
    const bool known = std::any_of(account->identifiers.begin(), account->identifiers.end(),
                                   [&](const AccountIdentifier& e) { return e.key == key; });
    if (!known) {
      account->identifiers.push_back(
          AccountIdentifier{key, std::string(ingest::IdentifierKindName(id.kind)), id.value, now, std::nullopt, input.referral_id});
    }
    HT_ASSIGN_OR_RETURN(const IdentifierRecord* found, work_.identifiers.Find(key));
    IdentifierRecord* rec;
    if (found == nullptr) {
      IdentifierRecord fresh;
      fresh.key = key;
      fresh.kind = std::string(ingest::IdentifierKindName(id.kind));
      fresh.value = id.value;
      fresh.first_seen = now;
      rec = &work_.identifiers.Put(key, std::move(fresh));
    } else {
      HT_ASSIGN_OR_RETURN(rec, work_.identifiers.Edit(key));
    }
    rec->accounts.Add(account_id);
    rec->last_seen = now;
    if (key == primary && input.origin != "manual" && rec->primary.empty()) rec->primary = account_id;
  }
  return Status::Ok();
}

Result<std::string> Linker::AccountInSubjectWith(const std::string& key, const std::string& root) {
  HT_ASSIGN_OR_RETURN(const IdentifierRecord* rec, work_.identifiers.Find(key));
  if (rec == nullptr) return std::string();
  for (const std::string& account : rec->accounts) {
    auto subject = SubjectOfAccount(account);
    if (subject.ok() && *subject == root) return account;
  }
  return std::string();
}

Result<Attachment> Linker::Attach(const AccountInput& input, const Actor& actor) {
  Attachment out;
  // A manual identifier the subject already holds adds nothing (no second account for one number).
  if (input.origin == "manual" && !input.subject_id.empty() && input.identifiers.size() == 1) {
    HT_ASSIGN_OR_RETURN(std::string root, Resolve(input.subject_id));
    HT_ASSIGN_OR_RETURN(std::string holder, AccountInSubjectWith(input.identifiers[0].Key(), root));
    if (!holder.empty()) {
      out.account_id = holder;
      out.subject_id = root;
      out.already_known = true;
      return out;
    }
  }
  const std::string primary = PrimaryKey(input);
  HT_ASSIGN_OR_RETURN(AccountChoice choice, AccountFor(input, primary, actor.now));
  out.account_id = choice.id;
  out.new_account = choice.created;
  std::vector<std::string> strong;
  for (const auto& id : input.identifiers) {
    if (id.strong()) strong.push_back(id.Key());
  }

  // Every existing root subject holding one of these strong identifiers, before this account joins.
  std::vector<std::string> holders;
  for (const std::string& key : strong) {
    HT_ASSIGN_OR_RETURN(const IdentifierRecord* rec, work_.identifiers.Find(key));
    if (rec == nullptr) continue;
    for (const std::string& hint : rec->subjects) {
      auto root = Resolve(hint);
      if (root.ok() && std::find(holders.begin(), holders.end(), *root) == holders.end()) holders.push_back(*root);
    }
  }
  std::string own;
  if (!out.new_account) {
    HT_ASSIGN_OR_RETURN(own, SubjectOfAccount(out.account_id));
  } else if (!input.subject_id.empty()) {
    HT_ASSIGN_OR_RETURN(own, Resolve(input.subject_id));
  }
  std::vector<std::string> others;
  for (const std::string& h : holders) {
    if (h != own) others.push_back(h);
  }
  // The fan-out safeguard: joining this many subjects at once needs a person.
  const bool hold_back = static_cast<int>(others.size() + (own.empty() ? 0 : 1)) - 1 > options_.max_auto_merge;

  HT_RETURN_IF_ERROR(AddIdentifiers(out.account_id, input, primary, actor.now));
  std::string subject = own;
  if (out.new_account) {
    JoinInfo joined;
    std::string home;
    if (!input.subject_id.empty()) {
      home = input.subject_id;
      joined = JoinInfo{"manual", "", "", "", "", input.source, "", actor.by, actor.now};
    }
    if (subject.empty() && !hold_back) {
      for (std::size_t i = 0; subject.empty() && i < strong.size(); ++i) {
        HT_ASSIGN_OR_RETURN(const IdentifierRecord* rec, work_.identifiers.Find(strong[i]));
        for (const std::string& hint : rec->subjects) {
          auto root = Resolve(hint);
          if (!root.ok()) continue;
          subject = *root;
          HT_ASSIGN_OR_RETURN(std::string with, AccountInSubjectWith(strong[i], subject));
          joined = JoinInfo{"identifier", strong[i], with, input.referral_id, "", "", "", "", actor.now};
          break;
        }
      }
    }
    if (subject.empty()) {
      HT_ASSIGN_OR_RETURN(subject, CreateSubject("", input.referral_id.empty() ? "manual" : "intake:" + input.referral_id,
                                                 input.display_name, actor.now));
      out.new_subject = true;
      joined = JoinInfo{"founder", "", "", input.referral_id, "", "", "", "", actor.now};
    }
    if (home.empty()) home = subject;
    HT_ASSIGN_OR_RETURN(AccountRecord * account, work_.accounts.Edit(out.account_id));
    account->subject = subject;
    account->home = home;
    account->joined = joined;
    HT_ASSIGN_OR_RETURN(SubjectRecord * subject_rec, work_.subjects.Edit(subject));
    subject_rec->accounts.Add(out.account_id);
    if (subject_rec->display_name.empty()) subject_rec->display_name = input.display_name;
  }

  if (hold_back) {
    std::vector<std::string> to_link;
    for (const std::string& h : holders) {
      if (h != subject) to_link.push_back(h);
    }
    out.held_back = "shares identifiers with " + std::to_string(to_link.size()) +
                    " existing subjects (more than the " + std::to_string(options_.max_auto_merge) +
                    " merged automatically): none merged; possible links raised for a person to decide";
    HT_ASSIGN_OR_RETURN(out.possible_links, RaisePossibleLinks(out.account_id, to_link,
                                                               out.held_back, input.referral_id, actor.now));
    for (const std::string& key : strong) {
      HT_ASSIGN_OR_RETURN(IdentifierRecord * editable, work_.identifiers.Edit(key));
      editable->subjects.Add(subject);
    }
  } else {
    // Every other subject holding one of these strong identifiers is the same person.
    for (const std::string& key : strong) {
      HT_ASSIGN_OR_RETURN(const IdentifierRecord* rec, work_.identifiers.Find(key));
      std::vector<std::string> roots;
      for (const std::string& hint : rec->subjects) {
        auto root = Resolve(hint);
        if (root.ok() && std::find(roots.begin(), roots.end(), *root) == roots.end()) roots.push_back(*root);
      }
      IdList remaining{subject};
      for (const std::string& other : roots) {
        if (other == subject) continue;
        HT_ASSIGN_OR_RETURN(auto blocking, Blocking(subject, other));
        if (blocking) {
          out.blocked.push_back(key + " shared with " + other + " but kept apart by " + *blocking);
          remaining.Add(other);
          continue;
        }
        HT_ASSIGN_OR_RETURN(std::string with, AccountInSubjectWith(key, other));
        MergeEvent how;
        how.kind = "identifier";
        how.identifier = key;
        how.accounts = {out.account_id, with};
        how.referral = input.referral_id;
        HT_ASSIGN_OR_RETURN(std::string survivor, Merge(subject, other, how, actor));
        out.merges.push_back(MergeReport{survivor, survivor == subject ? other : subject, "identifier", key, ""});
        IdList renamed{survivor};
        for (const std::string& r : remaining) {
          if (r != subject) renamed.Add(r);
        }
        remaining = std::move(renamed);
        subject = survivor;
      }
      HT_ASSIGN_OR_RETURN(IdentifierRecord * editable, work_.identifiers.Edit(key));
      editable->subjects = std::move(remaining);
    }
  }
  if (!input.referral_id.empty()) {
    HT_ASSIGN_OR_RETURN(AccountRecord * account, work_.accounts.Edit(out.account_id));
    if (account->referrals.Add(input.referral_id)) {
      HT_ASSIGN_OR_RETURN(SubjectRecord * s, work_.subjects.Edit(subject));
      ++s->referrals;
    }
  }
  out.subject_id = subject;
  return out;
}

Result<std::vector<std::string>> Linker::RaisePossibleLinks(const std::string& account_id,
                                                            const std::vector<std::string>& others,
                                                            const std::string& reason, const std::string& referral,
                                                            std::int64_t time) {
  std::vector<std::string> keys;
  for (const std::string& other : others) {
    HT_ASSIGN_OR_RETURN(const SubjectRecord* rec, work_.subjects.Require(other));
    if (rec->accounts.empty()) continue;
    const std::string other_account = rec->accounts.front();
    const std::string key = PossibleLinkKey("identifiers", account_id, other_account);
    HT_ASSIGN_OR_RETURN(const PossibleLinkRecord* existing, work_.possible_links.Find(key));
    if (existing == nullptr) {
      PossibleLinkRecord p;
      p.key = key;
      p.basis = "identifiers";
      p.accounts = {std::min(account_id, other_account), std::max(account_id, other_account)};
      p.reason = reason;
      p.referral = referral;
      p.first = p.last = time;
      work_.possible_links.Put(key, std::move(p));
    }
    HT_ASSIGN_OR_RETURN(PossibleLinkRecord * link, work_.possible_links.Edit(key));
    link->last = std::max(link->last, time);
    ++link->count;
    for (const std::string& acc : {account_id, other_account}) {
      HT_ASSIGN_OR_RETURN(AccountRecord * a, work_.accounts.Edit(acc));
      a->possible_links.Add(key);
    }
    keys.push_back(key);
  }
  return keys;
}

Result<std::string> Linker::Merge(std::string a, std::string b, MergeEvent how, const Actor& actor) {
  if (a == b) return a;
  HT_ASSIGN_OR_RETURN(const SubjectRecord* ra, work_.subjects.Require(a));
  HT_ASSIGN_OR_RETURN(const SubjectRecord* rb, work_.subjects.Require(b));
  // The older subject survives: its id is the one people already know.
  const auto ka = std::make_pair(ra->created, a);
  const auto kb = std::make_pair(rb->created, b);
  const std::string survivor = ka <= kb ? a : b;
  const std::string merged = ka <= kb ? b : a;
  HT_ASSIGN_OR_RETURN(SubjectRecord * s, work_.subjects.Edit(survivor));
  HT_ASSIGN_OR_RETURN(SubjectRecord * m, work_.subjects.Edit(merged));
  for (const std::string& item : m->accounts) s->accounts.Add(item);
  for (const std::string& item : m->constraints) s->constraints.Add(item);
  for (const std::string& item : m->links) s->links.Add(item);
  s->referrals += m->referrals;
  s->aliases.Add(merged);
  const std::vector<std::string> aliases = m->aliases.items();
  for (const std::string& alias : aliases) {
    s->aliases.Add(alias);
    HT_ASSIGN_OR_RETURN(SubjectRecord * rec, work_.subjects.Edit(alias));
    rec->merged_into = survivor;
  }
  if (s->display_name.empty()) s->display_name = m->display_name;
  how.time = actor.now;
  how.by = actor.by;
  MergeEvent on_survivor = how;
  on_survivor.subject = merged;
  s->merges.push_back(on_survivor);
  MergeEvent on_merged = how;
  on_merged.into = survivor;
  m->merged_into = survivor;
  m->merged = on_merged;
  m->accounts.Clear();
  m->aliases.Clear();
  m->referrals = 0;
  return survivor;
}

Result<std::vector<std::string>> Linker::FamilyNodes(const std::string& root) {
  HT_ASSIGN_OR_RETURN(const SubjectRecord* rec, work_.subjects.Require(root));
  std::vector<std::string> nodes{SubjectNode(root)};
  for (const std::string& alias : rec->aliases) nodes.push_back(SubjectNode(alias));
  for (const std::string& account : rec->accounts) nodes.push_back(account);
  return nodes;
}

Result<std::optional<std::string>> Linker::Blocking(const std::string& a, const std::string& b) {
  HT_ASSIGN_OR_RETURN(const SubjectRecord* ra, work_.subjects.Require(a));
  HT_ASSIGN_OR_RETURN(const SubjectRecord* rb, work_.subjects.Require(b));
  std::vector<std::string> ids;
  for (const SubjectRecord* rec : {ra, rb}) {
    for (const std::string& c : rec->constraints) ids.push_back(c);
  }
  if (ids.empty()) return std::optional<std::string>();
  HT_ASSIGN_OR_RETURN(auto na, FamilyNodes(a));
  HT_ASSIGN_OR_RETURN(auto nb, FamilyNodes(b));
  const std::set<std::string> set_a(na.begin(), na.end()), set_b(nb.begin(), nb.end());
  auto touches = [](const std::vector<std::string>& side, const std::set<std::string>& nodes) {
    return std::any_of(side.begin(), side.end(), [&](const std::string& n) { return nodes.count(n) > 0; });
  };
  for (const std::string& id : ids) {
    HT_ASSIGN_OR_RETURN(const LinkRecord* c, work_.links.Find(id));
    if (c == nullptr || !c->active) continue;
    if ((touches(c->left, set_a) && touches(c->right, set_b)) || (touches(c->right, set_a) && touches(c->left, set_b))) {
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
  HT_ASSIGN_OR_RETURN(const IpAddressRecord* found, work_.ip_addresses.Find(key));
  if (found == nullptr) {
    IpAddressRecord fresh;
    fresh.key = key;
    fresh.value = ip;
    work_.ip_addresses.Put(key, std::move(fresh));
  }
  HT_ASSIGN_OR_RETURN(const std::string subject, SubjectOfAccount(account_id));
  HT_ASSIGN_OR_RETURN(IpAddressRecord * rec, work_.ip_addresses.Edit(key));
  if (!rec->shared) {
    std::set<std::string> subjects{subject};
    std::unordered_map<std::string, bool> candidates;  // other account -> proxy flagged
    for (const IpSighting& s : rec->sightings) {
      if (std::llabs(s.time - time) > options_.ip_window_seconds) continue;
      auto other_subject = SubjectOfAccount(s.account);
      if (!other_subject.ok()) continue;
      subjects.insert(*other_subject);
      if (*other_subject != subject && s.account != account_id) candidates[s.account] = candidates[s.account] || s.proxy;
    }
    if (static_cast<int>(subjects.size()) > options_.max_subjects_per_ip) {
      rec->shared = true;
      rec->shared_since = time;
      rec->shared_reason = "seen with " + std::to_string(subjects.size()) + " subjects within " +
                           std::to_string(options_.ip_window_seconds / 3600) + " h (carrier NAT, VPN or proxy)";
    } else {
      for (const auto& [other, other_proxy] : candidates) {
        const std::string link_key = PossibleLinkKey(ip, account_id, other);
        HT_ASSIGN_OR_RETURN(const PossibleLinkRecord* existing, work_.possible_links.Find(link_key));
        if (existing == nullptr) {
          PossibleLinkRecord p;
          p.key = link_key;
          p.basis = "ip";
          p.ip = ip;
          p.accounts = {std::min(account_id, other), std::max(account_id, other)};
          p.first = p.last = time;
          work_.possible_links.Put(link_key, std::move(p));
        }
        HT_ASSIGN_OR_RETURN(PossibleLinkRecord * link, work_.possible_links.Edit(link_key));
        link->first = std::min(link->first, time);
        link->last = std::max(link->last, time);
        ++link->count;
        link->proxy = link->proxy || proxy || other_proxy;
        for (const std::string& acc : {account_id, other}) {
          HT_ASSIGN_OR_RETURN(AccountRecord * a, work_.accounts.Edit(acc));
          a->possible_links.Add(link_key);
        }
        links.push_back(link_key);
      }
    }
    HT_ASSIGN_OR_RETURN(rec, work_.ip_addresses.Edit(key));
  }
  rec->sightings.push_back(IpSighting{time, account_id, referral_id, port, proxy});
  if (rec->sightings.size() > options_.max_ip_sightings) {
    std::stable_sort(rec->sightings.begin(), rec->sightings.end(),
                     [](const IpSighting& x, const IpSighting& y) { return x.time < y.time; });
    rec->sightings.erase(rec->sightings.begin(),
                         rec->sightings.begin() + static_cast<std::ptrdiff_t>(rec->sightings.size() - options_.max_ip_sightings));
  }
  // The account remembers the addresses it used.
  HT_ASSIGN_OR_RETURN(AccountRecord * account, work_.accounts.Edit(account_id));
  auto it = std::find_if(account->identifiers.begin(), account->identifiers.end(),
                         [&](const AccountIdentifier& e) { return e.key == key; });
  if (it == account->identifiers.end()) {
    account->identifiers.push_back(AccountIdentifier{key, "ip", ip, time, time, referral_id});
  } else {
    it->first_seen = std::min(it->first_seen, time);
    it->last_seen = std::max(it->last_seen.value_or(time), time);
  }
  return links;
}

}  // namespace hashtriage::engine::subjects

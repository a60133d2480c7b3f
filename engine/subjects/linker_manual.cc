// Linker, manual part: `subject link` / `subject unlink`, and re-deriving a subject's components when
// an unlink separates what automatic linking had merged. The re-derivation replays the evidence in a
// fixed order (founder accounts, manual links, shared strong identifiers) through a union-find that
// refuses any union a do-not-merge constraint forbids.
#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "engine/subjects/linker.h"
#include "engine/subjects/subject_records.h"

namespace hashtriage::engine::subjects {

namespace {

using Json = nlohmann::json;

bool IsFounderKind(const std::string& kind) { return kind == "founder" || kind == "manual" || kind == "split"; }

bool Touches(const Json& side, const std::set<std::string>& nodes) {
  return std::any_of(side.begin(), side.end(), [&](const Json& n) { return nodes.count(n.get<std::string>()) > 0; });
}

// Union-find over node indices; each root keeps its members for constraint checks.
struct Components {
  std::vector<std::size_t> parent;
  std::vector<std::vector<std::size_t>> members;
  explicit Components(std::size_t n) : parent(n), members(n) {
    std::iota(parent.begin(), parent.end(), 0);
    for (std::size_t i = 0; i < n; ++i) members[i] = {i};
  }
  std::size_t Find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Union(std::size_t a, std::size_t b) {
    a = Find(a);
    b = Find(b);
    if (members[a].size() < members[b].size()) std::swap(a, b);
    parent[b] = a;
    members[a].insert(members[a].end(), members[b].begin(), members[b].end());
    members[b].clear();
  }
};

}  // namespace

Result<Linker::Node> Linker::ResolveNode(const std::string& id) {
  HT_ASSIGN_OR_RETURN(const Json* subject, cache_.Find(Table::kSubjects, id));
  if (subject != nullptr) {
    HT_ASSIGN_OR_RETURN(std::string root, Resolve(id));
    return Node{SubjectNode(id), root};
  }
  HT_ASSIGN_OR_RETURN(const Json* account, cache_.Find(Table::kAccounts, id));
  if (account != nullptr) {
    HT_ASSIGN_OR_RETURN(std::string root, SubjectOfAccount(id));
    return Node{id, root};
  }
  return Status::NotFound("no subject or account '" + id + "'");
}

Result<std::vector<std::string>> Linker::SubjectFounders(const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(std::string root, Resolve(subject_id));
  HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Require(Table::kSubjects, root, "subject"));
  std::vector<std::string> founders;
  for (const auto& a : ListField(*rec, "accounts")) {
    HT_ASSIGN_OR_RETURN(const Json* account, cache_.Require(Table::kAccounts, a.get<std::string>(), "account"));
    if (StringField(*account, "home") == subject_id &&
        IsFounderKind(StringField(account->value("joined", Json::object()), "kind"))) {
      founders.push_back(a.get<std::string>());
    }
  }
  return founders;
}

Result<std::string> Linker::Link(const std::string& a, const std::string& b, const std::string& reason,
                                 const Actor& actor) {
  HT_ASSIGN_OR_RETURN(Node na, ResolveNode(a));
  HT_ASSIGN_OR_RETURN(Node nb, ResolveNode(b));
  if (na.root == nb.root) return Status::InvalidArgument(a + " and " + b + " are already one subject (" + na.root + ")");
  HT_ASSIGN_OR_RETURN(std::uint64_t n, cache_.NextId(kLinkCounter));
  const std::string id = FormatId('L', n);
  cache_.Put(Table::kLinks, id,
             Json{{"id", id}, {"type", "link"}, {"a", a}, {"b", b}, {"nodes", Json::array({na.node, nb.node})},
                  {"reason", reason}, {"by", actor.by}, {"time", actor.now}, {"active", true}});
  // A person's decision to link overrides an earlier decision to keep these two apart.
  HT_ASSIGN_OR_RETURN(auto nodes_a, FamilyNodes(na.root));
  HT_ASSIGN_OR_RETURN(auto nodes_b, FamilyNodes(nb.root));
  const std::set<std::string> set_a(nodes_a.begin(), nodes_a.end()), set_b(nodes_b.begin(), nodes_b.end());
  for (const std::string& root : {na.root, nb.root}) {
    HT_ASSIGN_OR_RETURN(Json * subject, cache_.Edit(Table::kSubjects, root));
    const Json constraints = ListField(*subject, "constraints");
    for (const auto& c : constraints) {
      HT_ASSIGN_OR_RETURN(Json * rec, cache_.Edit(Table::kLinks, c.get<std::string>()));
      const Json& left = ListField(*rec, "left");
      const Json& right = ListField(*rec, "right");
      if (!((Touches(left, set_a) && Touches(right, set_b)) || (Touches(right, set_a) && Touches(left, set_b)))) continue;
      (*rec)["active"] = false;
      (*rec)["revoked_by"] = id;
      (*rec)["revoked_at"] = actor.now;
      ListRemove((*subject)["constraints"], c.get<std::string>());
    }
    ListAdd((*subject)["links"], id);
  }
  return Merge(na.root, nb.root, Json{{"kind", "link"}, {"link", id}, {"reason", reason}}, actor);
}

Result<UnlinkOutcome> Linker::Unlink(const std::string& a, const std::string& b, const std::string& reason,
                                     const Actor& actor) {
  HT_ASSIGN_OR_RETURN(Node na, ResolveNode(a));
  HT_ASSIGN_OR_RETURN(Node nb, ResolveNode(b));
  auto side = [&](const Node& node) -> Result<std::vector<std::string>> {
    std::vector<std::string> nodes{node.node};
    if (IsSubjectNode(node.node)) {
      HT_ASSIGN_OR_RETURN(auto founders, SubjectFounders(std::string(SubjectOfNode(node.node))));
      nodes.insert(nodes.end(), founders.begin(), founders.end());
    }
    return nodes;
  };
  HT_ASSIGN_OR_RETURN(auto left, side(na));
  HT_ASSIGN_OR_RETURN(auto right, side(nb));
  const std::set<std::string> left_set(left.begin(), left.end()), right_set(right.begin(), right.end());
  for (const auto& n : right) {
    if (left_set.count(n)) return Status::InvalidArgument(a + " and " + b + " name the same account or subject");
  }
  HT_ASSIGN_OR_RETURN(std::uint64_t n, cache_.NextId(kLinkCounter));
  UnlinkOutcome out;
  out.constraint_id = FormatId('L', n);
  cache_.Put(Table::kLinks, out.constraint_id,
             Json{{"id", out.constraint_id}, {"type", "nolink"}, {"a", a}, {"b", b}, {"left", left}, {"right", right},
                  {"reason", reason}, {"by", actor.by}, {"time", actor.now}, {"active", true}});
  for (const std::string& root : {na.root, nb.root}) {
    HT_ASSIGN_OR_RETURN(Json * subject, cache_.Edit(Table::kSubjects, root));
    ListAdd((*subject)["constraints"], out.constraint_id);
    for (const auto& l : ListField(*subject, "links")) {
      HT_ASSIGN_OR_RETURN(Json * link, cache_.Edit(Table::kLinks, l.get<std::string>()));
      const Json& nodes = ListField(*link, "nodes");
      if (!link->value("active", false) || nodes.size() != 2) continue;
      const std::string n0 = nodes[0].get<std::string>(), n1 = nodes[1].get<std::string>();
      if ((left_set.count(n0) && right_set.count(n1)) || (left_set.count(n1) && right_set.count(n0))) {
        (*link)["active"] = false;
        (*link)["revoked_by"] = out.constraint_id;
        (*link)["revoked_at"] = actor.now;
      }
    }
  }
  if (na.root != nb.root) return out;
  out.split = true;
  HT_ASSIGN_OR_RETURN(out.subjects, Rebuild(na.root, actor));
  return out;
}

Result<std::vector<std::string>> Linker::Rebuild(const std::string& root, const Actor& actor) {
  HT_ASSIGN_OR_RETURN(const Json* root_rec, cache_.Require(Table::kSubjects, root, "subject"));
  const Json root_copy = *root_rec;
  std::vector<std::string> nodes;
  std::map<std::string, std::size_t> index;
  auto add_node = [&](const std::string& node) {
    if (index.emplace(node, nodes.size()).second) nodes.push_back(node);
  };
  add_node(SubjectNode(root));
  for (const auto& alias : ListField(root_copy, "aliases")) add_node(SubjectNode(alias.get<std::string>()));
  std::vector<std::string> accounts;
  for (const auto& a : ListField(root_copy, "accounts")) {
    accounts.push_back(a.get<std::string>());
    add_node(accounts.back());
  }

  struct Edge {
    std::string u, v;
    Json why;
  };
  std::vector<Edge> edges;
  std::map<std::string, std::vector<std::string>> by_identifier;
  for (const std::string& a : accounts) {
    HT_ASSIGN_OR_RETURN(const Json* acc, cache_.Require(Table::kAccounts, a, "account"));
    const Json joined = acc->value("joined", Json::object());
    const std::string home = StringField(*acc, "home");
    if (IsFounderKind(StringField(joined, "kind")) && index.count(SubjectNode(home))) {
      edges.push_back({a, SubjectNode(home), joined});
    }
    for (const auto& id : ListField(*acc, "identifiers")) {
      auto kind = ingest::ParseIdentifierKind(StringField(id, "kind"));
      if (kind && ingest::Identifier{*kind, StringField(id, "value")}.strong()) {
        by_identifier[StringField(id, "key")].push_back(a);
      }
    }
  }
  for (const auto& l : ListField(root_copy, "links")) {
    HT_ASSIGN_OR_RETURN(const Json* link, cache_.Find(Table::kLinks, l.get<std::string>()));
    if (link == nullptr || !link->value("active", false)) continue;
    const Json& ends = ListField(*link, "nodes");
    if (ends.size() == 2 && index.count(ends[0].get<std::string>()) && index.count(ends[1].get<std::string>())) {
      edges.push_back({ends[0].get<std::string>(), ends[1].get<std::string>(),
                       Json{{"kind", "link"}, {"link", l}, {"time", IntField(*link, "time")}}});
    }
  }
  for (const auto& [key, holders] : by_identifier) {
    for (std::size_t i = 1; i < holders.size(); ++i) {
      edges.push_back({holders[0], holders[i], Json{{"kind", "identifier"}, {"identifier", key}, {"time", actor.now}}});
    }
  }
  // Active constraints as node-index sets.
  std::vector<std::pair<std::set<std::size_t>, std::set<std::size_t>>> constraints;
  for (const auto& c : ListField(root_copy, "constraints")) {
    HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Find(Table::kLinks, c.get<std::string>()));
    if (rec == nullptr || !rec->value("active", false)) continue;
    std::pair<std::set<std::size_t>, std::set<std::size_t>> sides;
    for (const auto& n : ListField(*rec, "left")) {
      if (index.count(n.get<std::string>())) sides.first.insert(index[n.get<std::string>()]);
    }
    for (const auto& n : ListField(*rec, "right")) {
      if (index.count(n.get<std::string>())) sides.second.insert(index[n.get<std::string>()]);
    }
    constraints.push_back(std::move(sides));
  }

  Components comps(nodes.size());
  auto forbidden = [&](std::size_t ca, std::size_t cb) {
    auto hits = [&](std::size_t c, const std::set<std::size_t>& side) {
      return std::any_of(comps.members[c].begin(), comps.members[c].end(), [&](std::size_t m) { return side.count(m) > 0; });
    };
    return std::any_of(constraints.begin(), constraints.end(), [&](const auto& s) {
      return (hits(ca, s.first) && hits(cb, s.second)) || (hits(ca, s.second) && hits(cb, s.first));
    });
  };
  std::map<std::string, Json> joined;  // account -> how it joined its component
  for (const Edge& e : edges) {
    const std::size_t cu = comps.Find(index[e.u]), cv = comps.Find(index[e.v]);
    if (cu == cv || forbidden(cu, cv)) continue;
    comps.Union(cu, cv);
    Json why = e.why;
    if (!IsSubjectNode(e.v) && !joined.count(e.v)) {
      if (!IsSubjectNode(e.u)) why["with"] = e.u;
      joined[e.v] = why;
    } else if (!IsSubjectNode(e.u) && !joined.count(e.u)) {
      if (!IsSubjectNode(e.v)) why["with"] = e.v;
      joined[e.u] = why;
    }
  }

  // One root subject per component: the oldest subject id in it, or a new subject.
  std::map<std::size_t, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < nodes.size(); ++i) groups[comps.Find(i)].push_back(i);
  std::vector<std::string> roots;
  for (auto& [rep, members] : groups) {
    std::vector<std::pair<std::int64_t, std::string>> subjects;
    std::vector<std::string> members_accounts;
    for (std::size_t m : members) {
      if (IsSubjectNode(nodes[m])) {
        const std::string id(SubjectOfNode(nodes[m]));
        HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Require(Table::kSubjects, id, "subject"));
        subjects.emplace_back(IntField(*rec, "created"), id);
      } else {
        members_accounts.push_back(nodes[m]);
      }
    }
    std::sort(subjects.begin(), subjects.end());
    std::string survivor;
    if (subjects.empty()) {
      HT_ASSIGN_OR_RETURN(survivor, CreateSubject("", "split:" + root, "", actor.now));
      const std::string& founder = members_accounts.front();
      HT_ASSIGN_OR_RETURN(Json * acc, cache_.Edit(Table::kAccounts, founder));
      (*acc)["home"] = survivor;
      joined[founder] = Json{{"kind", "split"}, {"from", root}, {"time", actor.now}};
    } else {
      survivor = subjects.front().second;
    }
    std::set<std::string> member_nodes;
    for (std::size_t m : members) member_nodes.insert(nodes[m]);
    HT_ASSIGN_OR_RETURN(Json * s, cache_.Edit(Table::kSubjects, survivor));
    s->erase("merged_into");
    s->erase("merged");
    (*s)["accounts"] = members_accounts;
    (*s)["aliases"] = Json::array();
    (*s)["constraints"] = Json::array();
    (*s)["links"] = Json::array();
    for (const char* list : {"constraints", "links"}) {
      for (const auto& id : ListField(root_copy, list)) {
        HT_ASSIGN_OR_RETURN(const Json* rec, cache_.Find(Table::kLinks, id.get<std::string>()));
        if (rec == nullptr) continue;
        const bool touches = Touches(ListField(*rec, "left"), member_nodes) ||
                             Touches(ListField(*rec, "right"), member_nodes) ||
                             Touches(ListField(*rec, "nodes"), member_nodes);
        if (touches) ListAdd((*s)[list], id.get<std::string>());
      }
    }
    if (!(*s)["merges"].is_array()) (*s)["merges"] = Json::array();
    (*s)["merges"].push_back(Json{{"kind", "split"}, {"subject", root}, {"time", actor.now}, {"by", actor.by}});
    if (StringField(*s, "display_name").empty() && !members_accounts.empty()) {
      HT_ASSIGN_OR_RETURN(const Json* acc, cache_.Require(Table::kAccounts, members_accounts.front(), "account"));
      for (const auto& id : ListField(*acc, "identifiers")) {
        if (StringField(id, "kind") != "ip") {
          (*s)["display_name"] = StringField(id, "value");
          break;
        }
      }
    }
    for (std::size_t i = 1; i < subjects.size(); ++i) {
      ListAdd((*s)["aliases"], subjects[i].second);
      HT_ASSIGN_OR_RETURN(Json * other, cache_.Edit(Table::kSubjects, subjects[i].second));
      (*other)["merged_into"] = survivor;
      (*other)["accounts"] = Json::array();
      (*other)["aliases"] = Json::array();
    }
    for (const std::string& a : members_accounts) {
      HT_ASSIGN_OR_RETURN(Json * acc, cache_.Edit(Table::kAccounts, a));
      (*acc)["subject"] = survivor;
      auto it = joined.find(a);
      const Json old = acc->value("joined", Json::object());
      if (it != joined.end() && (StringField(old, "kind") != StringField(it->second, "kind") ||
                                 StringField(old, "identifier") != StringField(it->second, "identifier") ||
                                 StringField(old, "with") != StringField(it->second, "with"))) {
        (*acc)["joined"] = it->second;
      }
    }
    roots.push_back(survivor);
  }
  HT_RETURN_IF_ERROR(RefreshIdentifierHints(accounts));
  return roots;
}

Status Linker::RefreshIdentifierHints(const std::vector<std::string>& accounts) {
  std::set<std::string> keys;
  for (const std::string& a : accounts) {
    HT_ASSIGN_OR_RETURN(const Json* acc, cache_.Require(Table::kAccounts, a, "account"));
    for (const auto& id : ListField(*acc, "identifiers")) {
      if (StringField(id, "kind") != "ip") keys.insert(StringField(id, "key"));
    }
  }
  for (const std::string& key : keys) {
    HT_ASSIGN_OR_RETURN(Json * rec, cache_.Edit(Table::kIdentifiers, key));
    Json subjects = Json::array();
    for (const auto& a : ListField(*rec, "accounts")) {
      HT_ASSIGN_OR_RETURN(std::string root, SubjectOfAccount(a.get<std::string>()));
      ListAdd(subjects, root);
    }
    (*rec)["subjects"] = std::move(subjects);
  }
  return Status::Ok();
}

}  // namespace hashtriage::engine::subjects

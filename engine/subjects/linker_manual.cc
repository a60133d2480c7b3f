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

bool IsFounderKind(const std::string& kind) { return kind == "founder" || kind == "manual" || kind == "split"; }

bool Touches(const std::vector<std::string>& side, const std::set<std::string>& nodes) {
  return std::any_of(side.begin(), side.end(), [&](const std::string& n) { return nodes.count(n) > 0; });
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

std::string JoinKind(const AccountRecord& a) { return a.joined ? a.joined->kind : ""; }

}  // namespace

Result<Linker::Node> Linker::ResolveNode(const std::string& id) {
  HT_ASSIGN_OR_RETURN(const SubjectRecord* subject, work_.subjects.Find(id));
  if (subject != nullptr) {
    HT_ASSIGN_OR_RETURN(std::string root, Resolve(id));
    return Node{SubjectNode(id), root};
  }
  HT_ASSIGN_OR_RETURN(const AccountRecord* account, work_.accounts.Find(id));
  if (account != nullptr) {
    HT_ASSIGN_OR_RETURN(std::string root, SubjectOfAccount(id));
    return Node{id, root};
  }
  return Status::NotFound("no subject or account '" + id + "'");
}

Result<std::vector<std::string>> Linker::SubjectFounders(const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(std::string root, Resolve(subject_id));
  HT_ASSIGN_OR_RETURN(const SubjectRecord* rec, work_.subjects.Require(root));
  std::vector<std::string> founders;
  for (const std::string& a : rec->accounts) {
    HT_ASSIGN_OR_RETURN(const AccountRecord* account, work_.accounts.Require(a));
    if (account->home == subject_id && IsFounderKind(JoinKind(*account))) founders.push_back(a);
  }
  return founders;
}

Result<std::string> Linker::Link(const std::string& a, const std::string& b, const std::string& reason,
                                 const Actor& actor) {
  HT_ASSIGN_OR_RETURN(Node na, ResolveNode(a));
  HT_ASSIGN_OR_RETURN(Node nb, ResolveNode(b));
  if (na.root == nb.root) return Status::InvalidArgument(a + " and " + b + " are already one subject (" + na.root + ")");
  HT_ASSIGN_OR_RETURN(std::uint64_t n, work_.NextId(kLinkCounter));
  LinkRecord link;
  link.id = FormatId('L', n);
  link.type = "link";
  link.a = a;
  link.b = b;
  link.nodes = {na.node, nb.node};
  link.reason = reason;
  link.by = actor.by;
  link.time = actor.now;
  const std::string id = link.id;
  work_.links.Put(id, std::move(link));
  // A person's decision to link overrides an earlier decision to keep these two apart.
  HT_ASSIGN_OR_RETURN(auto nodes_a, FamilyNodes(na.root));
  HT_ASSIGN_OR_RETURN(auto nodes_b, FamilyNodes(nb.root));
  const std::set<std::string> set_a(nodes_a.begin(), nodes_a.end()), set_b(nodes_b.begin(), nodes_b.end());
  for (const std::string& root : {na.root, nb.root}) {
    HT_ASSIGN_OR_RETURN(SubjectRecord * subject, work_.subjects.Edit(root));
    const std::vector<std::string> constraints = subject->constraints.items();
    for (const std::string& c : constraints) {
      HT_ASSIGN_OR_RETURN(LinkRecord * rec, work_.links.Edit(c));
      if (!((Touches(rec->left, set_a) && Touches(rec->right, set_b)) ||
            (Touches(rec->right, set_a) && Touches(rec->left, set_b)))) {
        continue;
      }
      rec->active = false;
      rec->revoked_by = id;
      rec->revoked_at = actor.now;
      subject->constraints.Remove(c);
    }
    subject->links.Add(id);
  }
  MergeEvent how;
  how.kind = "link";
  how.link = id;
  how.reason = reason;
  return Merge(na.root, nb.root, how, actor);
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
  HT_ASSIGN_OR_RETURN(std::uint64_t n, work_.NextId(kLinkCounter));
  UnlinkOutcome out;
  out.constraint_id = FormatId('L', n);
  LinkRecord constraint;
  constraint.id = out.constraint_id;
  constraint.type = "nolink";
  constraint.a = a;
  constraint.b = b;
  constraint.left = left;
  constraint.right = right;
  constraint.reason = reason;
  constraint.by = actor.by;
  constraint.time = actor.now;
  work_.links.Put(out.constraint_id, std::move(constraint));
  for (const std::string& root : {na.root, nb.root}) {
    HT_ASSIGN_OR_RETURN(SubjectRecord * subject, work_.subjects.Edit(root));
    subject->constraints.Add(out.constraint_id);
    for (const std::string& l : subject->links) {
      HT_ASSIGN_OR_RETURN(LinkRecord * link, work_.links.Edit(l));
      if (!link->active || link->nodes.size() != 2) continue;
      const std::string& n0 = link->nodes[0];
      const std::string& n1 = link->nodes[1];
      if ((left_set.count(n0) && right_set.count(n1)) || (left_set.count(n1) && right_set.count(n0))) {
        link->active = false;
        link->revoked_by = out.constraint_id;
        link->revoked_at = actor.now;
      }
    }
  }
  if (na.root != nb.root) return out;
  out.split = true;
  HT_ASSIGN_OR_RETURN(out.subjects, Rebuild(na.root, actor));
  return out;
}

Result<std::vector<std::string>> Linker::Rebuild(const std::string& root, const Actor& actor) {
  HT_ASSIGN_OR_RETURN(const SubjectRecord* root_rec, work_.subjects.Require(root));
  const SubjectRecord root_copy = *root_rec;
  std::vector<std::string> nodes;
  std::map<std::string, std::size_t> index;
  auto add_node = [&](const std::string& node) {
    if (index.emplace(node, nodes.size()).second) nodes.push_back(node);
  };
  add_node(SubjectNode(root));
  for (const std::string& alias : root_copy.aliases) add_node(SubjectNode(alias));
  const std::vector<std::string> accounts = root_copy.accounts.items();
  for (const std::string& a : accounts) add_node(a);

  struct Edge {
    std::string u, v;
    JoinInfo why;
  };
  std::vector<Edge> edges;
  std::map<std::string, std::vector<std::string>> by_identifier;
  for (const std::string& a : accounts) {
    HT_ASSIGN_OR_RETURN(const AccountRecord* acc, work_.accounts.Require(a));
    if (acc->joined && IsFounderKind(acc->joined->kind) && index.count(SubjectNode(acc->home))) {
      edges.push_back({a, SubjectNode(acc->home), *acc->joined});
    }
    for (const AccountIdentifier& id : acc->identifiers) {
      auto kind = ingest::ParseIdentifierKind(id.kind);
      if (kind && ingest::Identifier{*kind, id.value}.strong()) by_identifier[id.key].push_back(a);
    }
  }
  for (const std::string& l : root_copy.links) {
    HT_ASSIGN_OR_RETURN(const LinkRecord* link, work_.links.Find(l));
    if (link == nullptr || !link->active) continue;
    if (link->nodes.size() == 2 && index.count(link->nodes[0]) && index.count(link->nodes[1])) {
      JoinInfo why;
      why.kind = "link";
      why.link = l;
      why.time = link->time;
      edges.push_back({link->nodes[0], link->nodes[1], why});
    }
  }
  for (const auto& [key, holders] : by_identifier) {
    for (std::size_t i = 1; i < holders.size(); ++i) {
      JoinInfo why;
      why.kind = "identifier";
      why.identifier = key;
      why.time = actor.now;
      edges.push_back({holders[0], holders[i], why});
    }
  }
  // Active constraints as node-index sets.
  std::vector<std::pair<std::set<std::size_t>, std::set<std::size_t>>> constraints;
  for (const std::string& c : root_copy.constraints) {
    HT_ASSIGN_OR_RETURN(const LinkRecord* rec, work_.links.Find(c));
    if (rec == nullptr || !rec->active) continue;
    std::pair<std::set<std::size_t>, std::set<std::size_t>> sides;
    for (const std::string& n : rec->left) {
      if (index.count(n)) sides.first.insert(index[n]);
    }
    for (const std::string& n : rec->right) {
      if (index.count(n)) sides.second.insert(index[n]);
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
  std::map<std::string, JoinInfo> joined;  // account -> how it joined its component
  for (const Edge& e : edges) {
    const std::size_t cu = comps.Find(index[e.u]), cv = comps.Find(index[e.v]);
    if (cu == cv || forbidden(cu, cv)) continue;
    comps.Union(cu, cv);
    JoinInfo why = e.why;
    if (!IsSubjectNode(e.v) && !joined.count(e.v)) {
      if (!IsSubjectNode(e.u)) why.with = e.u;
      joined[e.v] = why;
    } else if (!IsSubjectNode(e.u) && !joined.count(e.u)) {
      if (!IsSubjectNode(e.v)) why.with = e.v;
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
        HT_ASSIGN_OR_RETURN(const SubjectRecord* rec, work_.subjects.Require(id));
        subjects.emplace_back(rec->created, id);
      } else {
        members_accounts.push_back(nodes[m]);
      }
    }
    std::sort(subjects.begin(), subjects.end());
    std::string survivor;
    if (subjects.empty()) {
      HT_ASSIGN_OR_RETURN(survivor, CreateSubject("", "split:" + root, "", actor.now));
      const std::string& founder = members_accounts.front();
      HT_ASSIGN_OR_RETURN(AccountRecord * acc, work_.accounts.Edit(founder));
      acc->home = survivor;
      JoinInfo split;
      split.kind = "split";
      split.from = root;
      split.time = actor.now;
      joined[founder] = split;
    } else {
      survivor = subjects.front().second;
    }
    std::set<std::string> member_nodes;
    for (std::size_t m : members) member_nodes.insert(nodes[m]);
    std::uint64_t referrals = 0;
    for (const std::string& a : members_accounts) {
      HT_ASSIGN_OR_RETURN(const AccountRecord* acc, work_.accounts.Require(a));
      referrals += acc->referrals.size();
    }
    HT_ASSIGN_OR_RETURN(SubjectRecord * s, work_.subjects.Edit(survivor));
    s->merged_into.clear();
    s->merged.reset();
    s->accounts = IdList(members_accounts);
    s->aliases.Clear();
    s->constraints.Clear();
    s->links.Clear();
    s->referrals = referrals;
    for (const IdList* list : {&root_copy.constraints, &root_copy.links}) {
      for (const std::string& id : *list) {
        HT_ASSIGN_OR_RETURN(const LinkRecord* rec, work_.links.Find(id));
        if (rec == nullptr) continue;
        const bool touches = Touches(rec->left, member_nodes) || Touches(rec->right, member_nodes) ||
                             Touches(rec->nodes, member_nodes);
        if (!touches) continue;
        (list == &root_copy.constraints ? s->constraints : s->links).Add(id);
      }
    }
    MergeEvent split;
    split.kind = "split";
    split.subject = root;
    split.time = actor.now;
    split.by = actor.by;
    s->merges.push_back(split);
    if (s->display_name.empty() && !members_accounts.empty()) {
      HT_ASSIGN_OR_RETURN(const AccountRecord* acc, work_.accounts.Require(members_accounts.front()));
      for (const AccountIdentifier& id : acc->identifiers) {
        if (id.kind != "ip") {
          s->display_name = id.value;
          break;
        }
      }
    }
    for (std::size_t i = 1; i < subjects.size(); ++i) {
      s->aliases.Add(subjects[i].second);
      HT_ASSIGN_OR_RETURN(SubjectRecord * other, work_.subjects.Edit(subjects[i].second));
      other->merged_into = survivor;
      other->accounts.Clear();
      other->aliases.Clear();
      other->referrals = 0;
    }
    for (const std::string& a : members_accounts) {
      HT_ASSIGN_OR_RETURN(AccountRecord * acc, work_.accounts.Edit(a));
      acc->subject = survivor;
      auto it = joined.find(a);
      if (it == joined.end()) continue;
      const JoinInfo old = acc->joined.value_or(JoinInfo{});
      if (old.kind != it->second.kind || old.identifier != it->second.identifier || old.with != it->second.with) {
        acc->joined = it->second;
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
    HT_ASSIGN_OR_RETURN(const AccountRecord* acc, work_.accounts.Require(a));
    for (const AccountIdentifier& id : acc->identifiers) {
      if (id.kind != "ip") keys.insert(id.key);
    }
  }
  for (const std::string& key : keys) {
    HT_ASSIGN_OR_RETURN(const IdentifierRecord* found, work_.identifiers.Require(key));
    IdList subjects;
    for (const std::string& a : found->accounts) {
      HT_ASSIGN_OR_RETURN(std::string root, SubjectOfAccount(a));
      subjects.Add(root);
    }
    HT_ASSIGN_OR_RETURN(IdentifierRecord * rec, work_.identifiers.Edit(key));
    rec->subjects = std::move(subjects);
  }
  return Status::Ok();
}

}  // namespace hashtriage::engine::subjects

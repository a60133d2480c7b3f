#include "engine/subjects/subject_evidence.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "engine/subjects/linker.h"
#include "engine/subjects/subject_workspace.h"

namespace hashtriage::engine::subjects {

namespace {

// One matched membership of one file, with every digest that identifies the file.
struct Candidate {
  HitEvidence hit;
  std::vector<std::string> digests;
};

std::vector<std::string> Digests(std::initializer_list<std::pair<const char*, std::string>> values) {
  std::vector<std::string> out;
  for (const auto& [kind, value] : values) {
    if (!value.empty()) out.push_back(std::string(kind) + ":" + value);
  }
  return out;
}

void AddCandidates(const std::vector<Hit>& hits, const std::vector<std::string>& digests, const std::string& source,
                   std::vector<Candidate>& out) {
  for (const Hit& h : hits) {
    if (h.category == index::Category::kIgnorable) continue;
    Candidate c;
    c.hit.category = h.category;
    c.hit.kind = h.kind;
    c.hit.set = h.set;
    c.hit.distance = h.distance;
    c.hit.source = source;
    c.hit.content = digests.empty() ? source : digests.front();
    c.digests = digests;
    out.push_back(std::move(c));
  }
}

// One hit per image: candidates sharing any digest are one image; the most serious category wins.
std::vector<HitEvidence> Distinct(std::vector<Candidate> candidates) {
  std::unordered_map<std::string, std::size_t> group_of;
  std::vector<HitEvidence> groups;
  for (Candidate& c : candidates) {
    std::optional<std::size_t> group;
    for (const auto& d : c.digests) {
      auto it = group_of.find(d);
      if (it != group_of.end()) {
        group = it->second;
        break;
      }
    }
    if (!group) {
      group = groups.size();
      groups.push_back(c.hit);
    } else if (CategorySeverity(c.hit.category) < CategorySeverity(groups[*group].category)) {
      const std::string content = groups[*group].content;
      groups[*group] = c.hit;
      groups[*group].content = content;
    }
    for (const auto& d : c.digests) group_of.emplace(d, *group);
  }
  return groups;
}

// When `id` became part of `root` (following its chain of merges); 0 for the root itself.
Result<std::int64_t> JoinedAt(SubjectWorkspace& work, const std::string& id, const std::string& root) {
  std::int64_t at = 0;
  std::string current = id;
  for (int hops = 0; hops < 64 && current != root; ++hops) {
    HT_ASSIGN_OR_RETURN(const SubjectRecord* rec, work.subjects.Require(current));
    if (rec->merged) at = std::max(at, rec->merged->time);
    if (rec->merged_into.empty()) break;
    current = rec->merged_into;
  }
  return at;
}

}  // namespace

int CategorySeverity(index::Category category) {
  switch (category) {
    case index::Category::kA: return 0;
    case index::Category::kB: return 1;
    case index::Category::kC: return 2;
    case index::Category::kIndecentUncategorised: return 3;
    case index::Category::kUnknown: return 4;
    case index::Category::kNonIndecent: return 5;
    case index::Category::kIgnorable: return 6;
  }
  return 4;
}

Result<SubjectEvidence> GatherSubjectEvidence(const Case& c, const std::string& subject_id) {
  SubjectWorkspace work(c);
  Linker linker(work);
  SubjectEvidence out;
  HT_ASSIGN_OR_RETURN(out.root, linker.Resolve(subject_id));
  HT_ASSIGN_OR_RETURN(const SubjectRecord* subject, work.subjects.Require(out.root));
  out.subject = *subject;
  out.subject_ids.push_back(out.root);
  out.joined[out.root] = 0;
  for (const std::string& alias : subject->aliases) {
    out.subject_ids.push_back(alias);
    HT_ASSIGN_OR_RETURN(out.joined[alias], JoinedAt(work, alias, out.root));
  }

  std::vector<Candidate> candidates;
  std::set<std::string> seen_referrals;
  for (const std::string& a : out.subject.accounts) {
    HT_ASSIGN_OR_RETURN(const AccountRecord* account, work.accounts.Require(a));
    out.accounts.push_back(*account);
    for (const std::string& r : account->referrals) {
      if (!seen_referrals.insert(r).second) continue;
      HT_ASSIGN_OR_RETURN(auto referral, c.referrals().Get(r));
      if (!referral) return Status::NotFound("referral " + r + " not found");
      out.referrals.push_back(std::move(*referral));
    }
  }
  std::stable_sort(out.referrals.begin(), out.referrals.end(),
                   [](const ReferralRecord& x, const ReferralRecord& y) { return x.ingested_at < y.ingested_at; });
  for (const ReferralRecord& referral : out.referrals) {
    for (const ReferralFileRecord& file : referral.files) {
      AddCandidates(file.hits, Digests({{"md5", file.md5}, {"sha1", file.sha1}, {"sha256", file.sha256}, {"pdq", file.pdq}}),
                    "referral:" + referral.id, candidates);
    }
  }

  // Scans attached to any id of this subject.
  HT_ASSIGN_OR_RETURN(auto evidence, c.evidence().ForSubjects(out.subject_ids));
  for (EvidenceRecord& record : evidence) {
    ScanEvidence scan;
    const std::uint32_t number = record.number;
    HT_RETURN_IF_ERROR(c.evidence().ForEachFile(number, /*with_hits_only=*/true, [&](const FileRecord& file) {
      ++scan.files_with_hits;
      const auto& d = file.digests;
      AddCandidates(file.hits,
                    Digests({{"md5", d.md5 ? d.md5->hex() : ""},
                             {"sha1", d.sha1 ? d.sha1->hex() : ""},
                             {"sha256", d.sha256 ? d.sha256->hex() : ""},
                             {"pdq", file.image ? file.image->pdq.hex() : ""}}),
                    "scan:" + std::to_string(number) + ":" + file.info.path, candidates);
      return true;
    }));
    scan.record = std::move(record);
    out.scans.push_back(std::move(scan));
  }
  out.hits = Distinct(std::move(candidates));
  return out;
}

}  // namespace hashtriage::engine::subjects

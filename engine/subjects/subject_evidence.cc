#include "engine/subjects/subject_evidence.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "engine/record_codec.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/record_cache.h"
#include "engine/subjects/subject_records.h"
#include "engine/time_util.h"

namespace hashtriage::engine::subjects {

namespace {

using Json = nlohmann::json;

// One matched membership of one file, with every digest that identifies the file.
struct Candidate {
  HitEvidence hit;
  std::vector<std::string> digests;
};

// A stored file record with no hits encodes `"hits": []` as CBOR text(4) "hits" + array(0); most
// records of a scan look like that, and skipping them without decoding keeps profiles fast.
bool MayHaveHits(std::string_view cbor) {
  static constexpr std::string_view kKey("\x64hits", 5);
  const std::size_t pos = cbor.find(kKey);
  if (pos == std::string_view::npos) return false;
  return pos + kKey.size() < cbor.size() && cbor[pos + kKey.size()] != '\x80';
}

std::vector<std::string> DigestsOf(const Json& file) {
  std::vector<std::string> out;
  for (const char* kind : {"md5", "sha1", "sha256", "pdq"}) {
    const std::string value = StringField(file, kind);
    if (!value.empty()) out.push_back(std::string(kind) + ":" + value);
  }
  return out;
}

void AddCandidates(const Json& file, const std::string& source, std::vector<Candidate>& out) {
  const std::vector<std::string> digests = DigestsOf(file);
  for (const auto& h : ListField(file, "hits")) {
    Candidate c;
    c.hit.category = index::ParseCategory(StringField(h, "category")).value_or(index::Category::kUnknown);
    if (c.hit.category == index::Category::kIgnorable) continue;
    c.hit.kind = StringField(h, "kind");
    c.hit.set = StringField(h, "set");
    c.hit.distance = static_cast<int>(IntField(h, "distance"));
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

Result<SubjectEvidence> GatherSubjectEvidence(const CaseStore& store, const std::string& subject_id) {
  RecordCache cache(store);
  Linker linker(cache);
  SubjectEvidence out;
  HT_ASSIGN_OR_RETURN(out.root, linker.Resolve(subject_id));
  HT_ASSIGN_OR_RETURN(const Json* subject, cache.Require(Table::kSubjects, out.root, "subject"));
  out.subject = *subject;
  out.subject_ids.push_back(out.root);
  for (const auto& alias : ListField(*subject, "aliases")) out.subject_ids.push_back(alias.get<std::string>());

  std::vector<Candidate> candidates;
  std::set<std::string> seen_referrals;
  for (const auto& a : ListField(*subject, "accounts")) {
    HT_ASSIGN_OR_RETURN(const Json* account, cache.Require(Table::kAccounts, a.get<std::string>(), "account"));
    out.accounts.push_back(*account);
    for (const auto& r : ListField(*account, "referrals")) {
      if (!seen_referrals.insert(r.get<std::string>()).second) continue;
      HT_ASSIGN_OR_RETURN(const Json* referral, cache.Require(Table::kReferrals, r.get<std::string>(), "referral"));
      out.referrals.push_back(*referral);
    }
  }
  std::stable_sort(out.referrals.begin(), out.referrals.end(), [](const Json& x, const Json& y) {
    return IntField(x, "ingested_at") < IntField(y, "ingested_at");
  });
  for (const Json& referral : out.referrals) {
    for (const auto& file : ListField(referral, "files")) AddCandidates(file, "referral:" + StringField(referral, "id"), candidates);
  }

  // Scans attached to any id of this subject.
  Status bad;
  std::vector<Json> evidence;
  HT_RETURN_IF_ERROR(store.Scan(Table::kEvidence, "", [&](std::string_view, std::string_view value) {
    auto record = DecodeRecord(value);
    if (!record.ok()) {
      bad = record.status();
      return false;
    }
    const std::string attached = StringField(*record, "subject");
    if (attached.empty()) return true;
    auto root = linker.Resolve(attached);
    if (root.ok() && *root == out.root) evidence.push_back(std::move(record).value());
    return true;
  }));
  HT_RETURN_IF_ERROR(bad);
  for (Json& record : evidence) {
    ScanEvidence scan;
    const auto number = record.value("number", std::uint32_t{0});
    const std::string started = StringField(record, "started");
    if (auto t = ParseIso8601(started); t.ok()) scan.started = *t;
    HT_RETURN_IF_ERROR(store.Scan(Table::kFiles, EncodeU32(number), [&](std::string_view, std::string_view value) {
      if (!MayHaveHits(value)) return true;
      auto file = DecodeRecord(value);
      if (!file.ok()) {
        bad = file.status();
        return false;
      }
      if (ListField(*file, "hits").empty()) return true;
      ++scan.files_with_hits;
      AddCandidates(*file, "scan:" + std::to_string(number) + ":" + StringField(*file, "path"), candidates);
      return true;
    }));
    HT_RETURN_IF_ERROR(bad);
    scan.record = std::move(record);
    out.scans.push_back(std::move(scan));
  }
  out.hits = Distinct(std::move(candidates));
  return out;
}

}  // namespace hashtriage::engine::subjects

#include "engine/scan/rematch.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/case/audit_log.h"
#include "engine/case/referral_store.h"
#include "engine/matching/known_matcher.h"
#include "engine/scan/geometric_recheck.h"
#include "engine/subjects/rescore_hook.h"
#include "engine/subjects/subject_profiles.h"
#include "hashing/pdq_hash.h"
#include "index/region_matcher.h"

namespace hashtriage::engine {

namespace {

// Changed records per transaction (each with its audit entry).
constexpr std::size_t kRecordsPerBatch = 4096;

struct HitDelta {
  std::uint64_t gained = 0, lost = 0;
  bool changed() const { return gained + lost > 0; }
};

HitDelta Compare(const std::vector<Hit>& before, const std::vector<Hit>& after) {
  std::multiset<std::string> old_ids, new_ids;
  for (const Hit& h : before) old_ids.insert(HitIdentity(h));
  for (const Hit& h : after) new_ids.insert(HitIdentity(h));
  HitDelta d;
  for (const auto& id : new_ids) d.gained += old_ids.count(id) == 0;
  for (const auto& id : old_ids) d.lost += new_ids.count(id) == 0;
  return d;
}

std::string QueryKey(const QueryHashes& q) {
  if (q.sha256) return "sha256:" + q.sha256->hex();
  if (q.md5) return "md5:" + q.md5->hex();
  if (q.pdq) return "pdq:" + q.pdq->hex();
  return "";
}

QueryHashes ReferralQuery(const ReferralFileRecord& f) {
  QueryHashes q;
  if (!f.md5.empty()) {
    if (auto d = hashing::Md5Digest::FromHex(f.md5); d.ok()) q.md5 = *d;
  }
  if (!f.sha1.empty()) {
    if (auto d = hashing::Sha1Digest::FromHex(f.sha1); d.ok()) q.sha1 = *d;
  }
  if (!f.sha256.empty()) {
    if (auto d = hashing::Sha256Digest::FromHex(f.sha256); d.ok()) q.sha256 = *d;
  }
  if (!f.pdq.empty()) {
    if (auto h = hashing::PdqHash::FromHex(f.pdq); h.ok()) q.pdq = *h;
  }
  return q;
}

}  // namespace

Result<EvidenceRematch> RematchEvidence(Case& c, std::uint32_t number, const index::KnownIndex& index,
                                        const IndexStamp& stamp, const CommandContext& context) {
  HT_ASSIGN_OR_RETURN(auto stored, c.evidence().Get(number));
  if (!stored) return Status::NotFound("no evidence " + std::to_string(number));
  EvidenceRecord record = std::move(*stored);
  EvidenceRematch out;
  out.number = number;
  out.id = record.id;
  out.subject = record.subject;
  out.before = record.matched_against;
  VideoMatchOptions video;
  video.query_match = record.settings.vpdq_query_match;
  video.target_match = record.settings.vpdq_target_match;
  const KnownMatcher matcher(index, MatchOptions{record.settings.threshold, record.settings.region_cells, true, video});
  const bool library = index::HasRegionSets(index);
  // Feature sets the pictures met in a scan keep their geometric hits; any other one was never run
  // (engine/scan/geometric_recheck.h: a scan of the evidence runs it).
  std::set<std::string> unchanged_feature_sets;
  bool unseen_feature_sets = false;
  for (const auto& [name, generation] : FeatureSetsOf(index)) {
    auto seen = record.geometric_checked.find(name);
    if (seen != record.geometric_checked.end() && seen->second == generation) {
      unchanged_feature_sets.insert(name);
    } else {
      unseen_feature_sets = true;
    }
  }
  std::unordered_map<std::string, std::vector<Hit>> matched;  // by content, once per run
  auto txn = c.Begin();
  std::size_t staged = 0;
  std::uint64_t batch_changed = 0, batch = 0;
  Status failure;
  auto commit = [&]() -> Status {
    if (staged == 0) return Status::Ok();
    nlohmann::json details{{"action", "rematch batch"}, {"evidence", number}, {"batch", ++batch},
                           {"files_changed", batch_changed}, {"index", stamp.digest}};
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, std::move(details))));
    (void)entry;
    HT_RETURN_IF_ERROR(txn->Commit());
    staged = 0;
    batch_changed = 0;
    return Status::Ok();
  };
  EvidenceCounts counts;
  HT_RETURN_IF_ERROR(c.evidence().ForEachFile(number, false, [&](const FileRecord& file) {
    FileRecord updated = file;
    const std::string key = QueryKey(file.query);
    if (!key.empty() && file.error.find("matching failed") == std::string::npos) {
      if (!file.info.thumbnail) ++out.files_examined;
      auto it = matched.find(key);
      if (it == matched.end()) {
        auto hits = matcher.Match(file.query);
        if (!hits.ok()) {
          failure = hits.status().WithContext("evidence " + std::to_string(number) + ": " + file.info.path);
          return false;
        }
        it = matched.emplace(key, std::move(hits).value()).first;
      }
      updated.hits = it->second;
      for (const Hit& h : file.hits) {
        if (h.kind == MatchKind::kGeometric && unchanged_feature_sets.contains(h.set)) updated.hits.push_back(h);
      }
      const bool no_cells = library && AwaitsRegionCells(updated);
      // Evidence scanned with --no-geometric is not counted: its examiner chose hashes only, and a scan
      // like it would not compare the pictures either.
      const bool not_compared = record.settings.geometric && unseen_feature_sets && AwaitsPictureRecheck(updated);
      out.images_without_region_cells += no_cells;
      out.images_not_checked_geometrically += not_compared;
      out.pictures_not_compared += no_cells || not_compared;
      const HitDelta delta = Compare(file.hits, updated.hits);
      if (delta.changed() || file.hits != updated.hits) {
        out.hits_gained += delta.gained;
        out.hits_lost += delta.lost;
        ++out.files_changed;
        ++batch_changed;
        c.evidence().ReplaceFile(*txn, updated);
        if (++staged >= kRecordsPerBatch) {
          failure = commit();
          if (!failure.ok()) return false;
        }
      }
    }
    CountFileRecord(updated, counts);
    return true;
  }));
  HT_RETURN_IF_ERROR(failure);
  // Only what matching decides changes; the scan's own counts (files, errors...) stand.
  record.counts.files_with_hits = counts.files_with_hits;
  record.counts.by_category = counts.by_category;
  record.counts.images_without_region_cells = counts.images_without_region_cells;
  record.matched_against = stamp;
  record.rematches.push_back({context.now, stamp.digest, out.hits_gained, out.hits_lost, out.files_changed});
  out.counts = record.counts;
  HT_RETURN_IF_ERROR(c.evidence().Put(*txn, record));
  ++staged;
  HT_RETURN_IF_ERROR(commit());
  return out;
}

Result<RematchReport> RematchCase(Case& c, const index::KnownIndex& index, const CommandContext& context) {
  RematchReport report;
  report.index = StampOf(index);
  HT_ASSIGN_OR_RETURN(auto evidence, c.evidence().List());
  std::map<std::string, SubjectRematch> by_subject;
  auto credit = [&](const std::string& subject, std::uint64_t gained, std::uint64_t lost) -> Status {
    if (subject.empty() || gained + lost == 0) return Status::Ok();
    HT_ASSIGN_OR_RETURN(std::string root, ResolveSubjectId(c, subject));
    SubjectRematch& s = by_subject[root];
    s.subject = root;
    s.hits_gained += gained;
    s.hits_lost += lost;
    return Status::Ok();
  };
  for (const EvidenceRecord& e : evidence) {
    HT_ASSIGN_OR_RETURN(EvidenceRematch r, RematchEvidence(c, e.number, index, report.index, context));
    HT_RETURN_IF_ERROR(credit(r.subject, r.hits_gained, r.hits_lost));
    report.evidence.push_back(std::move(r));
  }

  // Referrals: their file hashes against the index, with the default matching options.
  const KnownMatcher matcher(index, MatchOptions{});
  std::vector<ReferralRecord> changed;
  Status failure;
  HT_RETURN_IF_ERROR(c.referrals().ForEach([&](const ReferralRecord& referral) {
    ++report.referrals_examined;
    ReferralRecord updated = referral;
    ReferralRematch delta{referral.id, referral.subject, 0, 0};
    bool differs = false;
    for (ReferralFileRecord& file : updated.files) {
      auto hits = matcher.Match(ReferralQuery(file));
      if (!hits.ok()) {
        failure = hits.status().WithContext("referral " + referral.id);
        return false;
      }
      const HitDelta d = Compare(file.hits, *hits);
      delta.hits_gained += d.gained;
      delta.hits_lost += d.lost;
      differs = differs || file.hits != *hits;
      file.hits = std::move(hits).value();
    }
    updated.matched = true;
    updated.matched_index = report.index.digest;
    if (differs || referral.matched_index != report.index.digest) changed.push_back(std::move(updated));
    if (delta.hits_gained + delta.hits_lost > 0) report.referrals.push_back(delta);
    return true;
  }));
  HT_RETURN_IF_ERROR(failure);
  for (std::size_t i = 0; i < changed.size(); i += kRecordsPerBatch) {
    auto txn = c.Begin();
    const std::size_t end = std::min(changed.size(), i + kRecordsPerBatch);
    std::vector<std::string> ids;
    for (std::size_t k = i; k < end; ++k) {
      c.referrals().Put(*txn, changed[k]);
      ids.push_back(changed[k].id);
    }
    nlohmann::json details{{"action", "rematch referrals"}, {"referrals", ids}, {"index", report.index.digest}};
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, std::move(details))));
    (void)entry;
    HT_RETURN_IF_ERROR(txn->Commit());
  }
  for (const ReferralRematch& r : report.referrals) HT_RETURN_IF_ERROR(credit(r.subject, r.hits_gained, r.hits_lost));

  std::vector<std::string> subjects;
  for (auto& [id, s] : by_subject) {
    subjects.push_back(id);
    report.subjects.push_back(s);
  }
  report.rescore = subjects::RescoreChangedSubjects(c, subjects, context.now);

  nlohmann::json list = nlohmann::json::array();
  for (const EvidenceRematch& r : report.evidence) {
    list.push_back({{"evidence", r.number}, {"files_changed", r.files_changed}, {"hits_gained", r.hits_gained},
                    {"hits_lost", r.hits_lost}});
  }
  nlohmann::json summary{{"action", "rematch"},
                         {"index", report.index.ToJson()},
                         {"evidence", list},
                         {"referrals_examined", report.referrals_examined},
                         {"referrals_changed", report.referrals.size()},
                         {"subjects_rescored", subjects},
                         {"rescored", report.rescore.ok()}};
  auto txn = c.Begin();
  HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, std::move(summary))));
  (void)entry;
  HT_RETURN_IF_ERROR(txn->Commit());
  return report;
}

nlohmann::json RematchReportJson(const RematchReport& report) {
  nlohmann::json evidence = nlohmann::json::array();
  std::uint64_t gained = 0, lost = 0, region_gap = 0, geometric_gap = 0, not_compared = 0;
  for (const auto& e : report.evidence) {
    evidence.push_back({{"number", e.number}, {"id", e.id}, {"subject", e.subject}, {"index_before", e.before.digest},
                        {"files_examined", e.files_examined}, {"files_changed", e.files_changed},
                        {"hits_gained", e.hits_gained}, {"hits_lost", e.hits_lost},
                        {"files_with_hits", e.counts.files_with_hits},
                        {"images_without_region_cells", e.images_without_region_cells},
                        {"images_not_checked_geometrically", e.images_not_checked_geometrically},
                        {"pictures_not_compared", e.pictures_not_compared}});
    gained += e.hits_gained;
    lost += e.hits_lost;
    region_gap += e.images_without_region_cells;
    geometric_gap += e.images_not_checked_geometrically;
    not_compared += e.pictures_not_compared;
  }
  nlohmann::json referrals = nlohmann::json::array();
  for (const auto& r : report.referrals) {
    referrals.push_back({{"referral", r.referral}, {"subject", r.subject}, {"hits_gained", r.hits_gained},
                         {"hits_lost", r.hits_lost}});
    gained += r.hits_gained;
    lost += r.hits_lost;
  }
  nlohmann::json subjects = nlohmann::json::array();
  for (const auto& s : report.subjects) {
    subjects.push_back({{"subject", s.subject}, {"hits_gained", s.hits_gained}, {"hits_lost", s.hits_lost}});
  }
  return nlohmann::json{{"index", report.index.ToJson()},  {"evidence", evidence},
                        {"referrals_examined", report.referrals_examined},
                        {"referrals", referrals},          {"subjects", subjects},
                        {"hits_gained", gained},           {"hits_lost", lost},
                        {"images_without_region_cells", region_gap},
                        {"images_not_checked_geometrically", geometric_gap},
                        {"pictures_not_compared", not_compared},
                        {"rescored", report.rescore.ok()}};
}

}  // namespace hashtriage::engine

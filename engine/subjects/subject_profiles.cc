#include "engine/subjects/subject_profiles.h"

#include <algorithm>

#include "engine/case/subject_store.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/subject_evidence.h"
#include "engine/subjects/subject_workspace.h"

namespace hashtriage::engine {

Status EnsureSubjectExists(Case& c, CaseTransaction& txn, const std::string& subject_id, std::int64_t now) {
  subjects::SubjectWorkspace work(c, txn);
  subjects::Linker linker(work);
  HT_ASSIGN_OR_RETURN(const SubjectRecord* existing, work.subjects.Find(subject_id));
  if (existing != nullptr) return Status::Ok();
  HT_ASSIGN_OR_RETURN(std::string id, linker.CreateSubject(subject_id, "scan", "", now));
  (void)id;
  return work.Flush();
}

Result<std::string> ResolveSubjectId(const Case& c, const std::string& subject_id) {
  subjects::SubjectWorkspace work(c);
  return subjects::Linker(work).Resolve(subject_id);
}

Result<std::vector<std::string>> ListSubjectIds(const Case& c) {
  std::vector<std::string> ids;
  HT_RETURN_IF_ERROR(c.subjects().ForEachSubject([&](const SubjectRecord& s) {
    if (s.root()) ids.push_back(s.id);
    return true;
  }));
  return ids;
}

namespace {

AttributeSource SourceOf(const AttributeRecord& r) {
  auto value = subjects::ParseTriState(r.value);
  return AttributeSource{value.ok() ? *value : TriState::kUnknown, r.source, r.recorded_at, r.recorded_by, r.subject,
                         r.ref()};
}

}  // namespace

Result<SubjectProfile> LoadSubjectProfile(const Case& c, const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(subjects::SubjectEvidence evidence, subjects::GatherSubjectEvidence(c, subject_id));
  SubjectProfile p;
  p.subject_id = evidence.root;
  p.display_name = evidence.subject.display_name;
  p.merged_ids.assign(evidence.subject_ids.begin() + 1, evidence.subject_ids.end());
  auto activity = [&](std::int64_t t) {
    p.first_activity = p.first_activity ? std::min(*p.first_activity, t) : t;
    p.last_activity = p.last_activity ? std::max(*p.last_activity, t) : t;
  };
  for (const ReferralRecord& referral : evidence.referrals) {
    p.referral_ids.push_back(referral.id);
    p.distribution_events += referral.distribution;
    p.escalate_to_high_priority = p.escalate_to_high_priority || referral.escalate;
    for (const ReferralFileRecord& file : referral.files) {
      p.possible_self_production = p.possible_self_production || file.possible_self_production;
    }
    activity(referral.ingested_at);
  }
  for (const subjects::ScanEvidence& scan : evidence.scans) {
    p.evidence_numbers.push_back(scan.record.number);
    if (scan.files_with_hits > 0 && scan.record.started != 0) activity(scan.record.started);
  }
  p.hits = std::move(evidence.hits);

  HT_ASSIGN_OR_RETURN(auto history, c.subjects().Attributes(evidence.subject_ids));
  for (const subjects::CurrentAttribute& current : subjects::CurrentAttributes(history, evidence.joined)) {
    if (current.record.name == subjects::kAreaAttribute) {
      p.area = current.record.value;
      continue;
    }
    const AttributeSource source = SourceOf(current.record);
    AttributeValue v;
    v.name = current.record.name;
    v.value = source.value;
    v.source = source.source;
    v.recorded_at = source.recorded_at;
    v.recorded_by = source.recorded_by;
    v.ref = source.ref;
    for (const AttributeRecord& r : current.conflicting) v.conflicting.push_back(SourceOf(r));
    p.attributes.push_back(std::move(v));
  }
  return p;
}

}  // namespace hashtriage::engine

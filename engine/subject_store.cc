#include "engine/subject_store.h"

#include <algorithm>

#include "engine/record_codec.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/record_cache.h"
#include "engine/subjects/subject_evidence.h"
#include "engine/subjects/subject_records.h"

namespace hashtriage::engine {

using subjects::IntField;
using subjects::ListField;
using subjects::StringField;

Status EnsureSubjectExists(CaseStore& store, const std::string& subject_id, std::int64_t now) {
  subjects::RecordCache cache(store);
  subjects::Linker linker(cache);
  HT_ASSIGN_OR_RETURN(const nlohmann::json* existing, cache.Find(Table::kSubjects, subject_id));
  if (existing != nullptr) return Status::Ok();
  HT_ASSIGN_OR_RETURN(std::string id, linker.CreateSubject(subject_id, "scan", "", now));
  (void)id;
  return cache.Flush();
}

Result<std::string> ResolveSubjectId(const CaseStore& store, const std::string& subject_id) {
  subjects::RecordCache cache(store);
  return subjects::Linker(cache).Resolve(subject_id);
}

Result<std::vector<std::string>> ListSubjectIds(const CaseStore& store) {
  std::vector<std::string> ids;
  Status bad;
  HT_RETURN_IF_ERROR(store.Scan(Table::kSubjects, "", [&](std::string_view key, std::string_view value) {
    auto record = DecodeRecord(value);
    if (!record.ok()) {
      bad = record.status().WithContext("subject " + std::string(key));
      return false;
    }
    if (StringField(*record, "merged_into").empty()) ids.emplace_back(key);
    return true;
  }));
  HT_RETURN_IF_ERROR(bad);
  return ids;
}

Result<SubjectProfile> LoadSubjectProfile(const CaseStore& store, const std::string& subject_id) {
  HT_ASSIGN_OR_RETURN(subjects::SubjectEvidence evidence, subjects::GatherSubjectEvidence(store, subject_id));
  SubjectProfile p;
  p.subject_id = evidence.root;
  p.display_name = StringField(evidence.subject, "display_name");
  auto activity = [&](std::int64_t t) {
    p.first_activity = p.first_activity ? std::min(*p.first_activity, t) : t;
    p.last_activity = p.last_activity ? std::max(*p.last_activity, t) : t;
  };
  for (const auto& referral : evidence.referrals) {
    p.referral_ids.push_back(StringField(referral, "id"));
    p.distribution_events += static_cast<std::uint64_t>(IntField(referral, "distribution"));
    p.escalate_to_high_priority = p.escalate_to_high_priority || referral.value("escalate", false);
    for (const auto& file : ListField(referral, "files")) {
      p.possible_self_production = p.possible_self_production || file.value("possible_self_production", false);
    }
    activity(IntField(referral, "ingested_at"));
  }
  for (const auto& scan : evidence.scans) {
    p.evidence_numbers.push_back(scan.record.value("number", std::uint32_t{0}));
    if (scan.files_with_hits > 0 && scan.started) activity(*scan.started);
  }
  p.hits = std::move(evidence.hits);

  HT_ASSIGN_OR_RETURN(auto history, subjects::AttributeHistory(store, evidence.subject_ids));
  for (const auto& current : subjects::CurrentAttributes(history)) {
    if (current.name == subjects::kAreaAttribute) {
      p.area = current.value;
      continue;
    }
    AttributeValue v;
    v.name = current.name;
    auto value = subjects::ParseTriState(current.value);
    v.value = value.ok() ? *value : TriState::kUnknown;
    v.source = current.source;
    v.recorded_at = current.recorded_at;
    v.recorded_by = current.recorded_by;
    v.record_key = current.key;
    p.attributes.push_back(std::move(v));
  }
  return p;
}

}  // namespace hashtriage::engine

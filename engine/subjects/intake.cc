#include "engine/subjects/intake.h"

#include <algorithm>

#include "engine/record_codec.h"
#include "engine/subjects/subject_records.h"
#include "hashing/pdq_hash.h"
#include "index/region_matcher.h"
#include "index/category.h"

namespace hashtriage::engine::subjects {

namespace {

using Json = nlohmann::json;
using ingest::IdentifierKind;

Json OptionalTime(const std::optional<std::int64_t>& t) { return t ? Json(*t) : Json(nullptr); }
Json OptionalBool(const std::optional<bool>& b) { return b ? Json(*b) : Json(nullptr); }

Json MembershipJson(const index::Membership& m, int distance) {
  Json hit{{"set", m.set_name},
           {"category", std::string(index::CategoryName(m.info.category))},
           {"kind", std::string(index::HashTypeName(m.hash_type))},
           {"distance", distance}};
  if (!m.info.series.empty()) hit["series"] = m.info.series;
  if (!m.info.media_id.empty()) hit["media_id"] = m.info.media_id;
  return hit;
}

}  // namespace

std::string DisplayNameFor(const std::vector<ingest::Identifier>& identifiers) {
  static constexpr IdentifierKind kOrder[] = {IdentifierKind::kDisplayName, IdentifierKind::kScreenName,
                                              IdentifierKind::kEmail,       IdentifierKind::kServiceAccount,
                                              IdentifierKind::kPhone,       IdentifierKind::kClientGuid,
                                              IdentifierKind::kDeviceId};
  for (IdentifierKind kind : kOrder) {
    for (const auto& id : identifiers) {
      if (id.kind != kind) continue;
      if (kind == IdentifierKind::kScreenName) return id.value.substr(id.value.find('/') + 1);
      return id.value;
    }
  }
  return "";
}

IntakeSession::IntakeSession(CaseStore& store, const index::KnownIndex* index, IntakeOptions options)
    : store_(store), index_(index), options_(std::move(options)), cache_(store), linker_(cache_, options_.link) {
  cache_.EvictAfterFlush(Table::kReferrals);
}

namespace {
// Table::kMeta keys "rescore_pending/<subject id>": subjects owed a re-score (see ClearPendingRescores).
constexpr std::string_view kRescorePending = "rescore_pending/";
}  // namespace

Status IntakeSession::Start() {
  scans_by_subject_.clear();
  HT_RETURN_IF_ERROR(store_.Scan(Table::kMeta, kRescorePending, [&](std::string_view key, std::string_view) {
    const std::string id(key.substr(kRescorePending.size()));
    touched_.insert(id);
    marked_.insert(id);
    return true;
  }));
  Status decode_error;
  HT_RETURN_IF_ERROR(store_.Scan(Table::kEvidence, "", [&](std::string_view, std::string_view value) {
    auto record = DecodeRecord(value);
    if (!record.ok()) {
      decode_error = record.status();
      return false;
    }
    const std::string subject = StringField(*record, "subject");
    if (!subject.empty()) scans_by_subject_[subject].push_back(record->value("number", std::uint32_t{0}));
    return true;
  }));
  return decode_error;
}

Result<IntakeSession::MatchedFiles> IntakeSession::MatchFiles(const ingest::Referral& referral) const {
  MatchedFiles out;
  out.files = Json::array();
  std::vector<hashing::Md5Digest> md5s;
  std::vector<hashing::Sha1Digest> sha1s;
  std::vector<hashing::Sha256Digest> sha256s;
  std::vector<hashing::PdqHash> pdqs;
  std::vector<std::size_t> md5_of, sha1_of, sha256_of, pdq_of;  // file index of each query
  for (std::size_t i = 0; i < referral.files.size(); ++i) {
    const ingest::ReferralFile& f = referral.files[i];
    Json file{{"name", f.name},
              {"md5", f.md5 ? f.md5->hex() : ""},
              {"sha1", f.sha1 ? f.sha1->hex() : ""},
              {"sha256", f.sha256 ? f.sha256->hex() : ""},
              {"pdq", f.pdq},
              {"size", f.size ? Json(*f.size) : Json(nullptr)},
              {"viewed_by_esp", OptionalBool(f.viewed_by_esp)},
              {"publicly_available", OptionalBool(f.publicly_available)},
              {"possible_self_production", f.possible_self_production},
              {"hits", Json::array()}};
    out.files.push_back(std::move(file));
    if (f.md5) md5s.push_back(*f.md5), md5_of.push_back(i);
    if (f.sha1) sha1s.push_back(*f.sha1), sha1_of.push_back(i);
    if (f.sha256) sha256s.push_back(*f.sha256), sha256_of.push_back(i);
    if (!f.pdq.empty()) {
      auto pdq = hashing::PdqHash::FromHex(f.pdq);
      if (pdq.ok()) pdqs.push_back(*pdq), pdq_of.push_back(i);
    }
  }
  if (index_ == nullptr) return out;
  auto add = [&](const std::vector<std::vector<index::Membership>>& found, const std::vector<std::size_t>& of) {
    for (std::size_t q = 0; q < found.size(); ++q) {
      for (const auto& m : found[q]) out.files[of[q]]["hits"].push_back(MembershipJson(m, 0));
    }
  };
  if (!md5s.empty()) {
    HT_ASSIGN_OR_RETURN(auto found, index_->LookupMd5(md5s));
    add(found, md5_of);
  }
  if (!sha1s.empty()) {
    HT_ASSIGN_OR_RETURN(auto found, index_->LookupSha1(sha1s));
    add(found, sha1_of);
  }
  if (!sha256s.empty()) {
    HT_ASSIGN_OR_RETURN(auto found, index_->LookupSha256(sha256s));
    add(found, sha256_of);
  }
  if (!pdqs.empty()) {
    auto found = index_->SearchPdq(pdqs);
    if (found.ok()) {
      for (std::size_t q = 0; q < found->size(); ++q) {
        for (const auto& match : (*found)[q]) {
          if (index::IsRegionCell(match.membership)) continue;  // one grid cell is not an image match
          out.files[pdq_of[q]]["hits"].push_back(MembershipJson(match.membership, match.distance));
        }
      }
    }
  }
  // One file known in several sets (or by several hashes) is one hit.
  for (const auto& file : out.files) out.hits += file["hits"].empty() ? 0 : 1;
  return out;
}

Status IntakeSession::Describe(ReferralOutcome& outcome, const std::string& referral_id) {
  HT_ASSIGN_OR_RETURN(const Json* subject, cache_.Require(Table::kSubjects, outcome.subject_id, "subject"));
  outcome.known_since = IntField(*subject, "created");
  for (const auto& a : ListField(*subject, "accounts")) {
    HT_ASSIGN_OR_RETURN(const Json* account, cache_.Require(Table::kAccounts, a.get<std::string>(), "account"));
    for (const auto& r : ListField(*account, "referrals")) {
      if (r.get<std::string>() != referral_id) ++outcome.previous_referrals;
    }
  }
  std::vector<std::string> ids{outcome.subject_id};
  for (const auto& alias : ListField(*subject, "aliases")) ids.push_back(alias.get<std::string>());
  for (const std::string& id : ids) {
    auto it = scans_by_subject_.find(id);
    if (it != scans_by_subject_.end()) outcome.previous_scans += it->second.size();
  }
  return Status::Ok();
}

Result<ReferralOutcome> IntakeSession::Add(const ingest::Referral& referral, const std::string& source_file,
                                           std::uint64_t record) {
  ReferralOutcome outcome;
  outcome.referral_id = referral.id;
  outcome.escalate = referral.escalate_to_high_priority;
  auto stage = [&]() -> Status {
    HT_ASSIGN_OR_RETURN(const Json* existing, cache_.Find(Table::kReferrals, referral.id));
    if (existing != nullptr) {
      outcome.duplicate = true;
      outcome.subject_id = StringField(*existing, "subject");
      return Status::Ok();
    }
    HT_ASSIGN_OR_RETURN(MatchedFiles matched, MatchFiles(referral));
    outcome.hits = matched.hits;

    AccountInput input;
    input.service = referral.service;
    input.referral_id = referral.id;
    for (const auto& id : referral.identifiers) {
      if (id.kind != IdentifierKind::kIp) input.identifiers.push_back(id);
    }
    input.display_name = DisplayNameFor(referral.identifiers);
    const Actor actor{options_.now, options_.by};
    HT_ASSIGN_OR_RETURN(Attachment attached, linker_.Attach(input, actor));
    outcome.account_id = attached.account_id;
    outcome.subject_id = attached.subject_id;
    outcome.new_subject = attached.new_subject;
    outcome.merges = attached.merges;
    outcome.blocked = attached.blocked;

    Json events = Json::array();
    std::uint64_t distribution = 0;
    for (const auto& e : referral.events) {
      events.push_back(Json{{"type", std::string(ingest::EventTypeName(e.type))},
                            {"time", OptionalTime(e.time)},
                            {"ip", e.ip},
                            {"port", e.port},
                            {"proxy", e.possible_proxy}});
      if (ingest::IsDistribution(e.type)) ++distribution;
      if (e.ip.empty()) continue;
      const std::int64_t when = e.time.value_or(referral.incident_time.value_or(options_.now));
      HT_ASSIGN_OR_RETURN(auto links, linker_.RecordIpSighting(e.ip, attached.account_id, when, e.port,
                                                               e.possible_proxy, referral.id));
      for (auto& l : links) outcome.possible_links.push_back(std::move(l));
    }
    // A provider report is itself a report of content uploaded to the provider's service.
    if (referral.format == "cybertip" && distribution == 0 && !referral.files.empty()) distribution = 1;
    Json identifiers = Json::array();
    for (const auto& id : referral.identifiers) identifiers.push_back(id.Key());
    cache_.Put(Table::kReferrals, referral.id,
               Json{{"id", referral.id},
                    {"format", referral.format},
                    {"report_id", referral.report_id},
                    {"source_file", source_file},
                    {"record", record},
                    {"ingested_at", options_.now},
                    {"ingested_by", options_.by},
                    {"incident_type", referral.incident_type},
                    {"incident_time", OptionalTime(referral.incident_time)},
                    {"escalate", referral.escalate_to_high_priority},
                    {"industry_classification", referral.industry_classification},
                    {"service", referral.service},
                    {"location", referral.estimated_location},
                    {"account", attached.account_id},
                    {"subject", attached.subject_id},
                    {"identifiers", std::move(identifiers)},
                    {"events", std::move(events)},
                    {"files", std::move(matched.files)},
                    {"hits", matched.hits},
                    {"distribution", distribution},
                    {"matched", index_ != nullptr}});
    // The subject the possible links point at may have changed: remember every subject touched.
    touched_.insert(attached.subject_id);
    for (const auto& m : attached.merges) touched_.insert(m.merged);
    if (!attached.new_subject) HT_RETURN_IF_ERROR(Describe(outcome, referral.id));
    return Status::Ok();
  };
  Status status = stage();
  if (!status.ok()) {
    cache_.Discard();
    pending_ = 0;
    return status;
  }
  if (!outcome.duplicate && ++pending_ >= options_.batch_referrals) HT_RETURN_IF_ERROR(Flush());
  return outcome;
}

Status IntakeSession::Flush() {
  std::vector<std::string> newly_marked;
  for (const std::string& id : touched_) {
    if (!marked_.insert(id).second) continue;
    newly_marked.push_back(id);
    cache_.Put(Table::kMeta, std::string(kRescorePending) + id, Json(true));
  }
  Status status = cache_.Flush();
  if (!status.ok()) {
    for (const std::string& id : newly_marked) marked_.erase(id);
    cache_.Discard();
    pending_ = 0;
    return status;
  }
  pending_ = 0;
  return Status::Ok();
}

Status IntakeSession::ClearPendingRescores() {
  CaseStore::Batch batch;
  for (const std::string& id : marked_) batch.Delete(Table::kMeta, std::string(kRescorePending) + id);
  if (batch.size() == 0) return Status::Ok();
  HT_RETURN_IF_ERROR(store_.Write(batch));
  marked_.clear();
  return Status::Ok();
}

Result<std::vector<std::string>> IntakeSession::AffectedSubjects() {
  std::set<std::string> roots;
  for (const std::string& id : touched_) {
    HT_ASSIGN_OR_RETURN(std::string root, linker_.Resolve(id));
    roots.insert(root);
  }
  return std::vector<std::string>(roots.begin(), roots.end());
}

}  // namespace hashtriage::engine::subjects

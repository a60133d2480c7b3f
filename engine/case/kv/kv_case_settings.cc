// Case settings on the key-value store: kMeta "created", "name" and "risk_model"; re-score marks in
// kPending.
#include "engine/case/kv/record_codec.h"
#include "engine/case/kv/kv_case.h"

namespace hashtriage::engine::kv {

namespace {
constexpr int kSettingVersion = 1;
constexpr std::string_view kCreatedKey = "created";
constexpr std::string_view kModelKey = "risk_model";
constexpr std::string_view kNameKey = "name";
constexpr std::string_view kRescorePrefix = "rescore/";
}  // namespace

Result<std::optional<std::int64_t>> KvCaseSettings::Created() const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kMeta, kCreatedKey));
  if (!bytes) return std::optional<std::int64_t>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(*bytes, kSettingVersion, "case creation record"));
  return std::optional<std::int64_t>(Int(j, "created"));
}

void KvCaseSettings::SetCreated(CaseTransaction& txn, std::int64_t created) {
  KvTxn(txn).Put(Table::kMeta, kCreatedKey, EncodeRecord(Json{{"created", created}}, kSettingVersion));
}

Result<std::optional<std::string>> KvCaseSettings::Name() const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kMeta, kNameKey));
  if (!bytes) return std::optional<std::string>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(*bytes, kSettingVersion, "case name record"));
  return std::optional<std::string>(Str(j, "name"));
}

void KvCaseSettings::SetName(CaseTransaction& txn, const std::string& name) {
  KvTxn(txn).Put(Table::kMeta, kNameKey, EncodeRecord(Json{{"name", name}}, kSettingVersion));
}

Result<std::optional<StoredRiskModel>> KvCaseSettings::RiskModel() const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kMeta, kModelKey));
  if (!bytes) return std::optional<StoredRiskModel>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(*bytes, kSettingVersion, "case risk model"));
  if (Str(j, "text").empty()) return Status::Corruption("case risk model record has no model text");
  return std::optional<StoredRiskModel>(StoredRiskModel{Str(j, "source"), Str(j, "sha256"), Str(j, "text")});
}

void KvCaseSettings::SetRiskModel(CaseTransaction& txn, const StoredRiskModel& model) {
  KvTxn(txn).Put(Table::kMeta, kModelKey,
                 EncodeRecord(Json{{"source", model.source}, {"sha256", model.sha256}, {"text", model.text}},
                              kSettingVersion));
}

Result<std::set<std::string>> KvCaseSettings::PendingRescores() const {
  std::set<std::string> ids;
  HT_RETURN_IF_ERROR(kv_.Scan(Table::kPending, kRescorePrefix, [&](std::string_view key, std::string_view) {
    ids.emplace(key.substr(kRescorePrefix.size()));
    return true;
  }));
  return ids;
}

void KvCaseSettings::MarkRescorePending(CaseTransaction& txn, const std::string& subject_id) {
  KvTxn(txn).Put(Table::kPending, std::string(kRescorePrefix) + subject_id, "");
}

void KvCaseSettings::ClearRescorePending(CaseTransaction& txn, const std::string& subject_id) {
  KvTxn(txn).Delete(Table::kPending, std::string(kRescorePrefix) + subject_id);
}

}  // namespace hashtriage::engine::kv

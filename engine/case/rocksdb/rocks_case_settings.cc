// Case settings on RocksDB: kMeta "created" and "risk_model"; re-score marks in kPending.
#include "engine/case/rocksdb/record_codec.h"
#include "engine/case/rocksdb/rocks_case.h"

namespace hashtriage::engine::rocks {

namespace {
constexpr int kSettingVersion = 1;
constexpr std::string_view kCreatedKey = "created";
constexpr std::string_view kModelKey = "risk_model";
constexpr std::string_view kRescorePrefix = "rescore/";
}  // namespace

Result<std::optional<std::int64_t>> RocksCaseSettings::Created() const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kMeta, kCreatedKey));
  if (!bytes) return std::optional<std::int64_t>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(*bytes, kSettingVersion, "case creation record"));
  return std::optional<std::int64_t>(Int(j, "created"));
}

void RocksCaseSettings::SetCreated(CaseTransaction& txn, std::int64_t created) {
  Rocks(txn).Put(Table::kMeta, kCreatedKey, EncodeRecord(Json{{"created", created}}, kSettingVersion));
}

Result<std::optional<StoredRiskModel>> RocksCaseSettings::RiskModel() const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kMeta, kModelKey));
  if (!bytes) return std::optional<StoredRiskModel>();
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(*bytes, kSettingVersion, "case risk model"));
  if (Str(j, "text").empty()) return Status::Corruption("case risk model record has no model text");
  return std::optional<StoredRiskModel>(StoredRiskModel{Str(j, "source"), Str(j, "sha256"), Str(j, "text")});
}

void RocksCaseSettings::SetRiskModel(CaseTransaction& txn, const StoredRiskModel& model) {
  Rocks(txn).Put(Table::kMeta, kModelKey,
                 EncodeRecord(Json{{"source", model.source}, {"sha256", model.sha256}, {"text", model.text}},
                              kSettingVersion));
}

Result<std::set<std::string>> RocksCaseSettings::PendingRescores() const {
  std::set<std::string> ids;
  HT_RETURN_IF_ERROR(kv_.Scan(Table::kPending, kRescorePrefix, [&](std::string_view key, std::string_view) {
    ids.emplace(key.substr(kRescorePrefix.size()));
    return true;
  }));
  return ids;
}

void RocksCaseSettings::MarkRescorePending(CaseTransaction& txn, const std::string& subject_id) {
  Rocks(txn).Put(Table::kPending, std::string(kRescorePrefix) + subject_id, "");
}

void RocksCaseSettings::ClearRescorePending(CaseTransaction& txn, const std::string& subject_id) {
  Rocks(txn).Delete(Table::kPending, std::string(kRescorePrefix) + subject_id);
}

}  // namespace hashtriage::engine::rocks

#include "engine/subjects/record_cache.h"

#include "engine/record_codec.h"

namespace hashtriage::engine::subjects {

std::string RecordCache::CacheKey(Table table, std::string_view key) {
  std::string k(1, static_cast<char>(table));
  k.append(key);
  return k;
}

Result<RecordCache::Entry*> RecordCache::Load(Table table, std::string_view key) {
  const std::string cache_key = CacheKey(table, key);
  auto it = entries_.find(cache_key);
  if (it != entries_.end()) return &it->second;
  HT_ASSIGN_OR_RETURN(auto bytes, store_.Get(table, key));
  Entry entry;
  if (bytes) {
    if (table == Table::kCounters) {
      entry.value = DecodeU64(*bytes);
    } else {
      auto decoded = DecodeRecord(*bytes);
      if (!decoded.ok()) {
        return Status::Corruption(std::string(TableName(table)) + " record '" + std::string(key) +
                                  "': " + decoded.status().message());
      }
      entry.value = std::move(decoded).value();
    }
    entry.present = true;
  }
  return &entries_.emplace(cache_key, std::move(entry)).first->second;
}

Result<const nlohmann::json*> RecordCache::Find(Table table, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Entry * entry, Load(table, key));
  return entry->present ? &entry->value : nullptr;
}

Result<const nlohmann::json*> RecordCache::Require(Table table, std::string_view key, std::string_view what) {
  HT_ASSIGN_OR_RETURN(const nlohmann::json* record, Find(table, key));
  if (record == nullptr) return Status::NotFound(std::string(what) + " " + std::string(key) + " not found");
  return record;
}

nlohmann::json& RecordCache::Put(Table table, std::string_view key, nlohmann::json value) {
  Entry& entry = entries_[CacheKey(table, key)];
  if (!entry.dirty) ++dirty_count_;
  entry.present = true;
  entry.dirty = true;
  entry.value = std::move(value);
  return entry.value;
}

Result<nlohmann::json*> RecordCache::Edit(Table table, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Entry * entry, Load(table, key));
  if (!entry->present) return Status::NotFound(std::string(TableName(table)) + " record " + std::string(key) + " not found");
  if (!entry->dirty) ++dirty_count_;
  entry->dirty = true;
  return &entry->value;
}

Result<std::uint64_t> RecordCache::NextId(std::string_view name) {
  HT_ASSIGN_OR_RETURN(Entry * entry, Load(Table::kCounters, name));
  const std::uint64_t next = (entry->present ? entry->value.get<std::uint64_t>() : 0) + 1;
  Put(Table::kCounters, name, next);
  return next;
}

Status RecordCache::Flush(std::size_t keep_records) {
  if (dirty_count_ > 0) {
    if (writable_ == nullptr) return Status::InvalidArgument("case opened read-only");
    CaseStore::Batch batch;
    for (auto& [cache_key, entry] : entries_) {
      if (!entry.dirty) continue;
      const Table table = static_cast<Table>(cache_key[0]);
      const std::string_view key = std::string_view(cache_key).substr(1);
      batch.Put(table, key, table == Table::kCounters ? EncodeU64(entry.value.get<std::uint64_t>())
                                                      : EncodeRecord(entry.value));
    }
    HT_RETURN_IF_ERROR(writable_->Write(batch));
    for (auto& [cache_key, entry] : entries_) entry.dirty = false;
    dirty_count_ = 0;
  }
  if (entries_.size() > keep_records) entries_.clear();
  return Status::Ok();
}

void RecordCache::Discard() {
  entries_.clear();
  dirty_count_ = 0;
}

}  // namespace hashtriage::engine::subjects

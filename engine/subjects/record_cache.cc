#include "engine/subjects/record_cache.h"

#include <algorithm>

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

void RecordCache::MarkDirty(const std::string& cache_key, Entry& entry) {
  if (entry.dirty) return;
  entry.dirty = true;
  ++dirty_count_;
  dirty_.emplace_back(&cache_key, &entry);
}

nlohmann::json& RecordCache::Put(Table table, std::string_view key, nlohmann::json value) {
  auto& [cache_key, entry] = *entries_.try_emplace(CacheKey(table, key)).first;
  MarkDirty(cache_key, entry);
  entry.present = true;
  entry.value = std::move(value);
  return entry.value;
}

Result<nlohmann::json*> RecordCache::Edit(Table table, std::string_view key) {
  HT_ASSIGN_OR_RETURN(Entry * entry, Load(table, key));
  if (!entry->present) return Status::NotFound(std::string(TableName(table)) + " record " + std::string(key) + " not found");
  MarkDirty(entries_.find(CacheKey(table, key))->first, *entry);
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
    for (const auto& [cache_key, entry] : dirty_) {
      const Table table = static_cast<Table>((*cache_key)[0]);
      const std::string_view key = std::string_view(*cache_key).substr(1);
      batch.Put(table, key, table == Table::kCounters ? EncodeU64(entry->value.get<std::uint64_t>())
                                                      : EncodeRecord(entry->value));
    }
    HT_RETURN_IF_ERROR(writable_->Write(batch));
    std::vector<std::string> evict;
    for (const auto& [cache_key, entry] : dirty_) {
      entry->dirty = false;
      const Table table = static_cast<Table>((*cache_key)[0]);
      if (std::find(evict_after_flush_.begin(), evict_after_flush_.end(), table) != evict_after_flush_.end()) {
        evict.push_back(*cache_key);
      }
    }
    dirty_.clear();
    for (const std::string& key : evict) entries_.erase(key);
    dirty_count_ = 0;
  }
  if (entries_.size() > keep_records) entries_.clear();
  return Status::Ok();
}

void RecordCache::Discard() {
  dirty_.clear();
  entries_.clear();
  dirty_count_ = 0;
}

}  // namespace hashtriage::engine::subjects

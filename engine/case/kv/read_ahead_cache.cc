#include "engine/case/kv/read_ahead_cache.h"

namespace hashtriage::engine::kv {

void ReadAheadCache::PutKey(Table table, std::string key, std::optional<std::string> value) {
  std::lock_guard lock(mu_);
  keys_.insert_or_assign({table, std::move(key)}, std::move(value));
}

void ReadAheadCache::PutPrefix(Table table, std::string prefix, Rows rows) {
  std::lock_guard lock(mu_);
  prefixes_.insert_or_assign({table, std::move(prefix)}, std::move(rows));
}

std::optional<std::optional<std::string>> ReadAheadCache::Key(Table table, std::string_view key) const {
  std::lock_guard lock(mu_);
  const auto it = keys_.find(std::make_pair(table, std::string(key)));
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::optional<ReadAheadCache::Rows> ReadAheadCache::Prefix(Table table, std::string_view prefix) const {
  std::lock_guard lock(mu_);
  const auto it = prefixes_.find(std::make_pair(table, std::string(prefix)));
  if (it == prefixes_.end()) return std::nullopt;
  return it->second;
}

void ReadAheadCache::Clear() {
  std::lock_guard lock(mu_);
  if (keys_.empty() && prefixes_.empty()) return;
  keys_.clear();
  prefixes_.clear();
  ++generation_;
}

std::uint64_t ReadAheadCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

}  // namespace hashtriage::engine::kv

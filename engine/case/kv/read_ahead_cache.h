// ReadAheadCache: records KvStore read in bulk from a database server for the current read view —
// single keys (present, or known to be absent) and everything under whole prefixes — so that the Gets,
// Scans and Lasts that follow are answered from memory with exactly what the view would have
// returned. KvStore clears it whenever the view ends (a write, EndReadView, a failed read).
// Thread-safe; answers are copies.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/case/kv/kv_store.h"

namespace hashtriage::engine::kv {

class ReadAheadCache {
 public:
  using Rows = std::vector<std::pair<std::string, std::string>>;  // in key order

  void PutKey(Table table, std::string key, std::optional<std::string> value);
  // Every row of `table` under `prefix` (sorted by key).
  void PutPrefix(Table table, std::string prefix, Rows rows);
  // nullopt: not held; otherwise the value (nullopt inside: known to be absent).
  std::optional<std::optional<std::string>> Key(Table table, std::string_view key) const;
  // nullopt: `prefix` not held whole.
  std::optional<Rows> Prefix(Table table, std::string_view prefix) const;
  void Clear();
  // Bumped by every Clear: a reader that sees it change knows its copy is of an ended view.
  std::uint64_t generation() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<Table, std::string>, std::optional<std::string>, std::less<>> keys_;
  std::map<std::pair<Table, std::string>, Rows, std::less<>> prefixes_;
  std::uint64_t generation_ = 0;
};

}  // namespace hashtriage::engine::kv

// SubjectWorkspace: typed subject-store records read through a cache, with changes staged in memory
// and handed to a CaseTransaction by Flush(). Intake, linking and enrichment read and change many
// small records per referral; staging makes a referral (or a group of them) all-or-nothing and keeps
// decoded records hot. Invariant: while it has staged changes, the workspace is the only writer of
// the records it holds (the embedded case admits one read-write process; on a shared PostgreSQL case a
// concurrent change to them makes the commit fail with a Conflict, and the cache is dropped at every
// flush). One thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/case/case.h"
#include "engine/case/subject_store.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

// One record type's cache: Find (nullptr when absent), Require, Edit (marks changed), Put.
template <typename Record>
class CachedRecords {
 public:
  using Load = std::function<Result<std::optional<Record>>(const std::string&)>;
  using Store = std::function<void(CaseTransaction&, const Record&)>;
  CachedRecords(std::string what, Load load, Store store)
      : what_(std::move(what)), load_(std::move(load)), store_(std::move(store)) {}

  Result<const Record*> Find(const std::string& key) {
    HT_ASSIGN_OR_RETURN(Entry * e, Get(key));
    return e->present ? &e->value : nullptr;
  }
  Result<const Record*> Require(const std::string& key) {
    HT_ASSIGN_OR_RETURN(const Record* r, Find(key));
    if (r == nullptr) return Status::NotFound(what_ + " " + key + " not found");
    return r;
  }
  Result<Record*> Edit(const std::string& key) {
    HT_ASSIGN_OR_RETURN(Entry * e, Get(key));
    if (!e->present) return Status::NotFound(what_ + " " + key + " not found");
    MarkDirty(key, *e);
    return &e->value;
  }
  Record& Put(const std::string& key, Record value) {
    Entry& e = entries_[key];
    MarkDirty(key, e);
    e.present = true;
    e.value = std::move(value);
    return e.value;
  }
  void Stage(CaseTransaction& txn) {
    for (const std::string& key : dirty_) store_(txn, entries_.at(key).value);
  }
  void Clean() {
    for (const std::string& key : dirty_) entries_.at(key).dirty = false;
    dirty_.clear();
  }
  void Clear() {
    entries_.clear();
    dirty_.clear();
  }
  // Keys not cached yet (each once): what a bulk load should read.
  std::vector<std::string> Missing(const std::vector<std::string>& keys) const {
    std::vector<std::string> out;
    std::unordered_set<std::string_view> seen;
    for (const std::string& key : keys) {
      if (entries_.count(key) == 0 && seen.insert(key).second) out.push_back(key);
    }
    return out;
  }
  // Caches a record read in bulk (nullopt: known to be absent); a key already cached keeps its entry.
  void Seed(const std::string& key, std::optional<Record> loaded) {
    Entry e;
    if (loaded) {
      e.present = true;
      e.value = std::move(*loaded);
    }
    entries_.emplace(key, std::move(e));
  }
  bool Holds(const std::string& key) const { return entries_.count(key) > 0; }
  std::size_t size() const { return entries_.size(); }
  std::size_t staged() const { return dirty_.size(); }

 private:
  struct Entry {
    bool present = false;
    bool dirty = false;
    Record value;
  };
  Result<Entry*> Get(const std::string& key) {
    auto it = entries_.find(key);
    if (it != entries_.end()) return &it->second;
    HT_ASSIGN_OR_RETURN(auto loaded, load_(key));
    Entry e;
    if (loaded) {
      e.present = true;
      e.value = std::move(*loaded);
    }
    return &entries_.emplace(key, std::move(e)).first->second;
  }
  void MarkDirty(const std::string& key, Entry& e) {
    if (e.dirty) return;
    e.dirty = true;
    dirty_.push_back(key);
  }

  std::string what_;
  Load load_;
  Store store_;
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::string> dirty_;
};

class SubjectWorkspace {
 public:
  // Read-write: NextId and Flush use `txn`.
  SubjectWorkspace(Case& case_store, CaseTransaction& txn);
  // Read-only: NextId and Flush of staged changes fail with InvalidArgument.
  explicit SubjectWorkspace(const Case& case_store);
  SubjectWorkspace(const SubjectWorkspace&) = delete;
  SubjectWorkspace& operator=(const SubjectWorkspace&) = delete;

  CachedRecords<SubjectRecord> subjects;
  CachedRecords<AccountRecord> accounts;
  CachedRecords<IdentifierRecord> identifiers;
  CachedRecords<IpAddressRecord> ip_addresses;
  CachedRecords<LinkRecord> links;
  CachedRecords<PossibleLinkRecord> possible_links;

  // Reads in bulk (one round trip per record type on a database server) the identifier records of
  // `identifier_keys`, the accounts they name and those accounts' subjects: what linking these
  // identifiers reads. Only a speed-up: whatever is not preloaded is read when it is needed. On a
  // shared case only (an embedded case reads each record when needed).
  Status Preload(const std::vector<std::string>& identifier_keys);
  // The same for subject records, and for IP address records.
  Status PreloadSubjects(const std::vector<std::string>& subject_ids);
  Status PreloadIpAddresses(const std::vector<std::string>& ip_keys);

  // Stages an attribute record (attributes are only ever added; they are not cached).
  Status PutAttribute(const AttributeRecord& record);
  // The next value of counter `name` (subject, account, link, attribute ids), in the transaction.
  Result<std::uint64_t> NextId(std::string_view name);
  // Stages every change into the transaction (Commit is the caller's). Keeps clean records cached
  // unless there are more than `keep_records`.
  Status Flush(std::size_t keep_records = 200000);
  // Drops every staged change and the cache.
  void Discard();
  std::size_t staged() const;

  const Case& store() const { return store_; }
  CaseTransaction* transaction() { return txn_; }

 private:
  SubjectWorkspace(const Case& case_store, Case* writable, CaseTransaction* txn);
  const Case& store_;
  Case* writable_;
  CaseTransaction* txn_;
};

}  // namespace hashtriage::engine::subjects

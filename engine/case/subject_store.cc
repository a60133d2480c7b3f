#include "engine/case/subject_store.h"

#include <algorithm>

namespace hashtriage::engine {

IdList::IdList(std::initializer_list<std::string> ids) {
  for (const auto& id : ids) Add(id);
}

IdList::IdList(std::vector<std::string> ids) {
  for (auto& id : ids) Add(id);
}

void IdList::BuildIndex() const {
  if (items_.size() < kIndexFrom || index_.size() == items_.size()) return;
  index_.clear();
  index_.insert(items_.begin(), items_.end());
}

bool IdList::Contains(std::string_view id) const {
  if (items_.size() < kIndexFrom) return std::find(items_.begin(), items_.end(), id) != items_.end();
  BuildIndex();
  return index_.count(std::string(id)) > 0;
}

bool IdList::Add(std::string_view id) {
  if (Contains(id)) return false;
  items_.emplace_back(id);
  if (items_.size() >= kIndexFrom) {
    if (index_.size() + 1 == items_.size()) {
      index_.insert(items_.back());
    } else {
      BuildIndex();
    }
  }
  return true;
}

void IdList::Remove(std::string_view id) {
  auto it = std::find(items_.begin(), items_.end(), id);
  if (it == items_.end()) return;
  items_.erase(it);
  index_.erase(std::string(id));
  if (items_.size() < kIndexFrom) index_.clear();
}

void IdList::Clear() {
  items_.clear();
  index_.clear();
}

namespace {

template <typename Record, typename Get>
Result<std::vector<std::optional<Record>>> OneByOne(const std::vector<std::string>& keys, Get get) {
  std::vector<std::optional<Record>> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    HT_ASSIGN_OR_RETURN(auto record, get(key));
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace

Result<std::vector<std::optional<SubjectRecord>>> SubjectStore::GetSubjects(const std::vector<std::string>& ids) const {
  return OneByOne<SubjectRecord>(ids, [&](const std::string& id) { return GetSubject(id); });
}
Result<std::vector<std::optional<AccountRecord>>> SubjectStore::GetAccounts(const std::vector<std::string>& ids) const {
  return OneByOne<AccountRecord>(ids, [&](const std::string& id) { return GetAccount(id); });
}
Result<std::vector<std::optional<IdentifierRecord>>> SubjectStore::GetIdentifiers(
    const std::vector<std::string>& keys) const {
  return OneByOne<IdentifierRecord>(keys, [&](const std::string& key) { return GetIdentifier(key); });
}
Result<std::vector<std::optional<IpAddressRecord>>> SubjectStore::GetIpAddresses(
    const std::vector<std::string>& keys) const {
  return OneByOne<IpAddressRecord>(keys, [&](const std::string& key) { return GetIpAddress(key); });
}

}  // namespace hashtriage::engine

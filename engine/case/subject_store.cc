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

}  // namespace hashtriage::engine

#include "engine/case/referral_store.h"

namespace hashtriage::engine {

std::uint64_t ReferralRecord::FilesWithHits() const {
  std::uint64_t n = 0;
  for (const ReferralFileRecord& f : files) n += f.hits.empty() ? 0 : 1;
  return n;
}

Result<std::set<std::string>> ReferralStore::StoredAmong(const std::vector<std::string>& ids) const {
  std::set<std::string> stored;
  for (const std::string& id : ids) {
    HT_ASSIGN_OR_RETURN(bool present, Contains(id));
    if (present) stored.insert(id);
  }
  return stored;
}

}  // namespace hashtriage::engine

#include "engine/case/referral_store.h"

namespace hashtriage::engine {

std::uint64_t ReferralRecord::FilesWithHits() const {
  std::uint64_t n = 0;
  for (const ReferralFileRecord& f : files) n += f.hits.empty() ? 0 : 1;
  return n;
}

}  // namespace hashtriage::engine

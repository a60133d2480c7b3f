// Peer-to-peer monitoring CSV (observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size),
// through ReferralReader: CSV splitting with quotes, times, addresses, hashes, sizes.
#include "tests/fuzz/fuzz_targets.h"
#include "tests/fuzz/referral_fuzz_support.h"

namespace hashtriage::fuzz {

int FuzzP2pReferral(const std::uint8_t* data, std::size_t size) {
  ingest::ReferralReaderOptions options;
  options.format = size > 0 && data[0] == 'o' ? ingest::ReferralFormat::kAuto : ingest::ReferralFormat::kP2p;
  internal::ReadAllReferrals(data, size, options, "p2p.csv");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzP2pReferral)

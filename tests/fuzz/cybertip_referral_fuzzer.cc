// CyberTipline-like provider reports (one JSON object, an array of them or JSON Lines): the streaming
// record splitter and the report parser, through ReferralReader.
#include "tests/fuzz/fuzz_targets.h"
#include "tests/fuzz/referral_fuzz_support.h"

namespace hashtriage::fuzz {

int FuzzCybertipReferral(const std::uint8_t* data, std::size_t size) {
  ingest::ReferralReaderOptions options;
  options.format = size > 0 && data[0] == '\n' ? ingest::ReferralFormat::kAuto : ingest::ReferralFormat::kCybertip;
  internal::ReadAllReferrals(data, size, options, "report.json");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzCybertipReferral)

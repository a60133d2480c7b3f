// Generic referral CSV with a column map, through ReferralReader. The first line of the input is the
// --columns mapping ("report_id=Case,email=Mail,..."), the rest is the file.
#include <string_view>

#include "tests/fuzz/fuzz_targets.h"
#include "tests/fuzz/referral_fuzz_support.h"

namespace hashtriage::fuzz {

int FuzzCsvReferral(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return 0;
  ingest::ReferralReaderOptions options;
  options.format = ingest::ReferralFormat::kCsv;
  options.columns = std::string(text.substr(0, newline));
  internal::ReadAllReferrals(data + newline + 1, size - newline - 1, options, "referrals.csv");
  return 0;
}

}  // namespace hashtriage::fuzz

HT_FUZZ_ENTRY(FuzzCsvReferral)

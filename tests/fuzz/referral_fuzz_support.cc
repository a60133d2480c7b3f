#include "tests/fuzz/referral_fuzz_support.h"

#include <set>

#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz::internal {

void ReadAllReferrals(const std::uint8_t* data, std::size_t size, ingest::ReferralReaderOptions options,
                      const char* file_name) {
  const std::string path = WriteScratchFile(file_name, data, size);
  options.max_record_bytes = 64 << 10;  // small, so that the over-long record path is reachable
  auto reader = ingest::OpenReferralReader(path, options);
  if (!reader.ok()) {
    HT_FUZZ_CHECK(!reader.status().message().empty());
    return;
  }
  // Record numbers are unique but not always increasing: a generic-CSV report spanning several rows is
  // returned when its last row has been read, after any bad row found in between.
  std::set<std::uint64_t> numbers;
  // A record takes at least one byte of input, so a reader that yields more records than bytes loops.
  for (std::size_t guard = 0; guard <= size + 1; ++guard) {
    auto next = (*reader)->Next();
    if (!next.ok()) {
      HT_FUZZ_CHECK(!next.status().message().empty());
      return;
    }
    if (!next->has_value()) return;
    const ingest::ReferralRecord& record = **next;
    HT_FUZZ_CHECK(record.number > 0 && numbers.insert(record.number).second);
    if (record.status.ok()) {
      HT_FUZZ_CHECK(!record.referral.id.empty());
    } else {
      HT_FUZZ_CHECK(!record.status.message().empty());
    }
  }
  HT_FUZZ_CHECK(false && "the reader returned more records than the input has bytes");
}

}  // namespace hashtriage::fuzz::internal

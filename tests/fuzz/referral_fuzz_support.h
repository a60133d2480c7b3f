// Runs one referral file through ReferralReader to its end, checking the reader's invariants: record
// numbers are unique and from 1, every bad record has a reason, and a good record has an id. Shared by the
// three referral fuzz targets. One thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ingest/referral/referral_reader.h"

namespace hashtriage::fuzz::internal {

void ReadAllReferrals(const std::uint8_t* data, std::size_t size, ingest::ReferralReaderOptions options,
                      const char* file_name);

}  // namespace hashtriage::fuzz::internal

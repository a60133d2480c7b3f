// Phone numbers to E.164 for linking: "07700 900123" (region GB), "+44 7700 900123" and
// "0044 (0)7700-900123" are all +447700900123, so one person's number links however it was written.
// The only code that includes libphonenumber. Thread-safe (libphonenumber's PhoneNumberUtil is a
// thread-safe singleton holding read-only metadata).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hashtriage::ingest {

struct PhoneNormalization {
  std::optional<std::string> value;  // E.164 ("+447700900123"), or the digits form; nullopt: dropped
  std::string note;                  // why the value is not E.164 or was dropped; "" when E.164
};

// `raw` in E.164, reading a number without a country code as a national number of `region` (ISO
// 3166-1 alpha-2, any case). A number libphonenumber cannot parse, or that is not a possible number
// (wrong length for its country), keeps its digits form (digits, a leading '+' kept, "00" read as '+')
// so nothing is lost, with a note. Fewer than 5 digits is not a phone number (dropped, with a note);
// all zeros is a placeholder (dropped, no note).
PhoneNormalization PhoneNumberE164(std::string_view raw, std::string_view region);

// True for a region libphonenumber has numbering metadata for ("GB", "US", ...; any case).
bool IsSupportedPhoneRegion(std::string_view region);

}  // namespace hashtriage::ingest

#include "ingest/referral/phone_number.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

namespace hashtriage::ingest {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Digits with a leading '+' kept; "0044..." is "+44...". Empty for fewer than 5 digits or all zeros.
std::string DigitsForm(std::string_view raw) {
  std::string digits;
  for (char c : raw) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() < 5) return "";
  if (!raw.empty() && raw.front() == '+') return "+" + digits;
  if (digits.starts_with("00")) return "+" + digits.substr(2);
  return digits;
}

}  // namespace

bool IsSupportedPhoneRegion(std::string_view region) {
  return region.size() == 2 && PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(Upper(region)) != 0;
}

PhoneNormalization PhoneNumberE164(std::string_view raw, std::string_view region) {
  const bool all_zeros = std::none_of(raw.begin(), raw.end(), [](char c) { return c >= '1' && c <= '9'; }) &&
                         std::any_of(raw.begin(), raw.end(), [](char c) { return c == '0'; });
  if (all_zeros) return {};
  const std::string digits = DigitsForm(raw);
  if (digits.empty()) return {std::nullopt, "is not a phone number (fewer than 5 digits): dropped"};
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const std::string upper_region = Upper(region);
  PhoneNumber number;
  if (util.Parse(std::string(raw), upper_region, &number) == PhoneNumberUtil::NO_PARSING_ERROR &&
      util.IsPossibleNumber(number)) {
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    return {e164, ""};
  }
  return {digits, "is not a possible phone number for region " + upper_region + ": kept as " + digits};
}

}  // namespace hashtriage::ingest

#include "ingest/referral/referral.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "ingest/referral/phone_number.h"
#include "ingest/referral/record_parsers.h"

namespace hashtriage::ingest {

namespace {

constexpr std::array<std::string_view, 9> kKindNames = {"service_account", "email",        "phone",
                                                        "device_id",       "client_guid",  "screen_name",
                                                        "display_name",    "profile_url",  "ip"};

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Values providers write when they have none; all-zero ids are placeholders too.
bool IsPlaceholder(std::string_view lowered) {
  static constexpr std::string_view kJunk[] = {"unknown", "none", "null", "nil", "n/a", "na", "-", "?", "undefined"};
  if (lowered.empty()) return true;
  for (std::string_view junk : kJunk) {
    if (lowered == junk) return true;
  }
  return std::all_of(lowered.begin(), lowered.end(), [](char c) { return c == '0' || c == '-' || c == ':' || c == '.'; });
}

std::optional<std::string> NormalizeIp(std::string_view raw) {
  std::string text(raw);
  in6_addr v6{};
  in_addr v4{};
  char buf[INET6_ADDRSTRLEN] = "";
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    ::inet_ntop(AF_INET, &v4, buf, sizeof buf);
    return std::string(buf);
  }
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&v4, v6.s6_addr + 12, 4);
      ::inet_ntop(AF_INET, &v4, buf, sizeof buf);
    } else {
      ::inet_ntop(AF_INET6, &v6, buf, sizeof buf);
    }
    return std::string(buf);
  }
  return std::nullopt;
}

}  // namespace

std::string_view IdentifierKindName(IdentifierKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : std::string_view("unknown");
}

std::optional<IdentifierKind> ParseIdentifierKind(std::string_view name) {
  const std::string lowered = Lower(TrimView(name));
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (lowered == kKindNames[i]) return static_cast<IdentifierKind>(i);
  }
  return std::nullopt;
}

bool IsStrongIdentifier(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kServiceAccount:
    case IdentifierKind::kEmail:
    case IdentifierKind::kPhone:
    case IdentifierKind::kDeviceId:
    case IdentifierKind::kClientGuid:
      return true;
    default:
      return false;
  }
}

bool Identifier::strong() const {
  return IsStrongIdentifier(kind) && !(kind == IdentifierKind::kServiceAccount && value.starts_with("/"));
}

std::string NormalizeService(std::string_view raw) { return Lower(TrimView(raw)); }

NormalizedIdentifier NormalizeIdentifierWithNote(IdentifierKind kind, std::string_view raw, std::string_view service,
                                                 std::string_view phone_region) {
  const std::string_view trimmed = TrimView(raw);
  const std::string lowered = Lower(trimmed);
  if (IsPlaceholder(lowered)) return {};
  switch (kind) {
    case IdentifierKind::kEmail:
      if (lowered.find('@') == std::string::npos) return {std::nullopt, "is not an email address: dropped"};
      return {lowered, ""};
    case IdentifierKind::kPhone: {
      PhoneNormalization phone = PhoneNumberE164(trimmed, phone_region);
      return {std::move(phone.value), std::move(phone.note)};
    }
    case IdentifierKind::kIp: {
      auto ip = NormalizeIp(trimmed);
      if (!ip) return {std::nullopt, "is not an IP address: dropped"};
      return {std::move(ip), ""};
    }
    case IdentifierKind::kClientGuid: {
      std::string guid;
      for (char c : lowered) {
        if (c != '{' && c != '}' && c != '-') guid += c;
      }
      if (IsPlaceholder(guid)) return {};
      return {guid, ""};
    }
    case IdentifierKind::kDeviceId:
      return {lowered, ""};
    case IdentifierKind::kServiceAccount:
    case IdentifierKind::kScreenName:
      // Ids are only unique within a service; names are matched without case.
      return {NormalizeService(service) + "/" + (kind == IdentifierKind::kScreenName ? lowered : std::string(trimmed)), ""};
    case IdentifierKind::kDisplayName:
    case IdentifierKind::kProfileUrl:
      return {std::string(trimmed), ""};
  }
  return {};
}

std::optional<std::string> NormalizeIdentifier(IdentifierKind kind, std::string_view raw, std::string_view service,
                                               std::string_view phone_region) {
  return NormalizeIdentifierWithNote(kind, raw, service, phone_region).value;
}

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kLogin: return "login";
    case EventType::kRegistration: return "registration";
    case EventType::kUpload: return "upload";
    case EventType::kOffer: return "offer";
    case EventType::kOther: return "other";
  }
  return "other";
}

EventType ParseEventType(std::string_view name) {
  const std::string lowered = Lower(TrimView(name));
  for (EventType t : {EventType::kLogin, EventType::kRegistration, EventType::kUpload, EventType::kOffer}) {
    if (lowered == EventTypeName(t)) return t;
  }
  return EventType::kOther;
}

void Referral::AddIdentifier(IdentifierKind kind, std::string_view raw, std::string_view field,
                             std::string_view phone_region) {
  NormalizedIdentifier normal = NormalizeIdentifierWithNote(kind, raw, service, phone_region);
  if (!normal.note.empty()) {
    Warn((field.empty() ? std::string(IdentifierKindName(kind)) : std::string(field)) + ": '" +
         referral_internal::QuoteForMessage(TrimView(raw)) + "' " + normal.note);
  }
  if (!normal.value) return;
  Identifier id{kind, std::move(*normal.value)};
  if (std::find(identifiers.begin(), identifiers.end(), id) == identifiers.end()) identifiers.push_back(std::move(id));
}

void Referral::Warn(std::string_view message) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string line;
  for (char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      line += "\\x";
      line += kHex[c >> 4];
      line += kHex[c & 15];
    } else {
      line += ch;
    }
  }
  warnings.push_back(std::move(line));
}

}  // namespace hashtriage::ingest

namespace hashtriage::ingest::referral_internal {

std::string QuoteForMessage(std::string_view value) {
  constexpr std::size_t kMax = 64;
  if (value.size() <= kMax) return std::string(value);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return std::string(value.substr(0, cut)) + "...";
}

void DropField(Referral& r, const Status& why) { r.Warn(why.message() + ": dropped"); }

Status RejectWithWarnings(std::string_view reason, const Referral& r) {
  std::string message(reason);
  for (const std::string& w : r.warnings) message += "; " + w;
  return Status::InvalidArgument(message);
}

}  // namespace hashtriage::ingest::referral_internal

// Referral: one online-monitoring report as hashtriage understands it, whatever file format it came
// in (provider CyberTipline-like JSON, peer-to-peer monitoring CSV, generic CSV with a column map):
// who (normalised account identifiers), what happened when (events with UTC times), which files
// (hashes), and the provider's flags. Plain values; safe to copy between threads.
// Invariant: identifier values are normalised (NormalizeIdentifier) and never junk ("", "n/a", zeros).
// A malformed field costs only that field: it is dropped (or kept unnormalised) with a warning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/digest_types.h"
#include "hashing/status.h"

namespace hashtriage::ingest {

// Persistent format: the names (IdentifierKindName) are stored in case records. Append only.
enum class IdentifierKind : std::uint8_t {
  kServiceAccount = 0,  // a provider's account id, value "service/id" (strong)
  kEmail = 1,           // strong
  kPhone = 2,           // strong
  kDeviceId = 3,        // strong
  kClientGuid = 4,      // a peer-to-peer client's GUID (strong)
  kScreenName = 5,      // value "service/name" (weak: names are reused and spoofed)
  kDisplayName = 6,     // weak
  kProfileUrl = 7,      // weak
  kIp = 8,              // weak: carrier NAT, VPNs and proxies share addresses
};
inline constexpr IdentifierKind kAllIdentifierKinds[] = {
    IdentifierKind::kServiceAccount, IdentifierKind::kEmail,      IdentifierKind::kPhone,
    IdentifierKind::kDeviceId,       IdentifierKind::kClientGuid, IdentifierKind::kScreenName,
    IdentifierKind::kDisplayName,    IdentifierKind::kProfileUrl, IdentifierKind::kIp};

// "service_account", "email", "phone", "device_id", "client_guid", "screen_name", "display_name",
// "profile_url", "ip".
std::string_view IdentifierKindName(IdentifierKind kind);
std::optional<IdentifierKind> ParseIdentifierKind(std::string_view name);
// Strong identifiers merge accounts into one subject on their own; weak ones never do.
bool IsStrongIdentifier(IdentifierKind kind);

struct Identifier {
  IdentifierKind kind = IdentifierKind::kEmail;
  std::string value;  // normalised
  // "<kind>:<value>": the identity used for linking.
  std::string Key() const { return std::string(IdentifierKindName(kind)) + ":" + value; }
  // Strong enough to merge accounts on its own: a strong kind, and for a service account a known
  // service (an id without its service could be anyone's on any site).
  bool strong() const;
  friend bool operator==(const Identifier&, const Identifier&) = default;
};

// The region (ISO 3166-1 alpha-2) whose national phone numbers are assumed when a number has no
// country code: "07700 900123" in GB is +447700900123.
inline constexpr std::string_view kDefaultPhoneRegion = "GB";

// A normalised identifier value and, when the raw value was malformed, why it was dropped or kept
// unnormalised ("is not an email address: dropped"); `note` is "" for good values and placeholders.
struct NormalizedIdentifier {
  std::optional<std::string> value;
  std::string note;
};

// Normalises a raw value of `kind` (`service` is used for service accounts and screen names):
// emails lowercased; phones to E.164 by libphonenumber with `phone_region` for national numbers
// (PhoneNumberE164 in phone_number.h; a number it cannot place keeps its digits form with a
// note); GUIDs lowercased without braces; IPv4/IPv6 in canonical text. No value for empty or
// placeholder values ("unknown", "n/a", "0000"), without a note.
NormalizedIdentifier NormalizeIdentifierWithNote(IdentifierKind kind, std::string_view raw,
                                                 std::string_view service = {},
                                                 std::string_view phone_region = kDefaultPhoneRegion);
// The value alone.
std::optional<std::string> NormalizeIdentifier(IdentifierKind kind, std::string_view raw,
                                               std::string_view service = {},
                                               std::string_view phone_region = kDefaultPhoneRegion);
// Lowercased and trimmed provider / network name ("" stays "").
std::string NormalizeService(std::string_view raw);

// Persistent format: names stored in referral records. Append only.
enum class EventType : std::uint8_t { kLogin = 0, kRegistration = 1, kUpload = 2, kOffer = 3, kOther = 4 };
// "login", "registration", "upload", "offer", "other".
std::string_view EventTypeName(EventType type);
// Case-insensitive; anything unrecognised is kOther.
EventType ParseEventType(std::string_view name);
// Uploads and offers to share count as distribution.
inline bool IsDistribution(EventType type) { return type == EventType::kUpload || type == EventType::kOffer; }

struct ReferralEvent {
  EventType type = EventType::kOther;
  std::optional<std::int64_t> time;  // Unix seconds UTC
  std::string ip;                    // normalised, "" when none
  int port = 0;                      // 0 when unknown
  bool possible_proxy = false;       // the provider flagged the address as a possible proxy / VPN
};

struct ReferralFile {
  std::string name;
  std::optional<hashing::Md5Digest> md5;
  std::optional<hashing::Sha1Digest> sha1;
  std::optional<hashing::Sha256Digest> sha256;
  std::string pdq;                  // 64 lowercase hex, "" when none
  std::optional<std::uint64_t> size;
  std::optional<bool> viewed_by_esp;
  std::optional<bool> publicly_available;
  bool possible_self_production = false;
};

struct Referral {
  // Stable identity, the idempotence key: "<format>:<report id>", or "<format>:sha256:<hex>" over the
  // record's normalised content when the record has no report id.
  std::string id;
  std::string format;     // "cybertip", "p2p", "csv"
  std::string report_id;  // the provider's id, "" when none
  std::string incident_type;
  std::optional<std::int64_t> incident_time;  // Unix seconds UTC
  bool escalate_to_high_priority = false;
  std::string industry_classification;  // "A1", "A2", "B1", "B2" or ""
  std::string service;                  // provider or P2P network, normalised
  std::string estimated_location;       // shown for routing; never scored
  std::vector<Identifier> identifiers;  // of the reported person / peer; deduplicated, in input order
  std::vector<ReferralEvent> events;
  std::vector<ReferralFile> files;
  // What was dropped or kept unnormalised and why, one line each, naming the field:
  // "ipCaptureEvent[2].ipAddress: '999.1.1.1' is not an IP address: dropped". Stored with the referral.
  std::vector<std::string> warnings;

  // Adds `raw` as `kind` when it normalises to a value not already present; a malformed value adds a
  // warning naming `field` (the file's field or column the value came from).
  void AddIdentifier(IdentifierKind kind, std::string_view raw, std::string_view field = {},
                     std::string_view phone_region = kDefaultPhoneRegion);
  // Adds a warning; control characters are shown as \xNN so a value cannot forge output lines.
  void Warn(std::string_view message);
  bool HasIdentifiers() const { return !identifiers.empty(); }
};

}  // namespace hashtriage::ingest

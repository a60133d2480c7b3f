// The persistent layout of subjects, accounts, identifiers, links and referrals in the case store
// (Tables kSubjects, kAccounts, kIdentifiers, kReferrals, kAttributes, kLinks, kCounters), and small
// helpers over their JSON records. Pure functions.
//
// Persistent format (CBOR records, engine/record_codec.h):
// - kSubjects  "<subject id>" -> {id, created, created_by, display_name, accounts[], aliases[],
//                 merged_into?, merged?{...}, merges[]{subject, kind, identifier, accounts[], referral,
//                 link, time, by, reason}, constraints[], links[]}
//   A root subject lists every account and every subject id merged into it (aliases); a merged
//   subject keeps merged_into (a redirect, so old ids still resolve) and how it was merged.
// - kAccounts  "<account id>" -> {id, created, service, origin, home, subject, identifiers[]{key, kind,
//                 value, first_seen, referral}, referrals[], joined{kind, identifier, with, referral,
//                 link, time}, possible_links[]}
//   `subject` is a hint resolved through redirects; `home` is the subject the account was first placed
//   in; joined.kind is founder | manual | identifier | link | split.
// - kIdentifiers "<kind>:<value>" -> {key, kind, value, accounts[], subjects[] (root hints), primary?,
//                 first_seen, last_seen}; for IP addresses {key, kind, value, sightings[]{t, a, r, p, x},
//                 shared, shared_since, shared_reason}.
// - kLinks "L-000001" -> manual link {type: link, a, b, nodes[2], ...} or do-not-merge constraint
//                 {type: nolink, a, b, left[], right[], ...} with reason, by, time, active;
//          "possible/<ip>/<account>/<account>" -> IP possible link {ip, accounts[2], first, last,
//                 count, proxy, status}.
// - kReferrals "<referral id>" -> the stored referral (engine/subjects/intake.h).
// - kAttributes "<subject id>\0<seq u64 BE>" -> attribute record (engine/subjects/attributes.h).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hashtriage::engine::subjects {

inline constexpr std::string_view kSubjectCounter = "subject";
inline constexpr std::string_view kAccountCounter = "account";
inline constexpr std::string_view kLinkCounter = "link";
inline constexpr std::string_view kAttributeCounter = "attribute";

// "S-000042", "A-000042", "L-000042".
std::string FormatId(char prefix, std::uint64_t number);

// Subject ids typed by people (scan --subject): 1..64 of [A-Za-z0-9._-], starting alphanumeric,
// and not shaped like an account id ("A-" followed by digits).
bool IsValidSubjectId(std::string_view id);
bool LooksLikeAccountId(std::string_view id);

// Linking works on nodes: account ids, and "subject:<id>" for the identity of a subject itself.
std::string SubjectNode(std::string_view subject_id);
bool IsSubjectNode(std::string_view node);
std::string_view SubjectOfNode(std::string_view node);

// JSON string arrays used as sets (small; order kept).
bool ListContains(const nlohmann::json& list, std::string_view value);
// Appends `value` unless present (creating the array when null); true when added.
bool ListAdd(nlohmann::json& list, std::string_view value);
void ListRemove(nlohmann::json& list, std::string_view value);

std::string PossibleLinkKey(std::string_view ip, std::string_view account_a, std::string_view account_b);

// `j[key]` when it is an array, else an empty array (safe on const records).
const nlohmann::json& ListField(const nlohmann::json& j, std::string_view key);
// `j[key]` as a string, "" when missing or not a string.
std::string StringField(const nlohmann::json& j, std::string_view key);
std::int64_t IntField(const nlohmann::json& j, std::string_view key, std::int64_t fallback = 0);

}  // namespace hashtriage::engine::subjects

// Small shared vocabulary of the subjects module: id formats ("S-000042"), which subject ids people may
// type, linking nodes ("subject:<id>" beside account ids) and possible-link keys. Pure functions.
#pragma once

#include <cstdint>
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

// "possible/<basis>/<a>/<b>" with the two account ids ordered; basis is an IP address or "identifiers".
std::string PossibleLinkKey(std::string_view basis, std::string_view account_a, std::string_view account_b);

}  // namespace hashtriage::engine::subjects

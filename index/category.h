// Category: hashtriage's own classification of a known image, independent of any source's numbering
// (VICS profiles, ICSE, NSRL are mapped onto it at import). Flags carry the per-entry facts a force
// records beside the category. Plain values; safe to share between threads.
// Persistent format: the numeric values of Category, HashType and the flag bits are stored in the index.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hashtriage::index {

// Persistent format: stored in every index entry. Append only; never renumber.
enum class Category : std::uint8_t {
  kUnknown = 0,                 // not (yet) graded
  kA = 1,                       // UK category A
  kB = 2,                       // UK category B
  kC = 3,                       // UK category C
  kIndecentUncategorised = 4,   // indecent, grade not given by the source
  kNonIndecent = 5,             // related but not indecent (e.g. series context, comparison images)
  kIgnorable = 6,               // known-good software / system files (NSRL)
};
inline constexpr int kCategoryCount = 7;

// "A", "B", "C", "indecent-uncategorised", "non-indecent", "ignorable", "unknown".
std::string_view CategoryName(Category c);
// Accepts the names above, case-insensitively; nullopt for anything else.
std::optional<Category> ParseCategory(std::string_view name);
// Seriousness for choosing between two sources' views of one hash, most serious first: A, B, C,
// indecent-uncategorised, unknown, non-indecent, ignorable (an ungraded hash outranks one a source
// called harmless). True when `a` is strictly more serious than `b`.
bool MoreSerious(Category a, Category b);

// Persistent format: the column family and key layout of each type. Append only.
enum class HashType : std::uint8_t {
  kMd5 = 1,
  kSha1 = 2,
  kSha256 = 3,
  kPdq = 4,
  kPhotoDna = 5,  // kept verbatim for export only; never searched
};
inline constexpr HashType kAllHashTypes[] = {HashType::kMd5, HashType::kSha1, HashType::kSha256, HashType::kPdq,
                                             HashType::kPhotoDna};
// "md5", "sha1", "sha256", "pdq", "photodna".
std::string_view HashTypeName(HashType t);
std::optional<HashType> ParseHashType(std::string_view name);
// Raw key length in bytes: 16, 20, 32, 32, 144.
std::size_t HashTypeSize(HashType t);

// Persistent format: flag bits stored with every entry. Append only.
enum EntryFlag : std::uint8_t {
  kFlagVictimIdentified = 1,
  kFlagOffenderIdentified = 2,
  kFlagDistributed = 4,
  kFlagLowQuality = 8,  // PDQ quality below hashing::kPdqMinGoodQuality: kept, searchable, flagged
  kFlagVideoFrame = 16,  // a frame of a known video (vPDQ list); media_id names the video
};

}  // namespace hashtriage::index

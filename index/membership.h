// The values the known-image index stores and returns: what an importer records for one hash
// (EntryInfo), one set membership of a looked-up hash (Membership), a PDQ match, and the
// per-set and whole-index summaries. Plain values; safe to copy between threads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hashing/pdq_hash.h"
#include "index/category.h"

namespace hashtriage::index {

// What a hash set says about one hash. Stored per (hash, set).
struct EntryInfo {
  Category category = Category::kUnknown;
  std::uint8_t flags = 0;  // EntryFlag bits
  int pdq_quality = -1;    // 0..100 for PDQ entries when the source gives it; -1 otherwise
  std::string series;      // series name, "" when none
  std::string media_id;    // the source's id for the image (VICS MediaID, ICSE Image ID), "" when none
  friend bool operator==(const EntryInfo&, const EntryInfo&) = default;
};

// One set in which a looked-up hash is known.
struct Membership {
  std::string set_name;
  HashType hash_type = HashType::kMd5;
  EntryInfo info;
};

// One indexed PDQ hash within the search threshold of a query, with one of its memberships.
// A hash known in several sets yields one PdqMatch per set.
struct PdqMatch {
  hashing::PdqHash hash;  // the indexed hash (not the query)
  int distance = 0;       // Hamming distance to the query, 0..256
  Membership membership;
};

// One known video of a vPDQ set: its distinct frame hashes (each with the best quality any of its
// frames had), which the vPDQ rule compares whole with a scanned video's frames.
struct KnownVideo {
  std::string media_id;  // the hash list's file name without its extension
  struct Frame {
    hashing::PdqHash hash;
    int quality = 0;
    friend bool operator==(const Frame&, const Frame&) = default;
  };
  std::vector<Frame> frames;
  friend bool operator==(const KnownVideo&, const KnownVideo&) = default;
};

// A committed hash set.
struct SetInfo {
  std::string name;
  std::uint32_t generation = 0;     // unique per import; a re-import gets a new one
  std::string format;               // importer that wrote it ("vics", "md5sum", ...)
  std::vector<std::string> sources; // file names given to the import
  std::int64_t imported_unix = 0;   // commit time, seconds since the epoch (UTC)
  std::uint64_t records_read = 0;
  std::uint64_t records_rejected = 0;
  std::map<HashType, std::uint64_t> entries;  // distinct hashes stored, per type
  std::array<std::uint64_t, kCategoryCount> by_category{};  // entries (all types) per Category value
  // vPDQ sets: every video, by media id order of import. Its frames are also PDQ entries of the set
  // (kFlagVideoFrame), which is how a scanned video finds its candidates.
  std::vector<KnownVideo> videos;
  // Library feature sets (NAME+features, index/feature_library.h): pictures whose local features are
  // stored. 0 for every other set.
  std::uint64_t feature_pictures = 0;
};

struct IndexStats {
  std::string path;
  int schema_version = 0;
  std::uint64_t sets = 0;
  std::map<HashType, std::uint64_t> entries;  // memberships per type, summed over sets
  std::uint64_t pdq_unique_hashes = 0;        // distinct PDQ hashes held in memory (0 if not loaded)
  std::uint64_t pdq_memory_bytes = 0;         // memory of the in-memory PDQ search structure
  std::uint64_t filter_memory_bytes = 0;      // memory of the exact-lookup filters
  std::uint64_t exact_table_memory_bytes = 0; // memory of the in-memory exact tables (0 if not loaded)
  std::uint64_t disk_bytes = 0;               // live SST file bytes (RocksDB estimate)
  std::string structures;  // whether the search structures were mapped from their files or built at open (why)
};

}  // namespace hashtriage::index

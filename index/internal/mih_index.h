// MihIndex: exact Hamming-radius search over an in-memory set of PDQ hashes, by multi-index hashing
// (M. Norouzi, A. Punjani, D. J. Fleet, "Fast Exact Search in Hamming Space with Multi-Index Hashing",
// IEEE TPAMI 2014) with a popcount flat scan beside it, picked per batch by a cost model.
// Exactness: the m substrings are disjoint, so a hash within t bits of a query has some substring
// within floor(t/m) bits (the first t mod m + 1 substrings are probed at that radius, the rest at one
// less; see SearchRadii). Built once, then immutable: Search may be called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "hashing/pdq_hash.h"
#include "index/internal/huge_array.h"
#include "index/internal/structure_file.h"

namespace hashtriage::index::internal {

enum class PdqSearchMethod : std::uint8_t {
  kAuto = 0,  // per batch, whichever the cost model predicts is cheaper
  kMih = 1,   // multi-index hashing probes + verification
  kFlat = 2,  // popcount over every hash
};

struct MihConfig {
  // Number of disjoint substrings (tables), m. 0 = choose from the number of hashes (see ChooseConfig).
  int substrings = 0;
  // Bits per substring, b; substrings * substring_bits <= 256 and substring_bits <= 24.
  // 0 = choose together with substrings.
  int substring_bits = 0;
};

struct PdqHit {
  std::uint32_t id = 0;  // position in the vector given to Build
  int distance = 0;
  friend bool operator==(const PdqHit&, const PdqHit&) = default;
};

struct PdqSearchStats {
  std::uint64_t mih_queries = 0;
  std::uint64_t flat_queries = 0;
  std::uint64_t probes = 0;      // buckets looked at
  std::uint64_t candidates = 0;  // hashes whose full distance was computed by MIH
};

struct PdqSearchResult {
  std::vector<std::vector<PdqHit>> hits;  // per query, sorted by (distance, id), no duplicates
  PdqSearchStats stats;
};

class MihIndex {
 public:
  MihIndex() = default;
  MihIndex(MihIndex&&) = default;
  MihIndex& operator=(MihIndex&&) = default;

  // Builds the tables over `hashes` (duplicates allowed; each keeps its own id).
  // With fewer than kMinHashesForTables hashes no tables are built and every search is flat.
  static MihIndex Build(std::vector<hashing::PdqHash> hashes, MihConfig config = {});
  static constexpr std::size_t kMinHashesForTables = 4096;

  // The configuration Build picks for n hashes: minimises predicted probes and candidates at t=31
  // with at most 2^b <= n/2 buckets per table.
  static MihConfig ChooseConfig(std::size_t n);

  // Every id within `threshold` (0..256) of each query.
  PdqSearchResult Search(std::span<const hashing::PdqHash> queries, int threshold,
                         PdqSearchMethod method = PdqSearchMethod::kAuto) const;

  // What kAuto picks for this threshold.
  PdqSearchMethod ChooseMethod(int threshold) const;

  std::size_t size() const { return hashes_.size(); }
  const hashing::PdqHash& hash(std::uint32_t id) const { return hashes_[id].hash; }
  int substrings() const { return m_; }
  int substring_bits() const { return b_; }
  std::size_t MemoryBytes() const;

  // What a structure file keeps (search_structures.h): {hashes, m, b} and the hashes, then each
  // table's offsets and ids; and the index read back from such a file, searching the mapped arrays
  // in place (nullopt when its parameters and sections do not fit together). Searches of a mapped
  // index check every bucket bound and id against the hash count, so a damaged file cannot send a
  // read outside the mapping.
  std::vector<std::uint64_t> Params() const;
  std::vector<StructureSection> Sections() const;
  static std::optional<MihIndex> FromMapped(std::shared_ptr<const MappedStructure> file);
  bool mapped() const { return file_ != nullptr; }

 private:
  void SearchMih(const hashing::PdqHash& query, int threshold, struct MihScratch& scratch,
                 std::vector<PdqHit>& out, PdqSearchStats& stats) const;
  void SearchFlat(std::span<const hashing::PdqHash> queries, int threshold,
                  std::vector<std::vector<PdqHit>>& out) const;
  std::uint32_t Substring(const hashing::PdqHash& h, int table) const;
  void BuildTable(int table);

  // 32-byte aligned so that verifying a candidate touches one cache line, not two.
  struct alignas(32) AlignedHash {
    hashing::PdqHash hash;
  };
  HugeArray<AlignedHash> hashes_;
  int m_ = 0;  // tables
  int b_ = 0;  // bits per table
  // offsets_[j] has 2^b + 1 entries: bucket k of table j is ids_[j][offsets_[j][k] .. offsets_[j][k+1]).
  std::vector<HugeArray<std::uint32_t>> offsets_;
  std::vector<HugeArray<std::uint32_t>> ids_;
  std::shared_ptr<const MappedStructure> file_;  // the mapping the arrays view, if mapped
};

// Radius per table for an exact search at `threshold` with m tables: floor(t/m) for the first
// (t mod m)+1 tables and one less for the rest (-1 means the table is not probed).
std::vector<int> SearchRadii(int threshold, int m);

}  // namespace hashtriage::index::internal

#include "index/internal/exact_table.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "index/internal/index_store.h"
#include "index/internal/key_codec.h"

namespace hashtriage::index::internal {

namespace {

// Distinct payloads remembered for sharing while building; beyond this (sets whose entries all differ,
// e.g. a media id per entry) new payloads are simply appended, which keeps build memory bounded.
constexpr std::size_t kMaxSharedPayloads = std::size_t{1} << 16;

}  // namespace

std::size_t ExactTable::Bucket(std::span<const std::uint8_t> digest) const {
  if (dir_bits_ == 0) return 0;
  return static_cast<std::size_t>(GetU64BE(reinterpret_cast<const char*>(digest.data())) >> (64 - dir_bits_));
}

Result<std::unique_ptr<ExactTable>> ExactTable::Build(const IndexStore& store, HashType type) {
  std::unique_ptr<ExactTable> t(new ExactTable());
  t->type_ = type;
  t->digest_size_ = HashTypeSize(type);
  t->stride_ = t->digest_size_ + 4;
  const std::size_t n = t->digest_size_;
  std::uint64_t expected = 0;
  for (const auto& [name, set] : store.sets()) {
    if (auto it = set.entries.find(type); it != set.entries.end()) expected += it->second;
  }
  std::size_t capacity = std::max<std::size_t>(expected, 1);
  t->keys_ = HugeArray<std::uint8_t>(capacity * t->stride_);

  std::unordered_map<std::uint32_t, std::uint32_t> slot_of;  // generation -> slot
  std::unordered_map<std::string, std::uint32_t> shared;     // payload record -> arena offset
  std::uint64_t lookups = 0, shared_hits = 0;
  std::string record;
  auto it = store.NewIterator(type, /*total_order=*/true);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto key = it->key();
    if (key.size() != n + 4) continue;
    const std::uint32_t generation = GetU32BE(key.data() + n);
    if (store.LiveSetName(generation) == nullptr) continue;
    const auto [slot, added] = slot_of.try_emplace(generation, static_cast<std::uint32_t>(t->slots_.size()));
    if (added) t->slots_.push_back(generation);
    if (t->rows_ == 4096 && expected > t->rows_) {  // reserve from the first rows' average (avoids copies)
      t->payloads_.reserve(t->payloads_.size() / 4096 * (expected + expected / 8));
    }
    const auto value = it->value().ToStringView();
    record.clear();
    PutVarint(record, slot->second);
    PutVarint(record, value.size());
    record += value;
    std::uint32_t offset;
    // Once the map is full, keep looking up only while sharing pays (at least every other row).
    const bool try_share = shared.size() < kMaxSharedPayloads || shared_hits * 2 >= lookups;
    auto found = try_share ? shared.find(record) : shared.end();
    lookups += try_share ? 1 : 0;
    if (found != shared.end()) {
      offset = found->second;
      ++shared_hits;
    } else {
      if (t->payloads_.size() + record.size() > std::numeric_limits<std::uint32_t>::max()) {
        return Status::ResourceLimit("in-memory exact table of " + std::string(HashTypeName(type)) +
                                     ": more than 4 GiB of entry payloads (open without exact_in_memory)");
      }
      offset = static_cast<std::uint32_t>(t->payloads_.size());
      t->payloads_ += record;
      if (shared.size() < kMaxSharedPayloads) shared.emplace(record, offset);
    }
    if (t->rows_ == capacity) {  // set records undercounted the keys: grow
      HugeArray<std::uint8_t> bigger(2 * capacity * t->stride_);
      std::memcpy(bigger.data(), t->keys_.data(), t->rows_ * t->stride_);
      t->keys_ = std::move(bigger);
      capacity *= 2;
    }
    std::uint8_t* row = t->keys_.data() + t->rows_ * t->stride_;
    std::memcpy(row, key.data(), n);
    std::memcpy(row + n, &offset, 4);
    if (++t->rows_ >= std::numeric_limits<std::uint32_t>::max()) {
      return Status::ResourceLimit("in-memory exact table of " + std::string(HashTypeName(type)) +
                                   ": more than 2^32 entries (open without exact_in_memory)");
    }
  }
  if (!it->status().ok()) {
    return Status::IOError("cannot read " + store.dir() + ": " + it->status().ToString());
  }
  t->payloads_.shrink_to_fit();
  t->slots_.shrink_to_fit();

  // About 2..4 rows per bucket: 2^(bit_width(rows) - 2) buckets.
  t->dir_bits_ = t->rows_ < 4 ? 0 : static_cast<int>(std::bit_width(t->rows_)) - 2;
  const std::size_t buckets = std::size_t{1} << t->dir_bits_;
  t->dir_ = HugeArray<std::uint32_t>(buckets + 1);
  std::size_t r = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    while (r < t->rows_ && t->Bucket({t->keys_.data() + r * t->stride_, n}) < b) ++r;
    t->dir_[b] = static_cast<std::uint32_t>(r);
  }
  t->dir_[buckets] = static_cast<std::uint32_t>(t->rows_);
  return t;
}

std::size_t ExactTable::FindRow(std::span<const std::uint8_t> digest, std::size_t* end, bool* found) const {
  const std::size_t n = digest_size_;
  const std::size_t b = Bucket(digest);
  std::size_t lo = dir_[b];
  *end = dir_[b + 1];
  const std::uint8_t* keys = keys_.data();
  // Lower bound of the digest within its bucket (rows of one digest are adjacent and in one bucket).
  for (std::size_t hi = *end; lo < hi;) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (std::memcmp(keys + mid * stride_, digest.data(), n) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = lo < *end && std::memcmp(keys + lo * stride_, digest.data(), n) == 0;
  return lo;
}

void ExactTable::PrefetchPayload(std::span<const std::uint8_t> digest) const {
  std::size_t end;
  bool found;
  const std::size_t r = FindRow(digest, &end, &found);
  if (!found) return;
  std::uint32_t offset;
  std::memcpy(&offset, keys_.data() + r * stride_ + digest_size_, 4);
  __builtin_prefetch(payloads_.data() + offset);
}

Status ExactTable::Lookup(std::span<const std::uint8_t> digest, const IndexStore& store,
                          std::vector<Membership>& out) const {
  const std::size_t n = digest_size_;
  const std::uint8_t* keys = keys_.data();
  std::size_t end;
  bool found;
  const std::size_t lo = FindRow(digest, &end, &found);
  if (!found) return Status::Ok();
  const std::size_t first = out.size();
  for (std::size_t r = lo; r < end && std::memcmp(keys + r * stride_, digest.data(), n) == 0; ++r) {
    std::uint32_t offset;
    std::memcpy(&offset, keys + r * stride_ + n, 4);
    std::size_t pos = offset;
    const std::string_view arena(payloads_);
    const auto slot = GetVarint(arena, pos);
    const auto length = GetVarint(arena, pos);
    if (!slot || !length || *slot >= slots_.size() || *length > arena.size() - pos) {
      return Status::Internal("in-memory exact table: bad payload record");
    }
    const std::string* set = store.LiveSetName(slots_[*slot]);
    if (set == nullptr) continue;  // removed or replaced since the table was built
    auto info = DecodeEntry(arena.substr(pos, *length));
    if (!info) return Status::Corruption(store.dir() + ": unreadable " + std::string(HashTypeName(type_)) + " entry");
    out.push_back({*set, type_, std::move(*info)});
  }
  // The RocksDB path returns a digest's memberships in set-name order; rows are in generation order.
  if (out.size() - first > 1) {
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const Membership& a, const Membership& b) { return a.set_name < b.set_name; });
  }
  return Status::Ok();
}

std::size_t ExactTable::MemoryBytes() const {
  return keys_.MemoryBytes() + dir_.MemoryBytes() + payloads_.capacity() + slots_.capacity() * sizeof(std::uint32_t);
}

}  // namespace hashtriage::index::internal

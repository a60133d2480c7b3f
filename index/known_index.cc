#include "index/known_index.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <numeric>

#include "index/feature_library.h"
#include "index/internal/exact_filter.h"
#include "index/internal/exact_table.h"
#include "index/internal/index_store.h"
#include "index/internal/key_codec.h"
#include "index/internal/mih_index.h"
#include "index/internal/search_structures.h"
#include "index/set_writer.h"

namespace hashtriage::index {

using internal::ExactFilter;
using internal::ExactTable;
using internal::IndexStore;
using internal::MihIndex;

std::string DefaultIndexDir() {
  const char* env = std::getenv("HASHTRIAGE_INDEX");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("hashtriage-index");
}

struct KnownIndex::LazyFeatures {
  std::once_flag once;
  Status status;
  std::unique_ptr<FeatureLibrary> library;
};

KnownIndex::KnownIndex() : features_(std::make_unique<LazyFeatures>()) {}
KnownIndex::~KnownIndex() = default;

bool KnownIndex::HasFeatureSets() const {
  return std::any_of(store_->sets().begin(), store_->sets().end(),
                     [](const auto& kv) { return kv.second.feature_pictures > 0; });
}

Result<const FeatureLibrary*> KnownIndex::LibraryFeatures() const {
  std::call_once(features_->once, [this] {
    std::vector<LibraryPicture> pictures;
    for (const auto& entry : store_->sets()) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda below.
      const std::string& name = entry.first;
      const auto& set = entry.second;
      if (set.feature_pictures == 0) continue;
      const std::size_t first = pictures.size();
      Status read = store_->ForEachFeatures(set.generation, [&](std::string_view blob) -> Status {
        HT_ASSIGN_OR_RETURN(LibraryPicture picture, DecodeLibraryPicture(blob));
        picture.set = name;
        pictures.push_back(std::move(picture));
        return Status::Ok();
      });
      if (read.ok() && pictures.size() - first != set.feature_pictures) {
        read = Status::Corruption("holds " + std::to_string(pictures.size() - first) + " feature records of " +
                                  std::to_string(set.feature_pictures));
      }
      if (!read.ok()) {
        features_->status = read.WithContext(store_->dir() + ": set '" + name + "'");
        return;
      }
    }
    if (!pictures.empty()) features_->library = std::make_unique<FeatureLibrary>(std::move(pictures));
  });
  if (!features_->status.ok()) return features_->status;
  return static_cast<const FeatureLibrary*>(features_->library.get());
}

Result<std::unique_ptr<KnownIndex>> KnownIndex::Open(const IndexOptions& options) {
  std::unique_ptr<KnownIndex> index(new KnownIndex());
  index->options_ = options;
  if (index->options_.path.empty()) index->options_.path = DefaultIndexDir();
  IndexStore::Options so;
  so.dir = index->options_.path;
  so.read_only = options.read_only;
  so.block_cache_bytes = options.block_cache_bytes != 0 ? options.block_cache_bytes
                         : options.read_only          ? std::size_t{16} << 20
                                                      : std::size_t{64} << 20;
  HT_ASSIGN_OR_RETURN(index->store_, IndexStore::Open(so));
  index->filters_.resize(8);
  index->tables_.resize(8);
  try {
    if (options.exact_in_memory) {
      for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
        HT_RETURN_IF_ERROR(index->BuildTable(type));
      }
    }
    if (!options.read_only) {
      KnownIndex* self = index.get();
      index->store_->set_commit_listener([self](const SetInfo& set) { self->OnCommit(set); });
    }
    // Each structure is mapped from its file when that was written from this index state, else built.
    const std::string fingerprint = internal::IndexFingerprint(index->store_->sets());
    bool built = false;
    if (options.exact_filter) HT_RETURN_IF_ERROR(index->BuildFilters(fingerprint, built));
    if (options.load_pdq) HT_RETURN_IF_ERROR(index->LoadPdq(fingerprint, built));
    // A writer leaves current files for the readers that follow (an index from before the files, or
    // whose files were removed); failing to write them costs those readers time, not answers.
    if (built && !options.read_only) (void)index->SaveStructures(fingerprint);
  } catch (const std::bad_alloc&) {
    return Status::ResourceLimit("not enough memory to load the index " + index->options_.path);
  }
  return index;
}

const std::string& KnownIndex::path() const { return options_.path; }

Status KnownIndex::BuildFilters(const std::string& fingerprint, bool& built) {
  for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
    std::uint64_t expected = 0;
    for (const auto& [name, set] : store_->sets()) {
      if (auto it = set.entries.find(type); it != set.entries.end()) expected += it->second;
    }
    if (expected == 0) continue;
    if (!fingerprint.empty()) {
      std::string why;
      if (auto mapped = internal::MapFilterStructure(type, options_.path, fingerprint, &why)) {
        filters_[static_cast<std::size_t>(type)] = std::make_unique<ExactFilter>(std::move(*mapped));
        continue;
      }
      structures_note_ += std::string(HashTypeName(type)) + " filter built (file " + why + "); ";
    }
    built = true;
    auto filter = std::make_unique<ExactFilter>(expected);
    if (const ExactTable* table = tables_[static_cast<std::size_t>(type)].get()) {  // no second pass over RocksDB
      table->ForEachDigest([&](std::span<const std::uint8_t> digest) { filter->Add(digest); });
      filters_[static_cast<std::size_t>(type)] = std::move(filter);
      continue;
    }
    auto it = store_->NewIterator(type, /*total_order=*/true);
    const std::size_t n = HashTypeSize(type);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const auto key = it->key();
      if (key.size() != n + 4 || store_->LiveSetName(internal::GetU32BE(key.data() + n)) == nullptr) continue;
      filter->Add({reinterpret_cast<const std::uint8_t*>(key.data()), n});
    }
    if (!it->status().ok()) return Status::IOError("cannot read " + options_.path + ": " + it->status().ToString());
    filters_[static_cast<std::size_t>(type)] = std::move(filter);
  }
  return Status::Ok();
}

Status KnownIndex::BuildTable(HashType type) {
  tables_[static_cast<std::size_t>(type)].reset();
  const bool have_entries = std::any_of(store_->sets().begin(), store_->sets().end(), [&](const auto& kv) {
    auto it = kv.second.entries.find(type);
    return it != kv.second.entries.end() && it->second > 0;
  });
  if (!have_entries) return Status::Ok();  // an absent table answers from RocksDB (nothing there either)
  HT_ASSIGN_OR_RETURN(tables_[static_cast<std::size_t>(type)], ExactTable::Build(*store_, type));
  return Status::Ok();
}

// A set was committed through this index: rebuild the tables of its exact types so lookups see it, and
// their filters from the new tables (built at open, the old ones would hide the new digests). Removed
// and replaced sets need nothing: the table skips generations that are no longer live. Should a rebuild
// fail, that type has neither and falls back to RocksDB lookups, which are always current.
void KnownIndex::OnCommit(const SetInfo& set) {
  (void)WriteSearchStructures();
  if (!options_.exact_in_memory) return;
  for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
    auto it = set.entries.find(type);
    if (it == set.entries.end() || it->second == 0) continue;
    const auto t = static_cast<std::size_t>(type);
    filters_[t].reset();
    try {
      if (!BuildTable(type).ok()) {
        tables_[t].reset();
      } else if (options_.exact_filter && tables_[t]) {
        auto filter = std::make_unique<ExactFilter>(tables_[t]->rows());
        tables_[t]->ForEachDigest([&](std::span<const std::uint8_t> digest) { filter->Add(digest); });
        filters_[t] = std::move(filter);
      }
    } catch (const std::bad_alloc&) {
      tables_[t].reset();
      filters_[t].reset();
    }
  }
}

Status KnownIndex::LoadPdq(const std::string& fingerprint, bool& built) {
  if (!fingerprint.empty()) {
    std::string why;
    if (auto mapped = internal::MapPdqStructure(options_.path, fingerprint, &why)) {
      pdq_ = std::make_unique<MihIndex>(std::move(*mapped));
      return Status::Ok();
    }
    structures_note_ += "PDQ tables built (file " + why + "); ";
  }
  built = true;
  std::vector<hashing::PdqHash> hashes;
  auto it = store_->NewIterator(HashType::kPdq, /*total_order=*/true);
  std::string previous;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto key = it->key().ToStringView();
    if (key.size() != 36 || store_->LiveSetName(internal::GetU32BE(key.data() + 32)) == nullptr) continue;
    if (key.substr(0, 32) == previous) continue;  // the same hash in several sets: one entry
    previous.assign(key.substr(0, 32));
    hashes.push_back(internal::PdqFromBytes(reinterpret_cast<const std::uint8_t*>(key.data())));
  }
  if (!it->status().ok()) return Status::IOError("cannot read " + options_.path + ": " + it->status().ToString());
  pdq_ = std::make_unique<MihIndex>(MihIndex::Build(std::move(hashes)));
  return Status::Ok();
}

template <typename Digest>
Result<std::vector<std::vector<Membership>>> KnownIndex::LookupExact(HashType type,
                                                                     std::span<const Digest> digests) const {
  std::vector<std::vector<Membership>> out(digests.size());
  const ExactFilter* filter = filters_[static_cast<std::size_t>(type)].get();
  const bool have_entries = std::any_of(store_->sets().begin(), store_->sets().end(), [&](const auto& kv) {
    auto it = kv.second.entries.find(type);
    return it != kv.second.entries.end() && it->second > 0;
  });
  if (!have_entries && options_.exact_filter) return out;
  // Filter first (prefetching ahead), then seek the survivors in key order on one iterator.
  std::vector<std::uint32_t> todo;
  todo.reserve(digests.size());
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (filter != nullptr && i + kAhead < digests.size()) filter->Prefetch(digests[i + kAhead].bytes);
    if (filter == nullptr || filter->MayContain(digests[i].bytes)) todo.push_back(static_cast<std::uint32_t>(i));
  }
  if (todo.empty()) return out;
  if (const ExactTable* table = tables_[static_cast<std::size_t>(type)].get()) {
    // In memory: directory entries prefetched 12 ahead, the rows they point at 8 ahead, payloads 4 ahead.
    constexpr std::size_t kDirAhead = 12, kRowAhead = 8, kPayloadAhead = 4;
    for (std::size_t k = 0; k < todo.size(); ++k) {
      if (k + kDirAhead < todo.size()) table->PrefetchDirectory(digests[todo[k + kDirAhead]].bytes);
      if (k + kRowAhead < todo.size()) table->PrefetchRows(digests[todo[k + kRowAhead]].bytes);
      if (k + kPayloadAhead < todo.size()) table->PrefetchPayload(digests[todo[k + kPayloadAhead]].bytes);
      HT_RETURN_IF_ERROR(table->Lookup(digests[todo[k]].bytes, *store_, out[todo[k]]));
    }
    return out;
  }
  // Point reads in key order, a bounded batch at a time.
  std::sort(todo.begin(), todo.end(), [&](std::uint32_t a, std::uint32_t b) { return digests[a] < digests[b]; });
  constexpr std::size_t kChunk = 256;
  std::vector<std::string_view> hashes;
  std::vector<std::vector<Membership>*> outs;
  for (std::size_t start = 0; start < todo.size(); start += kChunk) {
    hashes.clear();
    outs.clear();
    for (std::size_t k = start; k < std::min(todo.size(), start + kChunk); ++k) {
      const auto& bytes = digests[todo[k]].bytes;
      hashes.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      outs.push_back(&out[todo[k]]);
    }
    HT_RETURN_IF_ERROR(store_->MultiGetMemberships(type, hashes, outs));
  }
  return out;
}

Result<std::vector<std::vector<Membership>>> KnownIndex::LookupMd5(std::span<const hashing::Md5Digest> d) const {
  return LookupExact(HashType::kMd5, d);
}
Result<std::vector<std::vector<Membership>>> KnownIndex::LookupSha1(std::span<const hashing::Sha1Digest> d) const {
  return LookupExact(HashType::kSha1, d);
}
Result<std::vector<std::vector<Membership>>> KnownIndex::LookupSha256(std::span<const hashing::Sha256Digest> d) const {
  return LookupExact(HashType::kSha256, d);
}

Result<std::vector<std::vector<PdqMatch>>> KnownIndex::SearchPdq(std::span<const hashing::PdqHash> queries,
                                                                 int threshold) const {
  if (threshold < 0 || threshold > kMaxPdqThreshold) {
    return Status::InvalidArgument("PDQ threshold must be 0.." + std::to_string(kMaxPdqThreshold) + ", got " +
                                   std::to_string(threshold));
  }
  if (!pdq_) return Status::InvalidArgument("index opened without PDQ hashes (IndexOptions::load_pdq)");
  const auto found = pdq_->Search(queries, threshold, static_cast<internal::PdqSearchMethod>(options_.pdq_method));
  std::vector<std::vector<PdqMatch>> out(queries.size());
  std::unique_ptr<rocksdb::Iterator> it;
  std::vector<Membership> memberships;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    for (const auto& hit : found.hits[q]) {
      if (!it) it = store_->NewIterator(HashType::kPdq);
      const hashing::PdqHash& h = pdq_->hash(hit.id);
      const auto bytes = internal::PdqToBytes(h);
      memberships.clear();
      HT_RETURN_IF_ERROR(store_->CollectMemberships(
          *it, HashType::kPdq, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
          memberships));
      for (auto& m : memberships) out[q].push_back({h, hit.distance, std::move(m)});
    }
  }
  return out;
}

std::vector<SetInfo> KnownIndex::ListSets() const {
  std::vector<SetInfo> out;
  for (const auto& [name, set] : store_->sets()) out.push_back(set);
  return out;
}

const KnownVideo* KnownIndex::FindVideo(std::string_view set, std::string_view media_id) const {
  const auto it = store_->sets().find(std::string(set));
  if (it == store_->sets().end()) return nullptr;
  for (const KnownVideo& v : it->second.videos) {
    if (v.media_id == media_id) return &v;
  }
  return nullptr;
}

bool KnownIndex::HasSet(std::string_view name) const {
  return store_->sets().find(std::string(name)) != store_->sets().end();
}

IndexStats KnownIndex::Stats() const {
  IndexStats s;
  s.path = options_.path;
  s.schema_version = internal::kSchemaVersion;
  s.sets = store_->sets().size();
  for (const auto& [name, set] : store_->sets()) {
    for (const auto& [type, n] : set.entries) s.entries[type] += n;
  }
  if (pdq_) {
    s.pdq_unique_hashes = pdq_->size();
    s.pdq_memory_bytes = pdq_->MemoryBytes();
  }
  for (const auto& f : filters_) {
    if (f) s.filter_memory_bytes += f->MemoryBytes();
  }
  for (const auto& t : tables_) {
    if (t) s.exact_table_memory_bytes += t->MemoryBytes();
  }
  s.disk_bytes = store_->DiskBytes();
  s.structures = structures_note_.empty() ? "mapped from files, or none needed" : structures_note_;
  return s;
}

Result<std::unique_ptr<SetWriter>> KnownIndex::BeginSet(std::string name, std::string format, bool strict) {
  if (name.empty() || name.size() > 200 ||
      std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return Status::InvalidArgument("set name must be 1..200 printable characters");
  }
  HT_ASSIGN_OR_RETURN(const std::uint32_t generation, store_->BeginGeneration());
  return std::unique_ptr<SetWriter>(
      new SetWriter(store_.get(), generation, std::move(name), std::move(format), strict, options_.import_memory_bytes));
}

Status KnownIndex::RemoveSet(std::string_view name) {
  HT_RETURN_IF_ERROR(store_->RemoveSet(name));
  (void)WriteSearchStructures();
  return Status::Ok();
}

std::string KnownIndex::SearchStructureFiles() const {
  return internal::DescribeStructureFiles(options_.path, store_->sets());
}

Status KnownIndex::SaveStructures(const std::string& fingerprint) const {
  for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
    const ExactFilter* f = filters_[static_cast<std::size_t>(type)].get();
    if (f != nullptr) HT_RETURN_IF_ERROR(internal::SaveFilterStructure(*f, type, options_.path, fingerprint));
  }
  if (pdq_) HT_RETURN_IF_ERROR(internal::SavePdqStructure(*pdq_, options_.path, fingerprint));
  return Status::Ok();
}

// Builds every structure afresh from RocksDB (whatever this object loaded), writes the files, and
// uses them from now on, so this object's lookups see its own commits and removals too.
Status KnownIndex::WriteSearchStructures() {
  // From RocksDB, not from this object's exact tables (OnCommit rebuilds those after this): they are
  // set aside meanwhile and put back however this ends.
  std::vector<std::unique_ptr<ExactTable>> tables(8);
  tables.swap(tables_);
  struct PutBack {
    std::vector<std::unique_ptr<ExactTable>>& from;
    std::vector<std::unique_ptr<ExactTable>>& to;
    ~PutBack() { to.swap(from); }
  } put_back{tables, tables_};
  Status status;
  try {
    const std::string fingerprint = internal::IndexFingerprint(store_->sets());
    bool built = false;
    filters_.clear();
    filters_.resize(8);
    status = BuildFilters("", built);
    if (status.ok()) status = LoadPdq("", built);
    if (status.ok()) status = SaveStructures(fingerprint);
  } catch (const std::bad_alloc&) {
    status = Status::ResourceLimit("not enough memory to build the search structures of " + options_.path);
  }
  // An open that asked for neither structure (an import, a removal) does not keep them in memory.
  if (!options_.load_pdq) pdq_.reset();
  if (!options_.exact_filter) {
    filters_.clear();
    filters_.resize(8);
  }
  return status;
}

}  // namespace hashtriage::index

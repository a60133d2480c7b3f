#include "index/internal/index_store.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <nlohmann/json.hpp>


#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "index/internal/key_codec.h"

namespace hashtriage::index::internal {

namespace fs = std::filesystem;

// Generations whose keys may be dropped: only ever grows (generations are never reused).
class DeadGenerations {
 public:
  bool Contains(std::uint32_t g) const {
    std::shared_lock lock(mu_);
    return dead_.count(g) != 0;
  }
  void Add(std::uint32_t g) {
    std::unique_lock lock(mu_);
    dead_.insert(g);
  }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_set<std::uint32_t> dead_;
};

namespace {

constexpr const char* kSetsFamily = "sets";
constexpr const char* kFeaturesFamily = "features";
constexpr const char* kSchemaKey = "schema_version";
constexpr const char* kNextGenerationKey = "next_generation";

// Drops the keys of dead generations during compaction: how removed and replaced sets free space.
// Hash families end their keys with the generation; the features family starts with it.
class DeadGenerationFilter : public rocksdb::CompactionFilter {
 public:
  DeadGenerationFilter(std::shared_ptr<DeadGenerations> dead, bool generation_first)
      : dead_(std::move(dead)), generation_first_(generation_first) {}
  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& /*value*/, std::string* /*new_value*/,
              bool* /*value_changed*/) const override {
    if (key.size() < 4) return false;
    return dead_->Contains(GetU32BE(generation_first_ ? key.data() : key.data() + key.size() - 4));
  }
  const char* Name() const override { return "hashtriage.DeadGenerationFilter"; }

 private:
  std::shared_ptr<DeadGenerations> dead_;
  bool generation_first_;
};

std::string FeatureKey(std::uint32_t generation, std::uint32_t ordinal) {
  std::string key;
  PutU32BE(key, generation);
  PutU32BE(key, ordinal);
  return key;
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsIOError()) {
    if (s.ToString().find("lock") != std::string::npos) {
      msg += " (is another hashtriage importing into this index?)";
    }
    return Status::IOError(msg);
  }
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  return Status::Internal(msg);
}

// A video's frames as one string: 64 hex digits of hash and 2 of quality per frame.
nlohmann::json VideosToJson(const std::vector<KnownVideo>& videos) {
  nlohmann::json out = nlohmann::json::array();
  for (const KnownVideo& v : videos) {
    std::string frames;
    frames.reserve(v.frames.size() * 66);
    for (const KnownVideo::Frame& f : v.frames) {
      char quality[3];
      std::snprintf(quality, sizeof quality, "%02x", f.quality & 0xFF);
      frames += f.hash.hex() + quality;
    }
    out.push_back({{"id", v.media_id}, {"frames", std::move(frames)}});
  }
  return out;
}

std::vector<KnownVideo> VideosFromJson(const nlohmann::json& array) {
  std::vector<KnownVideo> videos;
  if (!array.is_array()) return videos;
  for (const auto& j : array) {
    KnownVideo v;
    v.media_id = j.at("id").get<std::string>();
    const std::string frames = j.at("frames").get<std::string>();
    if (frames.size() % 66 != 0) throw std::runtime_error("video " + v.media_id + ": malformed frames");
    for (std::size_t at = 0; at < frames.size(); at += 66) {
      auto hash = hashing::PdqHash::FromHex(std::string_view(frames).substr(at, 64));
      if (!hash.ok()) throw std::runtime_error("video " + v.media_id + ": malformed frame hash");
      v.frames.push_back({*hash, std::stoi(frames.substr(at + 64, 2), nullptr, 16)});
    }
    videos.push_back(std::move(v));
  }
  return videos;
}

nlohmann::json SetToJson(const SetInfo& s) {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [type, n] : s.entries) entries[std::string(HashTypeName(type))] = n;
  return {{"name", s.name},
          {"generation", s.generation},
          {"format", s.format},
          {"sources", s.sources},
          {"imported_unix", s.imported_unix},
          {"records_read", s.records_read},
          {"records_rejected", s.records_rejected},
          {"entries", entries},
          {"by_category", s.by_category},
          {"videos", VideosToJson(s.videos)},
          {"feature_pictures", s.feature_pictures}};
}

Result<SetInfo> SetFromJson(std::string_view text) {
  try {
    const auto j = nlohmann::json::parse(text);
    SetInfo s;
    s.name = j.at("name").get<std::string>();
    s.generation = j.at("generation").get<std::uint32_t>();
    s.format = j.value("format", "");
    s.sources = j.value("sources", std::vector<std::string>{});
    s.imported_unix = j.value("imported_unix", std::int64_t{0});
    s.records_read = j.value("records_read", std::uint64_t{0});
    s.records_rejected = j.value("records_rejected", std::uint64_t{0});
    for (const auto& [k, v] : j.at("entries").items()) {
      if (auto t = ParseHashType(k)) s.entries[*t] = v.get<std::uint64_t>();
    }
    const auto cats = j.value("by_category", std::vector<std::uint64_t>{});
    for (std::size_t i = 0; i < cats.size() && i < s.by_category.size(); ++i) s.by_category[i] = cats[i];
    if (j.contains("videos")) s.videos = VideosFromJson(j.at("videos"));
    s.feature_pictures = j.value("feature_pictures", std::uint64_t{0});
    return s;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("unreadable set record: ") + e.what());
  }
}

}  // namespace

IndexStore::~IndexStore() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
}

rocksdb::ColumnFamilyOptions IndexStore::HashFamilyOptions(HashType type) const {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache_;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;  // exact lookups: point reads of hash + generation
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  // Partitioned index and filters, read through the block cache: an open loads only each table's top
  // level, and a process that looks up a few hashes reads a few partitions, instead of every table's
  // whole filter and index into its own heap (tens of MB per 10M hashes, per process).
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.cache_index_and_filter_blocks = true;
  table.pin_top_level_index_and_filter = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(HashTypeSize(type)));
  cf.compression = rocksdb::kNoCompression;  // hashes do not compress
  return cf;
}

rocksdb::Options IndexStore::SstWriterOptions(HashType type) const {
  return rocksdb::Options(rocksdb::DBOptions(), HashFamilyOptions(type));
}

Result<std::unique_ptr<IndexStore>> IndexStore::Open(const Options& options) {
  std::unique_ptr<IndexStore> store(new IndexStore());
  store->options_ = options;
  store->dead_ = std::make_shared<DeadGenerations>();
  store->cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  const fs::path dir(options.dir);
  const fs::path db_path = dir / "db";
  std::error_code ec;
  const bool exists = fs::exists(db_path / "CURRENT", ec);
  if (!exists) {
    if (fs::exists(dir / "CURRENT", ec)) {
      return Status::InvalidArgument(options.dir + ": a RocksDB database, but not a hashtriage index");
    }
    if (options.read_only) {
      return Status::NotFound("no index at " + options.dir + " (create one with `hashtriage index import`)");
    }
    fs::create_directories(db_path, ec);
    if (ec) return Status::IOError("cannot create " + db_path.string() + ": " + ec.message());
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.max_open_files = -1;
  db_options.keep_log_file_num = 2;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.max_background_jobs = 2;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  rocksdb::ColumnFamilyOptions sets_options;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  families.emplace_back(kSetsFamily, sets_options);
  for (HashType t : kAllHashTypes) {
    auto cf = store->HashFamilyOptions(t);
    store->filters_.push_back(std::make_unique<DeadGenerationFilter>(store->dead_, false));
    cf.compaction_filter = store->filters_.back().get();
    families.emplace_back(std::string(HashTypeName(t)), cf);
  }
  // Library features (index/feature_library.h). An index written before they existed has no such family:
  // a read-only open goes on without it (no features), a read-write open adds it.
  bool with_features = true;
  if (exists) {
    std::vector<std::string> names;
    auto s = rocksdb::DB::ListColumnFamilies(db_options, db_path.string(), &names);
    if (!s.ok()) return FromRocks(s, "cannot open index " + options.dir);
    with_features = !options.read_only || std::find(names.begin(), names.end(), kFeaturesFamily) != names.end();
  }
  if (with_features) {
    rocksdb::ColumnFamilyOptions cf;
    store->filters_.push_back(std::make_unique<DeadGenerationFilter>(store->dead_, true));
    cf.compaction_filter = store->filters_.back().get();
    cf.compression = rocksdb::kNoCompression;  // descriptors do not compress
    families.emplace_back(kFeaturesFamily, cf);
  }
  if (exists) {
    std::vector<std::string> names;
    auto s = rocksdb::DB::ListColumnFamilies(db_options, db_path.string(), &names);
    if (!s.ok()) return FromRocks(s, "cannot open index " + options.dir);
    for (const auto& f : families) {
      if (std::find(names.begin(), names.end(), f.name) == names.end() && options.read_only) {
        return Status::InvalidArgument(options.dir + ": not a hashtriage index (no column family '" + f.name + "')");
      }
    }
    for (const auto& n : names) {
      if (std::none_of(families.begin(), families.end(), [&](const auto& f) { return f.name == n; })) {
        families.emplace_back(n, rocksdb::ColumnFamilyOptions());  // unknown families must be opened too
      }
    }
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(db_options, db_path.string(), families, &store->handles_, &raw)
                          : rocksdb::DB::Open(db_options, db_path.string(), families, &store->handles_, &raw);
  if (!s.ok()) return FromRocks(s, "cannot open index " + options.dir);
  store->db_.reset(raw);
  store->sets_cf_ = store->handles_[1];
  for (std::size_t i = 0; i < std::size(kAllHashTypes); ++i) store->hash_cf_[kAllHashTypes[i]] = store->handles_[2 + i];
  if (with_features) store->features_cf_ = store->handles_[2 + std::size(kAllHashTypes)];

  std::string version;
  s = store->db_->Get(rocksdb::ReadOptions(), kSchemaKey, &version);
  if (s.IsNotFound() && !exists) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = store->db_->Put(wo, kSchemaKey, std::to_string(kSchemaVersion));
    if (!s.ok()) return FromRocks(s, "cannot initialise index " + options.dir);
  } else if (s.IsNotFound()) {
    return Status::InvalidArgument(options.dir + ": not a hashtriage index (no schema version)");
  } else if (!s.ok()) {
    return FromRocks(s, "cannot read index " + options.dir);
  } else if (version != std::to_string(kSchemaVersion)) {
    return Status::NotSupported("index " + options.dir + " has schema version " + version +
                                "; this hashtriage reads schema version " + std::to_string(kSchemaVersion) +
                                " only: build a new index with `hashtriage index import`");
  }
  HT_RETURN_IF_ERROR(store->LoadSets());
  if (!options.read_only) fs::remove_all(dir / "staging", ec);  // leftovers of interrupted imports
  return store;
}

Status IndexStore::LoadSets() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), sets_cf_));
  std::vector<std::uint32_t> interrupted;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto key = it->key().ToStringView();
    const auto value = it->value().ToStringView();
    if (key.size() == 5 && key[0] == 'G') {
      const std::uint32_t g = GetU32BE(key.data() + 1);
      dead_->Add(g);  // importing or dead: never visible
      if (value == "importing") interrupted.push_back(g);
    } else if (!key.empty() && key[0] == 'S') {
      auto info = SetFromJson(value);
      if (!info.ok()) return info.status().WithContext(options_.dir + ": set '" + std::string(key.substr(1)) + "'");
      live_[info->generation] = info->name;
      sets_[info->name] = std::move(*info);
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read sets of " + options_.dir);
  if (!options_.read_only) {
    for (std::uint32_t g : interrupted) HT_RETURN_IF_ERROR(MarkDead(g));  // an import that never committed
  }
  return Status::Ok();
}

std::unique_ptr<rocksdb::Iterator> IndexStore::NewIterator(HashType type, bool total_order) const {
  rocksdb::ReadOptions ro;
  if (total_order) {
    ro.total_order_seek = true;
    ro.fill_cache = false;
    ro.readahead_size = 4u << 20;
  } else {
    ro.prefix_same_as_start = true;
  }
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, hash_cf_.at(type)));
}

Status IndexStore::CollectMemberships(rocksdb::Iterator& it, HashType type, std::string_view hash_bytes,
                                      std::vector<Membership>& out) const {
  it.Seek(rocksdb::Slice(hash_bytes.data(), hash_bytes.size()));
  for (; it.Valid(); it.Next()) {
    const auto key = it.key().ToStringView();
    if (key.size() != hash_bytes.size() + 4 || key.substr(0, hash_bytes.size()) != hash_bytes) break;
    const std::string* set = LiveSetName(GetU32BE(key.data() + hash_bytes.size()));
    if (set == nullptr) continue;
    auto info = DecodeEntry(it.value().ToStringView());
    if (!info) return Status::Corruption(options_.dir + ": unreadable " + std::string(HashTypeName(type)) + " entry");
    out.push_back({*set, type, std::move(*info)});
  }
  return FromRocks(it.status(), "lookup in " + options_.dir);
}

Status IndexStore::MultiGetMemberships(HashType type, const std::vector<std::string_view>& hashes,
                                       const std::vector<std::vector<Membership>*>& outs) const {
  std::vector<std::pair<std::uint32_t, const std::string*>> gens;
  for (const auto& [name, set] : sets_) {
    if (auto it = set.entries.find(type); it != set.entries.end() && it->second > 0) {
      gens.emplace_back(set.generation, &set.name);
    }
  }
  if (gens.empty() || hashes.empty()) return Status::Ok();
  const std::size_t n = hashes.size() * gens.size();
  std::vector<std::string> keys;
  keys.reserve(n);
  for (const auto& h : hashes) {
    for (const auto& [g, name] : gens) keys.push_back(HashKey(h, g));
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_->MultiGet(rocksdb::ReadOptions(), hash_cf_.at(type), n, slices.data(), values.data(), statuses.data());
  for (std::size_t i = 0; i < n; ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "lookup in " + options_.dir);
    auto info = DecodeEntry(values[i].ToStringView());
    if (!info) return Status::Corruption(options_.dir + ": unreadable " + std::string(HashTypeName(type)) + " entry");
    outs[i / gens.size()]->push_back({*gens[i % gens.size()].second, type, std::move(*info)});
  }
  return Status::Ok();
}

Result<std::uint32_t> IndexStore::BeginGeneration() {
  if (options_.read_only) return Status::InvalidArgument("index opened read-only");
  std::string value;
  std::uint32_t g = 1;
  auto s = db_->Get(rocksdb::ReadOptions(), kNextGenerationKey, &value);
  if (s.ok() && value.size() == 4) g = GetU32BE(value.data());
  else if (!s.IsNotFound()) HT_RETURN_IF_ERROR(FromRocks(s, "cannot read " + options_.dir));
  std::string next;
  PutU32BE(next, g + 1);
  rocksdb::WriteBatch batch;
  batch.Put(kNextGenerationKey, next).PermitUncheckedError();
  batch.Put(sets_cf_, GenerationKey(g), "importing").PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  HT_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "cannot start import in " + options_.dir));
  return g;
}

std::string IndexStore::StagingDir(std::uint32_t generation) const {
  return (fs::path(options_.dir) / "staging" / ("gen-" + std::to_string(generation))).string();
}

Status IndexStore::CommitSet(const SetInfo& info, const std::map<HashType, std::vector<std::string>>& files,
                             const std::function<void()>& after_ingest) {
  if (options_.read_only) return Status::InvalidArgument("index opened read-only");
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& [type, paths] : files) {
    if (paths.empty()) continue;
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = hash_cf_.at(type);
    arg.external_files = paths;
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  if (!args.empty()) HT_RETURN_IF_ERROR(FromRocks(db_->IngestExternalFiles(args), "cannot ingest set " + info.name));
  if (after_ingest) after_ingest();  // tests: die between ingestion and the commit record

  SetInfo committed = info;
  committed.imported_unix =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  rocksdb::WriteBatch batch;
  batch.Put(sets_cf_, SetKey(info.name), SetToJson(committed).dump()).PermitUncheckedError();
  batch.Delete(sets_cf_, GenerationKey(info.generation)).PermitUncheckedError();
  std::optional<std::uint32_t> replaced;
  if (auto old = sets_.find(info.name); old != sets_.end()) {
    replaced = old->second.generation;
    batch.Put(sets_cf_, GenerationKey(*replaced), "dead").PermitUncheckedError();
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  HT_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "cannot commit set " + info.name));
  if (replaced) {
    dead_->Add(*replaced);
    live_.erase(*replaced);
  }
  live_[committed.generation] = committed.name;
  sets_[committed.name] = committed;
  std::error_code ec;
  fs::remove_all(StagingDir(info.generation), ec);
  if (commit_listener_) commit_listener_(committed);
  return Status::Ok();
}

Status IndexStore::MarkDead(std::uint32_t generation) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  HT_RETURN_IF_ERROR(FromRocks(db_->Put(wo, sets_cf_, GenerationKey(generation), "dead"), "cannot update " + options_.dir));
  dead_->Add(generation);
  return Status::Ok();
}

Status IndexStore::AbandonGeneration(std::uint32_t generation) {
  std::error_code ec;
  fs::remove_all(StagingDir(generation), ec);
  return MarkDead(generation);
}

Status IndexStore::RemoveSet(std::string_view name) {
  if (options_.read_only) return Status::InvalidArgument("index opened read-only");
  auto it = sets_.find(std::string(name));
  if (it == sets_.end()) return Status::NotFound("no set named '" + std::string(name) + "' in " + options_.dir);
  const std::uint32_t g = it->second.generation;
  rocksdb::WriteBatch batch;
  batch.Delete(sets_cf_, SetKey(name)).PermitUncheckedError();
  batch.Put(sets_cf_, GenerationKey(g), "dead").PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  HT_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "cannot remove set " + std::string(name)));
  dead_->Add(g);
  live_.erase(g);
  sets_.erase(it);
  // The entries stay on disk, invisible, until compaction drops them (DeadGenerationFilter).
  return Status::Ok();
}

Status IndexStore::PutFeatures(std::uint32_t generation, std::uint32_t ordinal, std::string_view blob) {
  if (options_.read_only || features_cf_ == nullptr) return Status::InvalidArgument("index opened read-only");
  // Not synced: the generation stays invisible until CommitSet's synced record, which syncs these too.
  return FromRocks(db_->Put(rocksdb::WriteOptions(), features_cf_, FeatureKey(generation, ordinal), blob),
                   "cannot stage features in " + options_.dir);
}

Status IndexStore::ForEachFeatures(std::uint32_t generation,
                                   const std::function<Status(std::string_view)>& visit) const {
  if (features_cf_ == nullptr) return Status::Ok();
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, features_cf_));
  const std::string first = FeatureKey(generation, 0);
  for (it->Seek(first); it->Valid(); it->Next()) {
    const auto key = it->key().ToStringView();
    if (key.size() != 8 || GetU32BE(key.data()) != generation) break;
    HT_RETURN_IF_ERROR(visit(it->value().ToStringView()));
  }
  return FromRocks(it->status(), "cannot read features of " + options_.dir);
}

std::uint64_t IndexStore::DiskBytes() const {
  std::uint64_t total = 0;
  for (const auto& [type, cf] : hash_cf_) {
    std::uint64_t v = 0;
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kLiveSstFilesSize, &v)) total += v;
  }
  std::uint64_t features = 0;
  if (features_cf_ != nullptr && db_->GetIntProperty(features_cf_, rocksdb::DB::Properties::kLiveSstFilesSize, &features)) {
    total += features;
  }
  return total;
}

}  // namespace hashtriage::index::internal

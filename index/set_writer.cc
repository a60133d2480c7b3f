#include "index/set_writer.h"

#include <rocksdb/env.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>


#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <queue>

#include "hashing/digest_types.h"
#include "index/internal/index_store.h"
#include "index/internal/key_codec.h"

namespace hashtriage::index {

namespace fs = std::filesystem;
using internal::GetU64BE;
using internal::GetVarint;
using internal::PutU64BE;
using internal::PutVarint;

namespace {

constexpr std::uint64_t kLineBits = 48;  // position = file << kLineBits | record (line or offset)
constexpr std::uint64_t kRecordMask = (std::uint64_t{1} << kLineBits) - 1;

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  return Status::IOError(what + ": " + s.ToString());
}

// A sorted stream of staged entries: key = hash + position (u64 BE), value = encoded EntryInfo.
class EntrySource {
 public:
  virtual ~EntrySource() = default;
  virtual bool Valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual void Next() = 0;
  virtual Status status() const { return Status::Ok(); }
};

// A staged value: varint (line << 1 | the key's position holds an offset), for reports, then the
// encoded EntryInfo. The offset itself is in the key.
std::string EncodeStaged(const RecordPosition& where, const EntryInfo& info) {
  std::string out;
  PutVarint(out, where.line << 1 | (where.offset ? 1 : 0));
  out += internal::EncodeEntry(info);
  return out;
}

struct StagedValue {
  std::uint64_t line = 0;
  std::optional<std::uint64_t> offset;
  std::string_view entry;  // EncodeEntry bytes; entry[0] is the Category
  Category category() const {
    const auto c = static_cast<unsigned char>(entry.empty() ? 0 : entry[0]);
    return c < kCategoryCount ? static_cast<Category>(c) : Category::kUnknown;
  }
};

// `position`: the key's file << kLineBits | record.
Result<StagedValue> DecodeStaged(std::string_view staged, std::uint64_t position) {
  std::size_t pos = 0;
  const auto line = GetVarint(staged, pos);
  if (!line) return Status::Internal("staged entry truncated");
  StagedValue v;
  v.line = *line >> 1;
  if ((*line & 1) != 0) v.offset = position & kRecordMask;
  v.entry = staged.substr(pos);
  return v;
}

}  // namespace

struct SetWriter::TypeBuffer {
  HashType type;
  std::size_t hash_size;
  std::string arena;  // per entry: hash, position (u64 BE), varint length, EncodeStaged value
  std::vector<std::uint64_t> offsets;
  std::vector<std::string> runs;

  // Big-endian first 8 bytes of the hash at `off`: orders like memcmp on those bytes.
  std::uint64_t PrefixAt(std::uint64_t off) const { return GetU64BE(arena.data() + off); }

  std::string_view KeyAt(std::uint64_t off) const { return std::string_view(arena).substr(off, hash_size + 8); }
  std::string_view ValueAt(std::uint64_t off) const {
    std::size_t pos = off + hash_size + 8;
    const auto len = GetVarint(arena, pos);
    return std::string_view(arena).substr(pos, len.value_or(0));
  }
  // Sorts by (hash, position). Comparing cached 8-byte prefixes first keeps the sort off the arena,
  // whose records would otherwise be touched at random for every comparison.
  void Sort() {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> keyed(offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i) keyed[i] = {PrefixAt(offsets[i]), offsets[i]};
    std::sort(keyed.begin(), keyed.end(), [this](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return std::memcmp(arena.data() + a.second, arena.data() + b.second, hash_size + 8) < 0;
    });
    for (std::size_t i = 0; i < offsets.size(); ++i) offsets[i] = keyed[i].second;
  }
  void Clear() {
    std::string().swap(arena);
    std::vector<std::uint64_t>().swap(offsets);
  }
};

namespace {

class MemorySource : public EntrySource {
 public:
  explicit MemorySource(const SetWriter::TypeBuffer& b) : b_(b) {}
  bool Valid() const override { return i_ < b_.offsets.size(); }
  std::string_view key() const override { return b_.KeyAt(b_.offsets[i_]); }
  std::string_view value() const override { return b_.ValueAt(b_.offsets[i_]); }
  void Next() override {
    ++i_;
    // Sorted order visits the arena at random: fetch records a little ahead.
    if (i_ + kAhead < b_.offsets.size()) {
      const char* p = b_.arena.data() + b_.offsets[i_ + kAhead];
      __builtin_prefetch(p);
      __builtin_prefetch(p + 63);
    }
  }

 private:
  static constexpr std::size_t kAhead = 16;
  const SetWriter::TypeBuffer& b_;
  std::size_t i_ = 0;
};

class RunSource : public EntrySource {
 public:
  RunSource(const rocksdb::Options& options, const std::string& path) : reader_(options) {
    status_ = reader_.Open(path);
    if (status_.ok()) {
      it_.reset(reader_.NewIterator(rocksdb::ReadOptions()));
      it_->SeekToFirst();
    }
  }
  bool Valid() const override { return it_ && it_->Valid(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  void Next() override { it_->Next(); }
  Status status() const override {
    if (!status_.ok()) return FromRocks(status_, "staging run");
    return it_ ? FromRocks(it_->status(), "staging run") : Status::Ok();
  }

 private:
  rocksdb::SstFileReader reader_;
  rocksdb::Status status_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

SetWriter::SetWriter(internal::IndexStore* store, std::uint32_t generation, std::string name, std::string format,
                     bool strict, std::size_t memory_budget)
    : store_(store),
      generation_(generation),
      name_(std::move(name)),
      format_(std::move(format)),
      strict_(strict),
      memory_budget_(std::max<std::size_t>(memory_budget, 1u << 20)) {}

SetWriter::~SetWriter() {
  if (!finished_) Abandon().IgnoreError();  // best effort: a later read-write open cleans up too
}

Status SetWriter::Abandon() {
  finished_ = true;
  buffers_.clear();
  return store_->AbandonGeneration(generation_);
}

Status SetWriter::Add(HashType type, std::span<const std::uint8_t> hash, const EntryInfo& info,
                      const RecordPosition& where) {
  if (finished_) return Status::InvalidArgument("set import already finished");
  if (hash.size() != HashTypeSize(type)) return Status::InvalidArgument("wrong hash length");
  auto& slot = buffers_[type];
  if (!slot) slot = std::make_unique<TypeBuffer>(TypeBuffer{type, HashTypeSize(type), {}, {}, {}});
  TypeBuffer& b = *slot;
  const std::size_t before = b.arena.size();
  b.offsets.push_back(before);
  b.arena.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  const std::uint64_t record = where.offset ? *where.offset : where.line;
  PutU64BE(b.arena, std::uint64_t{where.file} << kLineBits | (record & kRecordMask));
  const std::string value = EncodeStaged(where, info);
  PutVarint(b.arena, value.size());
  b.arena += value;
  buffered_bytes_ += b.arena.size() - before + sizeof(std::uint64_t);
  ++staged_;
  if (test_point_) test_point_("record", staged_);
  if (buffered_bytes_ >= memory_budget_) return SpillRuns();
  return Status::Ok();
}

Status SetWriter::SpillRuns() {
  std::error_code ec;
  fs::create_directories(store_->StagingDir(generation_), ec);
  if (ec) return Status::IOError("cannot create " + store_->StagingDir(generation_) + ": " + ec.message());
  for (auto& [type, b] : buffers_) {
    if (b->offsets.empty()) continue;
    b->Sort();
    const std::string path = store_->StagingDir(generation_) + "/run-" + std::to_string(++run_counter_) + ".sst";
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), store_->SstWriterOptions(type));
    HT_RETURN_IF_ERROR(FromRocks(writer.Open(path), "cannot write " + path));
    std::string_view previous;
    for (std::uint64_t off : b->offsets) {
      const auto key = b->KeyAt(off);
      if (key == previous) continue;  // the same hash twice in one record: nothing to report
      HT_RETURN_IF_ERROR(FromRocks(writer.Put(key, b->ValueAt(off)), "cannot write " + path));
      previous = key;
    }
    HT_RETURN_IF_ERROR(FromRocks(writer.Finish(), "cannot write " + path));
    b->runs.push_back(path);
    b->Clear();
  }
  buffered_bytes_ = 0;
  return Status::Ok();
}

namespace {

// What finalizing one hash type produced.
struct TypeOutcome {
  std::optional<std::string> file;  // the SST to ingest; none when the type had no entries
  std::uint64_t stored = 0;
  std::array<std::uint64_t, kCategoryCount> by_category{};
  std::uint64_t duplicates = 0;
  std::uint64_t conflicting = 0;
  std::uint64_t category_conflicts = 0;
  std::vector<DuplicateHash> examples;  // up to 100 plain and 100 conflicting
};

// The occurrence of a hash kept so far while its duplicates stream past.
struct KeptEntry {
  std::string hash;
  std::string entry;  // EncodeEntry bytes
  std::uint32_t file = 0;
  std::uint64_t line = 0;
  std::optional<std::uint64_t> offset;
  Category category = Category::kUnknown;

  // Assigns in place: the strings keep their capacity from one hash to the next.
  void Set(std::uint32_t f, const StagedValue& v) {
    entry.assign(v.entry);
    file = f;
    line = v.line;
    offset = v.offset;
    category = v.category();
  }
};

// Sorts (or merges the spilled runs of) one type, stores each hash once (the most serious category
// among its records, the earliest record on a tie; the others are reported as duplicates) and writes
// the final SST keyed hash + generation.
Result<TypeOutcome> FinalizeType(const internal::IndexStore& store, std::uint32_t generation, HashType type,
                                 SetWriter::TypeBuffer& b, bool spilled) {
  TypeOutcome out;
  std::vector<std::unique_ptr<EntrySource>> sources;
  if (spilled) {
    for (const auto& run : b.runs) sources.push_back(std::make_unique<RunSource>(store.SstWriterOptions(type), run));
  } else {
    b.Sort();
    sources.push_back(std::make_unique<MemorySource>(b));
  }
  for (const auto& s : sources) HT_RETURN_IF_ERROR(s->status());
  auto greater = [](const EntrySource* x, const EntrySource* y) { return x->key() > y->key(); };
  std::priority_queue<EntrySource*, std::vector<EntrySource*>, decltype(greater)> heap(greater);
  EntrySource* single = sources.size() == 1 ? sources[0].get() : nullptr;
  if (single == nullptr) {
    for (const auto& s : sources) {
      if (s->Valid()) heap.push(s.get());
    }
  }
  if (single != nullptr ? !single->Valid() : heap.empty()) return out;

  const std::string path = store.StagingDir(generation) + "/" + std::string(HashTypeName(type)) + ".sst";
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), store.SstWriterOptions(type));
  HT_RETURN_IF_ERROR(FromRocks(writer.Open(path), "cannot write " + path));
  const std::size_t n = b.hash_size;
  KeptEntry kept;
  bool have_kept = false;
  std::string last_key;
  std::size_t plain_examples = 0, conflict_examples = 0;
  std::string out_key;
  auto store_kept = [&]() -> Status {
    if (!have_kept) return Status::Ok();
    out_key = internal::HashKey(kept.hash, generation);
    HT_RETURN_IF_ERROR(FromRocks(writer.Put(out_key, kept.entry), "cannot write " + path));
    ++out.stored;
    ++out.by_category[static_cast<std::size_t>(kept.category)];
    return Status::Ok();
  };
  while (single != nullptr ? single->Valid() : !heap.empty()) {
    EntrySource* s = single;
    if (s == nullptr) {
      s = heap.top();
      heap.pop();
    }
    const std::string_view key = s->key();
    const std::string_view hash = key.substr(0, n);
    if (key != last_key) {  // an equal key is the same hash staged twice by one record
      const std::uint64_t position = GetU64BE(key.data() + n);
      HT_ASSIGN_OR_RETURN(const StagedValue v, DecodeStaged(s->value(), position));
      const auto file = static_cast<std::uint32_t>(position >> kLineBits);
      if (have_kept && hash == kept.hash) {
        ++out.duplicates;
        DuplicateHash d{type, "", kept.file, kept.line, kept.offset, kept.category,
                        file, v.line, v.offset, v.category(), v.entry != kept.entry};
        out.conflicting += d.conflicting ? 1 : 0;
        out.category_conflicts += d.category_conflict() ? 1 : 0;
        std::size_t& shown = d.conflicting ? conflict_examples : plain_examples;
        if (shown < 100) {
          ++shown;
          d.hash_hex = hashing::EncodeHex(reinterpret_cast<const std::uint8_t*>(hash.data()), n);
          out.examples.push_back(std::move(d));
        }
        if (MoreSerious(v.category(), kept.category)) kept.Set(file, v);
      } else {
        HT_RETURN_IF_ERROR(store_kept());
        kept.hash.assign(hash);
        kept.Set(file, v);
        have_kept = true;
      }
    }
    last_key.assign(key);
    s->Next();
    if (single == nullptr && s->Valid()) heap.push(s);
  }
  HT_RETURN_IF_ERROR(store_kept());
  for (const auto& s : sources) HT_RETURN_IF_ERROR(s->status());
  HT_RETURN_IF_ERROR(FromRocks(writer.Finish(), "cannot write " + path));
  b.Clear();
  out.file = path;
  return out;
}

}  // namespace

std::string RecordPlace(const std::vector<std::string>& sources, std::uint32_t file, std::uint64_t line,
                        std::optional<std::uint64_t> offset) {
  std::string where = file < sources.size() ? sources[file] + ":" : "line ";
  where += std::to_string(line);
  if (offset) where += " (byte " + std::to_string(*offset) + ")";
  return where;
}

Status SetWriter::AddFeatures(std::string_view blob) {
  if (finished_) return Status::InvalidArgument("set import already finished");
  HT_RETURN_IF_ERROR(store_->PutFeatures(generation_, feature_pictures_, blob));
  ++feature_pictures_;
  return Status::Ok();
}

Result<CommitReport> SetWriter::Commit(SetInfo set) {
  if (finished_) return Status::InvalidArgument("set import already finished");
  CommitReport report;
  set.name = name_;
  set.generation = generation_;
  set.format = format_;
  set.entries.clear();
  set.by_category = {};
  set.feature_pictures = feature_pictures_;
  std::error_code ec;
  const bool spilled = std::any_of(buffers_.begin(), buffers_.end(), [](const auto& kv) { return !kv.second->runs.empty(); });
  if (spilled) HT_RETURN_IF_ERROR(SpillRuns());
  fs::create_directories(store_->StagingDir(generation_), ec);
  if (ec) return Status::IOError("cannot create " + store_->StagingDir(generation_) + ": " + ec.message());

  // Hash types are independent: sort and write them in parallel.
  std::vector<std::pair<HashType, std::future<Result<TypeOutcome>>>> jobs;
  for (auto& [type, b] : buffers_) {
    TypeBuffer* buffer = b.get();
    const HashType t = type;
    jobs.emplace_back(t, std::async(std::launch::async, [this, t, buffer, spilled] {
                        try {
                          return FinalizeType(*store_, generation_, t, *buffer, spilled);
                        } catch (const std::bad_alloc&) {
                          return Result<TypeOutcome>(Status::ResourceLimit("out of memory finishing the import"));
                        }
                      }));
  }
  std::map<HashType, std::vector<std::string>> files;
  Status failed;
  for (auto& [type, job] : jobs) {
    auto outcome = job.get();
    if (!outcome.ok()) {
      if (failed.ok()) failed = outcome.status();
      continue;
    }
    if (!outcome->file) continue;
    files[type].push_back(*outcome->file);
    set.entries[type] = outcome->stored;
    for (std::size_t c = 0; c < set.by_category.size(); ++c) set.by_category[c] += outcome->by_category[c];
    report.duplicates += outcome->duplicates;
    report.conflicting_duplicates += outcome->conflicting;
    report.category_conflicts += outcome->category_conflicts;
    for (auto& e : outcome->examples) {
      const auto shown = std::count_if(report.duplicate_examples.begin(), report.duplicate_examples.end(),
                                       [&](const DuplicateHash& x) { return x.conflicting == e.conflicting; });
      if (shown < 100) report.duplicate_examples.push_back(std::move(e));
    }
  }
  if (!failed.ok()) {
    Abandon().IgnoreError();
    return failed;
  }
  if (strict_ && report.conflicting_duplicates > 0) {
    const bool existed = store_->sets().contains(name_);
    HT_RETURN_IF_ERROR(Abandon());
    const auto& d = *std::find_if(report.duplicate_examples.begin(), report.duplicate_examples.end(),
                                  [](const DuplicateHash& x) { return x.conflicting; });
    const std::string what = d.category_conflict() ? "category " + std::string(CategoryName(d.category)) +
                                                         " conflicts with category " +
                                                         std::string(CategoryName(d.first_category)) + " at "
                                                   : "details differ from ";
    return Status::Corruption(RecordPlace(set.sources, d.file, d.line, d.offset) + ": " +
                              std::string(HashTypeName(d.type)) + " " + d.hash_hex + ": " + what +
                              RecordPlace(set.sources, d.first_file, d.first_line, d.first_offset) + " (--strict: " +
                              std::to_string(report.conflicting_duplicates) + " conflicting duplicate hash" +
                              (report.conflicting_duplicates == 1 ? "" : "es") + "; set '" + name_ + "' " +
                              (existed ? "left unchanged" : "not created") + ")");
  }
  if (test_point_) test_point_("before-ingest", 0);
  std::function<void()> after_ingest;
  if (test_point_) after_ingest = [this] { test_point_("after-ingest", 0); };
  if (Status st = store_->CommitSet(set, files, after_ingest); !st.ok()) {
    Abandon().IgnoreError();  // the commit failed: the generation never becomes visible
    return st;
  }
  finished_ = true;
  report.set = store_->sets().at(name_);
  return report;
}

}  // namespace hashtriage::index

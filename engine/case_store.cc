#include "engine/case_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace hashtriage::engine {

namespace {

constexpr std::string_view kSchemaKey = "schema_version";
constexpr std::string_view kSchemaVersion = "1";

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(std::string(what) + ": " + s.ToString());
  if (s.IsNotFound()) return Status::NotFound(std::string(what) + ": " + s.ToString());
  return Status::IOError(std::string(what) + ": " + s.ToString());
}

Status PrepareDirectory(const std::string& path, bool create) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::IOError(path + ": " + std::strerror(errno));
    if (!create) return Status::NotFound("no case at " + path + " (run 'hashtriage case init')");
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::IOError(path + ": cannot create case directory: " + ec.message());
    ::chmod(path.c_str(), 0700);
    return Status::Ok();
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + ": not a directory");
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return Status::InvalidArgument(path + ": case directory is writable by group or others; refusing to open it "
                                          "(fix with: chmod 700 " + path + ")");
  }
  return Status::Ok();
}

}  // namespace

std::string_view TableName(Table table) {
  static constexpr std::string_view kNames[kTableCount] = {
      "meta",       "evidence", "evidence_key", "files",       "progress", "audit",
      "subjects",   "accounts", "identifiers",  "referrals",   "attributes", "links",
      "assessments", "queue",   "decisions",    "dip_samples", "counters"};
  return kNames[static_cast<int>(table)];
}

std::string DefaultCaseDir() {
  const char* env = std::getenv("HASHTRIAGE_CASE");
  return env != nullptr && *env != '\0' ? env : "hashtriage-case";
}

std::string EncodeU32(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xFF);
  return out;
}
std::string EncodeU64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xFF);
  return out;
}
std::uint32_t DecodeU32(std::string_view bytes) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4 && i < bytes.size(); ++i) v = v << 8 | static_cast<std::uint8_t>(bytes[i]);
  return v;
}
std::uint64_t DecodeU64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) v = v << 8 | static_cast<std::uint8_t>(bytes[i]);
  return v;
}

struct CaseStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // by Table value
  std::mutex counter_mutex;

  ~Impl() {
    for (auto* h : handles) {
      if (db && h) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
  }
  rocksdb::ColumnFamilyHandle* cf(Table t) const { return handles[static_cast<int>(t)]; }
};

struct CaseStore::Batch::Ops {
  struct Op {
    bool is_put;
    Table table;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops;
};

CaseStore::Batch::Batch() : ops_(std::make_unique<Ops>()) {}
CaseStore::Batch::~Batch() = default;
CaseStore::Batch::Batch(Batch&&) noexcept = default;
CaseStore::Batch& CaseStore::Batch::operator=(Batch&&) noexcept = default;
void CaseStore::Batch::Put(Table table, std::string_view key, std::string_view value) {
  ops_->ops.push_back({true, table, std::string(key), std::string(value)});
  ++count_;
}
void CaseStore::Batch::Delete(Table table, std::string_view key) {
  ops_->ops.push_back({false, table, std::string(key), {}});
  ++count_;
}

CaseStore::CaseStore(std::unique_ptr<Impl> impl, std::string path, bool read_only)
    : impl_(std::move(impl)), path_(std::move(path)), read_only_(read_only) {}
CaseStore::~CaseStore() = default;

Result<std::unique_ptr<CaseStore>> CaseStore::Open(const CaseOptions& options) {
  const std::string path = options.path.empty() ? DefaultCaseDir() : options.path;
  HT_RETURN_IF_ERROR(PrepareDirectory(path, options.create_if_missing && !options.read_only));
  const std::string db_path = path + "/store";
  const bool exists = std::filesystem::exists(db_path + "/CURRENT");
  if (!exists && (options.read_only || !options.create_if_missing)) {
    return Status::NotFound("no case at " + path + " (run 'hashtriage case init')");
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 2;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int t = 0; t < kTableCount; ++t) {
    families.emplace_back(std::string(TableName(static_cast<Table>(t))), rocksdb::ColumnFamilyOptions());
  }
  auto impl = std::make_unique<Impl>();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    // Column families added by a newer build may be missing in an older case: open what exists.
    s = rocksdb::DB::OpenForReadOnly(db_options, db_path, families, &handles, &raw);
  } else {
    s = rocksdb::DB::Open(db_options, db_path, families, &handles, &raw);
  }
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Status::IOError(path + ": the case is open in another hashtriage process");
    }
    return FromRocks(s, "opening case " + path);
  }
  impl->db.reset(raw);
  raw->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();  // default family is unused
  impl->handles.assign(handles.begin() + 1, handles.end());

  auto store = std::unique_ptr<CaseStore>(new CaseStore(std::move(impl), path, options.read_only));
  HT_ASSIGN_OR_RETURN(auto schema, store->Get(Table::kMeta, kSchemaKey));
  if (!schema) {
    if (options.read_only) return Status::Corruption(path + ": case has no schema version");
    HT_RETURN_IF_ERROR(store->Put(Table::kMeta, kSchemaKey, kSchemaVersion));
  } else if (*schema != kSchemaVersion) {
    return Status::NotSupported(path + ": case schema version " + *schema + ", this hashtriage reads version " +
                                std::string(kSchemaVersion));
  }
  return store;
}

Status CaseStore::Write(Batch& batch) {
  if (read_only_) return Status::InvalidArgument("case opened read-only");
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops_->ops) {
    if (op.is_put) {
      wb.Put(impl_->cf(op.table), op.key, op.value).PermitUncheckedError();
    } else {
      wb.Delete(impl_->cf(op.table), op.key).PermitUncheckedError();
    }
  }
  return FromRocks(impl_->db->Write(rocksdb::WriteOptions(), &wb), "case write");
}

Status CaseStore::Put(Table table, std::string_view key, std::string_view value) {
  Batch batch;
  batch.Put(table, key, value);
  return Write(batch);
}

Result<std::optional<std::string>> CaseStore::Get(Table table, std::string_view key) const {
  std::string value;
  const rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(table), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  HT_RETURN_IF_ERROR(FromRocks(s, "case read"));
  return std::optional<std::string>(std::move(value));
}

Status CaseStore::Scan(Table table, std::string_view prefix,
                       const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(table)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!visit(std::string_view(key.data(), key.size()), std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "case scan");
}

Result<std::optional<std::pair<std::string, std::string>>> CaseStore::Last(Table table, std::string_view prefix) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(table)));
  // Seek past every key with the prefix: the prefix followed by 0xFF bytes.
  std::string upper(prefix);
  upper.append(16, '\xff');
  it->SeekForPrev(upper);
  HT_RETURN_IF_ERROR(FromRocks(it->status(), "case scan"));
  if (!it->Valid() || !it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
    return std::optional<std::pair<std::string, std::string>>();
  }
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(it->key().ToString(), it->value().ToString()));
}

Result<std::uint64_t> CaseStore::NextId(std::string_view counter) {
  std::lock_guard<std::mutex> lock(impl_->counter_mutex);
  HT_ASSIGN_OR_RETURN(auto current, Get(Table::kCounters, counter));
  const std::uint64_t next = (current ? DecodeU64(*current) : 0) + 1;
  HT_RETURN_IF_ERROR(Put(Table::kCounters, counter, EncodeU64(next)));
  return next;
}

}  // namespace hashtriage::engine

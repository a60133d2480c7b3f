#include "engine/case/rocksdb/kv_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace hashtriage::engine::rocks {

namespace {

// Case format 2 (hashtriage 0.2): typed, versioned records; evidence identified by fingerprint.
constexpr std::string_view kSchemaKey = "schema_version";
constexpr std::string_view kSchemaVersion = "2";

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
      "meta",       "evidence",    "evidence_identity", "evidence_by_subject", "files",      "progress",
      "audit",      "subjects",    "accounts",          "identifiers",         "referrals",  "attributes",
      "links",      "possible_links", "assessments",    "queue",               "decisions",  "dip_samples",
      "counters",   "pending",     "files_with_hits"};
  return kNames[static_cast<int>(table)];
}

struct KvStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // by Table value

  ~Impl() {
    for (auto* h : handles) {
      if (db && h) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
  }
  rocksdb::ColumnFamilyHandle* cf(Table t) const { return handles[static_cast<int>(t)]; }
};

struct KvStore::Batch::Ops {
  struct Op {
    bool is_put;
    Table table;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops;
};

KvStore::Batch::Batch() : ops_(std::make_unique<Ops>()) {}
KvStore::Batch::~Batch() = default;
KvStore::Batch::Batch(Batch&&) noexcept = default;
KvStore::Batch& KvStore::Batch::operator=(Batch&&) noexcept = default;
void KvStore::Batch::Put(Table table, std::string_view key, std::string_view value) {
  ops_->ops.push_back({true, table, std::string(key), std::string(value)});
  ++count_;
}
void KvStore::Batch::Delete(Table table, std::string_view key) {
  ops_->ops.push_back({false, table, std::string(key), {}});
  ++count_;
}

KvStore::KvStore(std::unique_ptr<Impl> impl, std::string path, bool read_only)
    : impl_(std::move(impl)), path_(std::move(path)), read_only_(read_only) {}
KvStore::~KvStore() = default;

Result<std::unique_ptr<KvStore>> KvStore::Open(const KvOptions& options) {
  const std::string& path = options.path;
  HT_RETURN_IF_ERROR(PrepareDirectory(path, options.create_if_missing && !options.read_only));
  const std::string db_path = path + "/store";
  const bool exists = std::filesystem::exists(db_path + "/CURRENT");
  if (!exists && (options.read_only || !options.create_if_missing)) {
    return Status::NotFound("no case at " + path + " (run 'hashtriage case init')");
  }

  if (exists) {
    // A case written by an older (or newer) hashtriage has other column families: say so plainly
    // instead of RocksDB's "column families not opened".
    std::vector<std::string> existing;
    const rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path, &existing);
    if (listed.ok()) {
      const bool format1 = std::find(existing.begin(), existing.end(), "evidence_key") != existing.end();
      if (format1) {
        return Status::NotSupported(path + ": this case was written by hashtriage 0.1 (case format 1); this "
                                           "hashtriage reads case format " + std::string(kSchemaVersion) +
                                           ": scan the evidence and ingest the referrals into a new case");
      }
      for (const std::string& name : existing) {
        bool known = name == rocksdb::kDefaultColumnFamilyName;
        for (int t = 0; t < kTableCount && !known; ++t) known = name == TableName(static_cast<Table>(t));
        if (!known) {
          return Status::NotSupported(path + ": the case holds a table '" + name +
                                      "' this hashtriage does not know (written by a newer version?)");
        }
      }
    }
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

  auto store = std::unique_ptr<KvStore>(new KvStore(std::move(impl), path, options.read_only));
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

Status KvStore::Write(Batch& batch) {
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

Status KvStore::Put(Table table, std::string_view key, std::string_view value) {
  Batch batch;
  batch.Put(table, key, value);
  return Write(batch);
}

Result<std::optional<std::string>> KvStore::Get(Table table, std::string_view key) const {
  std::string value;
  const rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(table), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  HT_RETURN_IF_ERROR(FromRocks(s, "case read"));
  return std::optional<std::string>(std::move(value));
}

Status KvStore::Scan(Table table, std::string_view prefix,
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

Result<std::optional<std::pair<std::string, std::string>>> KvStore::Last(Table table, std::string_view prefix) const {
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

}  // namespace hashtriage::engine::rocks

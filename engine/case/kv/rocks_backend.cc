// The embedded backend of the key-value layer: one RocksDB per case directory (<dir>/store), one
// column family per Table. Refuses a case directory others may write, and names the case format
// when it meets one written by another hashtriage version.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "engine/case/kv/kv_backend.h"

namespace hashtriage::engine::kv {

namespace {

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

// A case directory written by an older (or newer) hashtriage has other column families: say so
// plainly instead of RocksDB's "column families not opened".
Status CheckColumnFamilies(const std::string& path, const std::string& db_path) {
  std::vector<std::string> existing;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path, &existing).ok()) return Status::Ok();
  if (std::find(existing.begin(), existing.end(), "evidence_key") != existing.end()) {
    return Status::NotSupported(path + ": this case was written by hashtriage 0.1 (case format 1); this "
                                       "hashtriage reads case format 2: scan the evidence and ingest the referrals "
                                       "into a new case");
  }
  for (const std::string& name : existing) {
    bool known = name == rocksdb::kDefaultColumnFamilyName;
    for (int t = 0; t < kTableCount && !known; ++t) known = name == TableName(static_cast<Table>(t));
    if (!known) {
      return Status::NotSupported(path + ": the case holds a table '" + name +
                                  "' this hashtriage does not know (written by a newer version?)");
    }
  }
  return Status::Ok();
}

class RocksBackend : public KvBackend {
 public:
  RocksBackend(std::string path, std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : path_(std::move(path)), db_(std::move(db)), handles_(std::move(handles)) {}
  ~RocksBackend() override {
    for (auto* h : handles_) {
      if (h != nullptr) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
  }

  Status Write(const std::vector<KvOp>& ops) override {
    rocksdb::WriteBatch wb;
    for (const auto& op : ops) {
      if (op.is_put) {
        wb.Put(cf(op.table), op.key, op.value).PermitUncheckedError();
      } else {
        wb.Delete(cf(op.table), op.key).PermitUncheckedError();
      }
    }
    return FromRocks(db_->Write(rocksdb::WriteOptions(), &wb), "case write");
  }

  Result<std::optional<std::string>> Get(Table table, std::string_view key) override {
    if (cf(table) == nullptr) return std::optional<std::string>();  // a table this (older) case lacks
    std::string value;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(table), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    HT_RETURN_IF_ERROR(FromRocks(s, "case read"));
    return std::optional<std::string>(std::move(value));
  }

  Status Scan(Table table, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) override {
    if (cf(table) == nullptr) return Status::Ok();
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(table)));
    const rocksdb::Slice want(prefix.data(), prefix.size());
    for (it->Seek(want); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (!key.starts_with(want)) break;
      if (!visit(std::string_view(key.data(), key.size()), std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    return FromRocks(it->status(), "case scan");
  }

  Result<std::optional<std::pair<std::string, std::string>>> Last(Table table, std::string_view prefix) override {
    if (cf(table) == nullptr) return std::optional<std::pair<std::string, std::string>>();
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(table)));
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

  std::string ScratchDirectory() override {
    const std::string scratch = path_ + "/scratch";
    if (::mkdir(scratch.c_str(), 0700) == 0 || errno == EEXIST) return scratch;
    return "";
  }

 private:
  rocksdb::ColumnFamilyHandle* cf(Table t) const { return handles_[static_cast<int>(t)]; }
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // by Table value
};

}  // namespace

Result<std::unique_ptr<KvBackend>> OpenRocksBackend(const KvOptions& options) {
  const std::string& path = options.path;
  HT_RETURN_IF_ERROR(PrepareDirectory(path, options.create_if_missing && !options.read_only));
  const std::string db_path = path + "/store";
  const bool exists = std::filesystem::exists(db_path + "/CURRENT");
  if (!exists && (options.read_only || !options.create_if_missing)) {
    return Status::NotFound("no case at " + path + " (run 'hashtriage case init')");
  }
  if (exists) HT_RETURN_IF_ERROR(CheckColumnFamilies(path, db_path));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 2;
  // A read-only open cannot add the tables a newer hashtriage knows to an older case: open those that
  // exist; a missing table reads as empty.
  std::vector<std::string> existing;
  if (exists && options.read_only) {
    rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path, &existing).PermitUncheckedError();
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<int> table_of;  // families[i + 1] holds table table_of[i]
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int t = 0; t < kTableCount; ++t) {
    const std::string name(TableName(static_cast<Table>(t)));
    if (!existing.empty() && std::find(existing.begin(), existing.end(), name) == existing.end()) continue;
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    table_of.push_back(t);
  }
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
  std::unique_ptr<rocksdb::DB> db(raw);
  db->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();  // the default family is unused
  std::vector<rocksdb::ColumnFamilyHandle*> by_table(kTableCount, nullptr);
  for (std::size_t i = 0; i < table_of.size(); ++i) by_table[table_of[i]] = handles[i + 1];
  return std::unique_ptr<KvBackend>(new RocksBackend(path, std::move(db), std::move(by_table)));
}

}  // namespace hashtriage::engine::kv

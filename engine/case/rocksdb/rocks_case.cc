#include "engine/case/rocksdb/rocks_case.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "engine/case/rocksdb/record_codec.h"

namespace hashtriage::engine {

std::string DefaultCaseLocation() {
  const char* env = std::getenv("HASHTRIAGE_CASE");
  return env != nullptr && *env != '\0' ? env : "hashtriage-case";
}

Result<std::unique_ptr<Case>> OpenCase(const CaseOptions& options) {
  rocks::KvOptions kv;
  kv.path = options.location.empty() ? DefaultCaseLocation() : options.location;
  kv.create_if_missing = options.create_if_missing;
  kv.read_only = options.read_only;
  HT_ASSIGN_OR_RETURN(auto store, rocks::KvStore::Open(kv));
  return std::unique_ptr<Case>(new rocks::RocksCase(std::move(store)));
}

namespace rocks {

Result<std::uint64_t> RocksTransaction::NextId(std::string_view counter) {
  auto it = counters_.find(counter);
  if (it == counters_.end()) {
    HT_ASSIGN_OR_RETURN(auto stored, store_.Get(Table::kCounters, counter));
    it = counters_.emplace(std::string(counter), stored ? DecodeU64(*stored) : 0).first;
  }
  return ++it->second;
}

Status RocksTransaction::Commit() {
  for (const auto& [name, value] : counters_) batch_.Put(Table::kCounters, name, EncodeU64(value));
  Status status = store_.Write(batch_);
  batch_ = KvStore::Batch();
  if (!status.ok()) {
    counters_.clear();
    audit_head_.reset();
    return status;
  }
  // Counters stay known (they were written); the staged audit head is now the stored one.
  audit_head_.reset();
  return Status::Ok();
}

RocksTransaction& Rocks(CaseTransaction& txn) { return static_cast<RocksTransaction&>(txn); }

RocksCase::RocksCase(std::unique_ptr<KvStore> kv)
    : kv_(std::move(kv)),
      evidence_(*kv_),
      referrals_(*kv_),
      subjects_(*kv_),
      queue_(*kv_),
      audit_(*kv_),
      settings_(*kv_) {}

std::unique_ptr<CaseTransaction> RocksCase::Begin() { return std::make_unique<RocksTransaction>(*kv_); }

std::string RocksCase::ScratchDirectory() {
  if (kv_->read_only()) return "";
  const std::string scratch = kv_->path() + "/scratch";
  if (::mkdir(scratch.c_str(), 0700) == 0 || errno == EEXIST) return scratch;
  return "";
}

}  // namespace rocks
}  // namespace hashtriage::engine

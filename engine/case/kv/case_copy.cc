#include "engine/case/kv/case_copy.h"

#include <span>

#include "engine/case/case_settings.h"
#include "engine/case/kv/kv_case.h"
#include "engine/case/kv/kv_store.h"
#include "hashing/digests.h"

namespace hashtriage::engine {

namespace {

constexpr std::size_t kCopyBatch = 2000;

struct TableDigest {
  std::uint64_t records = 0;
  std::string sha256;
};

void Feed(hashing::MultiDigester& d, std::string_view bytes) {
  const std::uint64_t n = bytes.size();
  d.Update(std::as_bytes(std::span(&n, 1)));
  d.Update(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

// Every record of every table, digested in key order; per-table counts into `per_table`.
Result<std::string> DigestStore(const kv::KvStore& store, std::map<std::string, std::uint64_t>* per_table,
                                std::uint64_t* records) {
  hashing::MultiDigester digester(hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  for (int t = 0; t < kv::kTableCount; ++t) {
    const auto table = static_cast<kv::Table>(t);
    std::uint64_t count = 0;
    Feed(digester, kv::TableName(table));
    HT_RETURN_IF_ERROR(store.Scan(table, "", [&](std::string_view key, std::string_view value) {
      if (table == kv::Table::kMeta && key == kv::kCopyInProgressKey) return true;  // the copy's own marker
      Feed(digester, key);
      Feed(digester, value);
      ++count;
      return true;
    }));
    if (count > 0 && per_table != nullptr) (*per_table)[std::string(kv::TableName(table))] = count;
    if (records != nullptr) *records += count;
  }
  return digester.Finish().sha256->hex();
}

// True when the store holds nothing but its schema version.
Result<bool> HoldsNoCase(const kv::KvStore& store, bool& interrupted) {
  bool empty = true;
  for (int t = 0; t < kv::kTableCount && empty; ++t) {
    HT_RETURN_IF_ERROR(store.Scan(static_cast<kv::Table>(t), "", [&](std::string_view key, std::string_view) {
      empty = static_cast<kv::Table>(t) == kv::Table::kMeta && key == "schema_version";
      if (static_cast<kv::Table>(t) == kv::Table::kMeta && key == kv::kCopyInProgressKey) {
        interrupted = true;
        empty = false;
      }
      return empty;
    }));
  }
  return empty;
}

}  // namespace

Result<CaseCopyReport> CopyCase(const std::string& from, const std::string& to, AuditEntry entry) {
  kv::KvOptions source_options;
  source_options.path = from;
  source_options.read_only = true;
  source_options.create_if_missing = false;
  HT_ASSIGN_OR_RETURN(auto source_store, kv::KvStore::Open(source_options));
  kv::KvCase source_case(std::move(source_store));
  kv::KvStore* source = &source_case.kv();
  HT_ASSIGN_OR_RETURN(const std::string name, CaseName(source_case));
  kv::KvOptions target_options;
  target_options.path = to;
  target_options.allow_incomplete_copy = true;
  HT_ASSIGN_OR_RETURN(auto target, kv::KvStore::Open(target_options));
  bool interrupted = false;
  HT_ASSIGN_OR_RETURN(const bool empty, HoldsNoCase(*target, interrupted));
  if (interrupted) {
    return Status::InvalidArgument(target->path() + " holds an interrupted copy: empty it (a new directory, or drop, "
                                                     "re-create and migrate the database) and copy again");
  }
  if (!empty) {
    return Status::InvalidArgument(target->path() + " already holds a case: copy into an empty directory or a newly "
                                                     "migrated database");
  }

  CaseCopyReport report;
  report.from = source->path();
  report.to = target->path();
  // Until the last write, the destination says it is an incomplete copy (and will not open as a case).
  kv::KvStore::Batch batch;
  batch.Put(kv::Table::kMeta, kv::kCopyInProgressKey, report.from);
  Status written = Status::Ok();
  for (int t = 0; t < kv::kTableCount && written.ok(); ++t) {
    const auto table = static_cast<kv::Table>(t);
    HT_RETURN_IF_ERROR(source->Scan(table, "", [&](std::string_view key, std::string_view value) {
      batch.Put(table, key, value);
      if (batch.size() >= kCopyBatch) {
        written = target->Write(batch);
        batch = kv::KvStore::Batch();
      }
      return written.ok();
    }));
  }
  HT_RETURN_IF_ERROR(written);
  if (batch.size() > 0) HT_RETURN_IF_ERROR(target->Write(batch));

  HT_ASSIGN_OR_RETURN(report.sha256, DigestStore(*source, &report.per_table, &report.records));
  target->EndReadView();
  HT_ASSIGN_OR_RETURN(const std::string copied, DigestStore(*target, nullptr, nullptr));
  if (copied != report.sha256) {
    return Status::Corruption("the copy in " + report.to + " differs from " + report.from +
                              " (table digests disagree): do not use it");
  }

  kv::KvCase copy(std::move(target));
  entry.details["from"] = report.from;
  entry.details["to"] = report.to;
  entry.details["records"] = report.records;
  entry.details["sha256"] = report.sha256;
  auto txn = copy.Begin();
  // The case keeps its name wherever it is (a name derived from the old location would change).
  HT_ASSIGN_OR_RETURN(const auto stored_name, copy.settings().Name());
  if (!stored_name) copy.settings().SetName(*txn, name);
  kv::KvTxn(*txn).Delete(kv::Table::kMeta, kv::kCopyInProgressKey);
  HT_ASSIGN_OR_RETURN(auto appended, copy.audit().Append(*txn, std::move(entry)));
  (void)appended;
  HT_RETURN_IF_ERROR(txn->Commit());
  return report;
}

}  // namespace hashtriage::engine

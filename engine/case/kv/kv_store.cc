#include "engine/case/kv/kv_store.h"

#include <memory>

#include "engine/case/kv/kv_backend.h"

namespace hashtriage::engine::kv {

namespace {

// Case format 2 (hashtriage 0.2): typed, versioned records; evidence identified by fingerprint.
constexpr std::string_view kSchemaKey = "schema_version";
constexpr std::string_view kSchemaVersion = "2";

}  // namespace

std::string_view TableName(Table table) {
  static constexpr std::string_view kNames[kTableCount] = {
      "meta",       "evidence",    "evidence_identity", "evidence_by_subject", "files",      "progress",
      "audit",      "subjects",    "accounts",          "identifiers",         "referrals",  "attributes",
      "links",      "possible_links", "assessments",    "queue",               "decisions",  "dip_samples",
      "counters",   "pending",     "files_with_hits",   "users"};
  return kNames[static_cast<int>(table)];
}

bool IsPostgresLocation(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string PrefixUpperBound(std::string_view prefix) {
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
  if (!upper.empty()) upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  return upper;
}

struct KvStore::Batch::Ops {
  std::vector<KvOp> ops;
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

KvStore::KvStore(std::unique_ptr<KvBackend> backend, std::string path, bool read_only)
    : backend_(std::move(backend)), path_(std::move(path)), read_only_(read_only) {}
KvStore::~KvStore() = default;

// Removes the password from a postgresql://user:password@host/... location (for messages and the
// audit log); other locations are returned as given.
static std::string DisplayLocation(const std::string& location) {
  if (!IsPostgresLocation(location)) return location;
  const std::size_t scheme = location.find("://") + 3;
  const std::size_t at = location.find('@', scheme);
  const std::size_t colon = location.find(':', scheme);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return location;
  return location.substr(0, colon) + location.substr(at);
}

Result<std::unique_ptr<KvStore>> KvStore::Open(const KvOptions& options) {
  const bool postgres = IsPostgresLocation(options.path);
  HT_ASSIGN_OR_RETURN(auto backend, postgres ? OpenPostgresBackend(options) : OpenRocksBackend(options));
  const std::string shown = DisplayLocation(options.path);
  auto store = std::unique_ptr<KvStore>(new KvStore(std::move(backend), shown, options.read_only));
  HT_ASSIGN_OR_RETURN(auto schema, store->Get(Table::kMeta, kSchemaKey));
  if (!schema) {
    if (options.read_only) return Status::Corruption(shown + ": case has no schema version");
    HT_RETURN_IF_ERROR(store->Put(Table::kMeta, kSchemaKey, kSchemaVersion));
  } else if (*schema != kSchemaVersion) {
    return Status::NotSupported(shown + ": case schema version " + *schema + ", this hashtriage reads version " +
                                std::string(kSchemaVersion));
  }
  store->EndReadView();
  return store;
}

Status KvStore::Write(Batch& batch) {
  if (read_only_) return Status::InvalidArgument("case opened read-only");
  return backend_->Write(batch.ops_->ops);
}

Status KvStore::Put(Table table, std::string_view key, std::string_view value) {
  Batch batch;
  batch.Put(table, key, value);
  return Write(batch);
}

Result<std::optional<std::string>> KvStore::Get(Table table, std::string_view key) const {
  return backend_->Get(table, key);
}

Status KvStore::Scan(Table table, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& visit) const {
  return backend_->Scan(table, prefix, visit);
}

Result<std::optional<std::pair<std::string, std::string>>> KvStore::Last(Table table, std::string_view prefix) const {
  return backend_->Last(table, prefix);
}

void KvStore::EndReadView() { backend_->EndReadView(); }

std::string KvStore::ScratchDirectory() { return read_only_ ? "" : backend_->ScratchDirectory(); }

}  // namespace hashtriage::engine::kv

#include "engine/case/kv/kv_store.h"

#include <memory>
#include <algorithm>
#include <cctype>

#include "engine/case/case.h"
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

Result<std::unique_ptr<KvStore>> KvStore::Open(const KvOptions& options) {
  const bool postgres = IsPostgresLocation(options.path);
  HT_ASSIGN_OR_RETURN(auto backend, postgres ? OpenPostgresBackend(options) : OpenRocksBackend(options));
  const std::string shown = RedactSecrets(options.path);
  auto store = std::unique_ptr<KvStore>(new KvStore(std::move(backend), shown, options.read_only));
  HT_ASSIGN_OR_RETURN(auto schema, store->Get(Table::kMeta, kSchemaKey));
  if (!schema) {
    if (options.read_only) return Status::Corruption(shown + ": case has no schema version");
    HT_RETURN_IF_ERROR(store->Put(Table::kMeta, kSchemaKey, kSchemaVersion));
  } else if (*schema != kSchemaVersion) {
    return Status::NotSupported(shown + ": case schema version " + *schema + ", this hashtriage reads version " +
                                std::string(kSchemaVersion));
  }
  if (!options.allow_incomplete_copy) {
    HT_ASSIGN_OR_RETURN(auto copying, store->Get(Table::kMeta, kCopyInProgressKey));
    if (copying) {
      return Status::NotSupported(shown + " holds an interrupted copy of the case at " + *copying +
                                  ", not a case: empty it (a new directory, or drop and re-create and migrate the "
                                  "database) and copy again");
    }
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

namespace hashtriage::engine {

std::string RedactSecrets(const std::string& text) {
  std::string out = text;
  // The URL form: postgres[ql]://user:PASSWORD@host
  for (std::size_t at = out.find("://"); at != std::string::npos; at = out.find("://", at + 3)) {
    const std::size_t scheme = out.rfind("postgres", at);
    if (scheme == std::string::npos || !kv::IsPostgresLocation(std::string_view(out).substr(scheme))) continue;
    const std::size_t user = at + 3;
    const std::size_t end = out.find_first_of("/@ ", user);
    if (end == std::string::npos || out[end] != '@') continue;
    const std::size_t colon = out.find(':', user);
    if (colon == std::string::npos || colon > end) continue;
    out.replace(colon + 1, end - colon - 1, "***");
  }
  // The keyword form, in a URL query or a connection string: password=... (up to '&' or a space)
  std::string lower = out;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t at = lower.find("password="); at != std::string::npos; at = lower.find("password=", at + 1)) {
    const std::size_t value = at + 9;
    const std::size_t end = std::min(out.find_first_of("& ", value), out.size());
    out.replace(value, end - value, "***");
    lower.replace(value, end - value, "***");
  }
  return out;
}

}  // namespace hashtriage::engine

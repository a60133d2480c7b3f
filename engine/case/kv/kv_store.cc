#include "engine/case/kv/kv_store.h"

#include <memory>
#include <algorithm>
#include <cctype>
#include <set>

#include "engine/case/case.h"
#include "engine/case/kv/kv_backend.h"
#include "engine/case/kv/read_ahead_cache.h"

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
    : backend_(std::move(backend)), path_(std::move(path)), read_only_(read_only) {
  if (backend_->remote()) read_ahead_ = std::make_unique<ReadAheadCache>();
}

void KvStore::ForgetReadAhead() const {
  if (read_ahead_) read_ahead_->Clear();
}
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
  // A write ends the read view (committed or refused): what was read ahead is of the old one.
  ForgetReadAhead();
  return backend_->Write(batch.ops_->ops);
}

Status KvStore::Put(Table table, std::string_view key, std::string_view value) {
  Batch batch;
  batch.Put(table, key, value);
  return Write(batch);
}

Result<std::optional<std::string>> KvStore::Get(Table table, std::string_view key) const {
  if (read_ahead_) {
    if (auto held = read_ahead_->Key(table, key)) return *held;
  }
  auto got = backend_->Get(table, key);
  if (!got.ok()) ForgetReadAhead();
  return got;
}

Status KvStore::GetMany(Table table, const std::vector<std::string>& keys, bool with_values,
                        const std::function<void(std::string_view, std::string_view)>& visit) const {
  if (!read_ahead_ || !with_values) {
    Status s = backend_->GetMany(table, keys, with_values, visit);
    if (!s.ok()) ForgetReadAhead();
    return s;
  }
  std::set<std::string_view> absent(keys.begin(), keys.end());
  std::vector<std::pair<std::string, std::string>> found;
  Status s = backend_->GetMany(table, keys, true, [&](std::string_view key, std::string_view value) {
    absent.erase(key);
    found.emplace_back(key, value);
  });
  if (!s.ok()) {
    ForgetReadAhead();
    return s;
  }
  for (const std::string_view key : absent) read_ahead_->PutKey(table, std::string(key), std::nullopt);
  for (auto& [key, value] : found) {
    visit(key, value);
    read_ahead_->PutKey(table, std::move(key), std::move(value));
  }
  return Status::Ok();
}

Status KvStore::ReadAhead(Table table, const std::vector<std::string>& keys) const {
  if (!read_ahead_ || keys.empty()) return Status::Ok();
  return GetMany(table, keys, true, [](std::string_view, std::string_view) {});
}

Status KvStore::ReadAheadPrefixes(Table table, const std::vector<std::string>& prefixes) const {
  if (!read_ahead_ || prefixes.empty()) return Status::Ok();
  std::vector<ReadAheadCache::Rows> rows(prefixes.size());
  Status s = backend_->ScanMany(table, prefixes, [&](std::size_t i, std::string_view key, std::string_view value) {
    rows[i].emplace_back(key, value);
  });
  if (!s.ok()) {
    ForgetReadAhead();
    return s;
  }
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    std::sort(rows[i].begin(), rows[i].end());
    read_ahead_->PutPrefix(table, prefixes[i], std::move(rows[i]));
  }
  return Status::Ok();
}

Status KvBackend::ScanMany(Table table, const std::vector<std::string>& prefixes,
                           const std::function<void(std::size_t, std::string_view, std::string_view)>& visit) {
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    HT_RETURN_IF_ERROR(Scan(table, prefixes[i], [&](std::string_view key, std::string_view value) {
      visit(i, key, value);
      return true;
    }));
  }
  return Status::Ok();
}

Status KvBackend::GetMany(Table table, const std::vector<std::string>& keys, bool with_values,
                          const std::function<void(std::string_view, std::string_view)>& visit) {
  for (const std::string& key : keys) {
    HT_ASSIGN_OR_RETURN(auto value, Get(table, key));
    if (value) visit(key, with_values ? std::string_view(*value) : std::string_view());
  }
  return Status::Ok();
}

Status KvStore::Scan(Table table, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::string after;  // the last key visited from what was read ahead
  if (read_ahead_) {
    if (auto rows = read_ahead_->Prefix(table, prefix)) {
      const std::uint64_t generation = read_ahead_->generation();
      bool rest_from_backend = false;
      for (const auto& [key, value] : *rows) {
        if (!visit(key, value)) return Status::Ok();
        after = key;
        // A visitor that wrote ended the view: the rest is read afresh, as the backend does.
        if (read_ahead_->generation() != generation) {
          rest_from_backend = true;
          break;
        }
      }
      if (!rest_from_backend) return Status::Ok();
      return Scan(table, prefix, [&](std::string_view key, std::string_view value) {
        return key <= after || visit(key, value);
      });
    }
  }
  Status s = backend_->Scan(table, prefix, visit);
  if (!s.ok()) ForgetReadAhead();
  return s;
}

Result<std::optional<std::pair<std::string, std::string>>> KvStore::Last(Table table, std::string_view prefix) const {
  if (read_ahead_) {
    if (auto rows = read_ahead_->Prefix(table, prefix)) {
      if (rows->empty()) return std::optional<std::pair<std::string, std::string>>();
      return std::optional<std::pair<std::string, std::string>>(std::move(rows->back()));
    }
  }
  auto last = backend_->Last(table, prefix);
  if (!last.ok()) ForgetReadAhead();
  return last;
}

void KvStore::EndReadView() {
  ForgetReadAhead();
  backend_->EndReadView();
}

Status KvStore::LockWriters() {
  ForgetReadAhead();
  return backend_->LockWriters();
}

void KvStore::UnlockWriters() { backend_->UnlockWriters(); }

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

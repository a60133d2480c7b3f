#include "engine/subjects/subject_workspace.h"

namespace hashtriage::engine::subjects {

namespace {

// The cache of one record type: loads through `get`, stages through `put` (read-write cases only).
template <typename Record>
CachedRecords<Record> Cache(const char* what, const Case& c, Case* writable,
                            Result<std::optional<Record>> (SubjectStore::*get)(const std::string&) const,
                            void (SubjectStore::*put)(CaseTransaction&, const Record&)) {
  const SubjectStore& store = c.subjects();
  return CachedRecords<Record>(
      what, [&store, get](const std::string& key) { return (store.*get)(key); },
      [writable, put](CaseTransaction& txn, const Record& r) {
        if (writable != nullptr) (writable->subjects().*put)(txn, r);
      });
}

}  // namespace

SubjectWorkspace::SubjectWorkspace(Case& c, CaseTransaction& txn) : SubjectWorkspace(c, &c, &txn) {}

SubjectWorkspace::SubjectWorkspace(const Case& c) : SubjectWorkspace(c, nullptr, nullptr) {}

SubjectWorkspace::SubjectWorkspace(const Case& c, Case* writable, CaseTransaction* txn)
    : subjects(Cache("subject", c, writable, &SubjectStore::GetSubject, &SubjectStore::PutSubject)),
      accounts(Cache("account", c, writable, &SubjectStore::GetAccount, &SubjectStore::PutAccount)),
      identifiers(Cache("identifier", c, writable, &SubjectStore::GetIdentifier, &SubjectStore::PutIdentifier)),
      ip_addresses(Cache("IP address", c, writable, &SubjectStore::GetIpAddress, &SubjectStore::PutIpAddress)),
      links(Cache("link", c, writable, &SubjectStore::GetLink, &SubjectStore::PutLink)),
      possible_links(Cache("possible link", c, writable, &SubjectStore::GetPossibleLink, &SubjectStore::PutPossibleLink)),
      store_(c),
      writable_(writable),
      txn_(txn) {}

namespace {

// Accounts preloaded per identifier at most: a very common identifier (a shared office address) is
// read account by account when it matters, not all at once.
constexpr std::size_t kPreloadAccountsPerIdentifier = 32;

template <typename Record, typename GetMany>
Status SeedMissing(CachedRecords<Record>& cache, const std::vector<std::string>& keys, GetMany get_many) {
  const std::vector<std::string> missing = cache.Missing(keys);
  if (missing.empty()) return Status::Ok();
  HT_ASSIGN_OR_RETURN(auto loaded, get_many(missing));
  for (std::size_t i = 0; i < missing.size(); ++i) cache.Seed(missing[i], std::move(loaded[i]));
  return Status::Ok();
}

}  // namespace

Status SubjectWorkspace::Preload(const std::vector<std::string>& identifier_keys) {
  if (!store_.shared()) return Status::Ok();
  const SubjectStore& store = store_.subjects();
  HT_RETURN_IF_ERROR(SeedMissing(identifiers, identifier_keys,
                                 [&](const std::vector<std::string>& keys) { return store.GetIdentifiers(keys); }));
  std::vector<std::string> account_ids, subject_ids;
  for (const std::string& key : identifier_keys) {
    HT_ASSIGN_OR_RETURN(const IdentifierRecord* rec, identifiers.Find(key));
    if (rec == nullptr) continue;
    if (!rec->primary.empty()) account_ids.push_back(rec->primary);
    if (rec->accounts.size() <= kPreloadAccountsPerIdentifier) {
      for (const std::string& a : rec->accounts) account_ids.push_back(a);
      for (const std::string& sid : rec->subjects) subject_ids.push_back(sid);
    }
  }
  HT_RETURN_IF_ERROR(SeedMissing(accounts, account_ids,
                                 [&](const std::vector<std::string>& ids) { return store.GetAccounts(ids); }));
  for (const std::string& id : account_ids) {
    HT_ASSIGN_OR_RETURN(const AccountRecord* account, accounts.Find(id));
    if (account != nullptr && !account->subject.empty()) subject_ids.push_back(account->subject);
  }
  HT_RETURN_IF_ERROR(SeedMissing(subjects, subject_ids,
                                 [&](const std::vector<std::string>& ids) { return store.GetSubjects(ids); }));
  // One step along merge redirects (a subject merged into another since the hint was written).
  std::vector<std::string> roots;
  for (const std::string& id : subject_ids) {
    HT_ASSIGN_OR_RETURN(const SubjectRecord* subject, subjects.Find(id));
    if (subject != nullptr && !subject->merged_into.empty()) roots.push_back(subject->merged_into);
  }
  return SeedMissing(subjects, roots, [&](const std::vector<std::string>& ids) { return store.GetSubjects(ids); });
}

Status SubjectWorkspace::PreloadSubjects(const std::vector<std::string>& subject_ids) {
  if (!store_.shared()) return Status::Ok();
  const SubjectStore& store = store_.subjects();
  return SeedMissing(subjects, subject_ids, [&](const std::vector<std::string>& ids) { return store.GetSubjects(ids); });
}

Status SubjectWorkspace::PreloadIpAddresses(const std::vector<std::string>& ip_keys) {
  if (!store_.shared()) return Status::Ok();
  const SubjectStore& store = store_.subjects();
  return SeedMissing(ip_addresses, ip_keys, [&](const std::vector<std::string>& keys) { return store.GetIpAddresses(keys); });
}

Status SubjectWorkspace::PutAttribute(const AttributeRecord& record) {
  if (writable_ == nullptr || txn_ == nullptr) return Status::InvalidArgument("case opened read-only");
  writable_->subjects().PutAttribute(*txn_, record);
  return Status::Ok();
}

Result<std::uint64_t> SubjectWorkspace::NextId(std::string_view name) {
  if (txn_ == nullptr) return Status::InvalidArgument("case opened read-only");
  return txn_->NextId(name);
}

std::size_t SubjectWorkspace::staged() const {
  return subjects.staged() + accounts.staged() + identifiers.staged() + ip_addresses.staged() + links.staged() +
         possible_links.staged();
}

Status SubjectWorkspace::Flush(std::size_t keep_records) {
  if (staged() > 0) {
    if (txn_ == nullptr) return Status::InvalidArgument("case opened read-only");
    subjects.Stage(*txn_);
    accounts.Stage(*txn_);
    identifiers.Stage(*txn_);
    ip_addresses.Stage(*txn_);
    links.Stage(*txn_);
    possible_links.Stage(*txn_);
  }
  subjects.Clean();
  accounts.Clean();
  identifiers.Clean();
  ip_addresses.Clean();
  links.Clean();
  possible_links.Clean();
  // A shared case may change under us once this flush is committed: keep nothing read before it.
  if (store_.shared()) keep_records = 0;
  const std::size_t held = subjects.size() + accounts.size() + identifiers.size() + ip_addresses.size() +
                           links.size() + possible_links.size();
  if (held > keep_records) Discard();
  return Status::Ok();
}

void SubjectWorkspace::Discard() {
  subjects.Clear();
  accounts.Clear();
  identifiers.Clear();
  ip_addresses.Clear();
  links.Clear();
  possible_links.Clear();
}

}  // namespace hashtriage::engine::subjects

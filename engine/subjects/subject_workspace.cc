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

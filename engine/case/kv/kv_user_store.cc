// The user store on the key-value store: kUsers, key = user name.
#include "engine/case/kv/kv_case.h"
#include "engine/case/kv/record_codec.h"

namespace hashtriage::engine::kv {

namespace {

constexpr int kUserVersion = 1;

std::string EncodeUser(const UserRecord& u) {
  return EncodeRecord(Json{{"name", u.name},
                           {"role", u.role},
                           {"password_hash", u.password_hash},
                           {"token_sha256", u.token_sha256},
                           {"disabled", u.disabled},
                           {"created", u.created},
                           {"created_by", u.created_by},
                           {"changed", u.changed},
                           {"changed_by", u.changed_by},
                           {"failed_logins", u.failed_logins},
                           {"locked_until", u.locked_until}},
                      kUserVersion);
}

Result<UserRecord> DecodeUser(std::string_view bytes, std::string_view name) {
  HT_ASSIGN_OR_RETURN(Json j, DecodeRecord(bytes, kUserVersion, "user " + std::string(name)));
  UserRecord u;
  u.name = Str(j, "name");
  u.role = Str(j, "role");
  u.password_hash = Str(j, "password_hash");
  u.token_sha256 = Str(j, "token_sha256");
  u.disabled = Bool(j, "disabled");
  u.created = Int(j, "created");
  u.created_by = Str(j, "created_by");
  u.changed = Int(j, "changed");
  u.changed_by = Str(j, "changed_by");
  u.failed_logins = static_cast<std::uint32_t>(UInt(j, "failed_logins"));
  u.locked_until = Int(j, "locked_until");
  return u;
}

}  // namespace

Result<std::optional<UserRecord>> KvUserStore::Get(const std::string& name) const {
  HT_ASSIGN_OR_RETURN(auto bytes, kv_.Get(Table::kUsers, name));
  if (!bytes) return std::optional<UserRecord>();
  HT_ASSIGN_OR_RETURN(UserRecord u, DecodeUser(*bytes, name));
  return std::optional<UserRecord>(std::move(u));
}

void KvUserStore::Put(CaseTransaction& txn, const UserRecord& record) {
  KvTxn(txn).Put(Table::kUsers, record.name, EncodeUser(record));
}

Status KvUserStore::ForEach(const std::function<bool(const UserRecord&)>& visit) const {
  return ScanRecords(kv_, Table::kUsers, "", DecodeUser, visit);
}

}  // namespace hashtriage::engine::kv

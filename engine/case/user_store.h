// UserStore: the people and stations who may use a team case (`hashtriage user ...`, later `serve`):
// name, role, an argon2id password hash (people) or the SHA-256 of a bearer token (stations), whether
// the account is disabled, and the login-failure count and lockout the server keeps. Secrets are never
// stored in the clear. The rules (roles, hashing) are in engine/users/users.h; this store only keeps
// typed records. Threads: reads from any thread; writes through a CaseTransaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/case/case.h"

namespace hashtriage::engine {

struct UserRecord {
  std::string name;
  std::string role;               // researcher, investigator, supervisor, station, admin
  std::string password_hash;      // crypto_pwhash_str (argon2id) of the password; "" for a station
  std::string token_sha256;       // stations: hex SHA-256 of the bearer token; "" for people
  bool disabled = false;
  std::int64_t created = 0;       // real clock, Unix seconds UTC
  std::string created_by;
  std::int64_t changed = 0;       // the last change (role, password, enabled)
  std::string changed_by;
  std::uint32_t failed_logins = 0;  // consecutive, since the last success
  std::int64_t locked_until = 0;    // no login before this (Unix seconds UTC)
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual Result<std::optional<UserRecord>> Get(const std::string& name) const = 0;
  virtual void Put(CaseTransaction& txn, const UserRecord& record) = 0;
  // Every user in name order until `visit` returns false.
  virtual Status ForEach(const std::function<bool(const UserRecord&)>& visit) const = 0;
};

}  // namespace hashtriage::engine

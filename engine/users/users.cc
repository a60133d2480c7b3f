#include "engine/users/users.h"

#include <sodium.h>

#include <array>
#include <cctype>

#include "engine/case/audit_log.h"
#include "engine/case/conflict_retry.h"
#include "engine/time_util.h"

namespace hashtriage::engine::users {

namespace {

constexpr std::array<std::string_view, 5> kRoleNames = {"researcher", "investigator", "supervisor", "station",
                                                        "admin"};

Status SodiumReady() {
  static const int ready = sodium_init();
  return ready < 0 ? Status::Internal("libsodium could not initialise") : Status::Ok();
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > 64) return Status::InvalidArgument("a user name has 1 to 64 characters");
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(std::islower(c) || std::isdigit(c) || c == '.' || c == '_' || c == '-')) {
      return Status::InvalidArgument("user name '" + name + "': use lower-case letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Result<std::string> HashPassword(const std::string& password) {
  HT_RETURN_IF_ERROR(SodiumReady());
  if (password.size() < kMinPasswordLength) {
    return Status::InvalidArgument("the password must have at least " + std::to_string(kMinPasswordLength) +
                                   " characters");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::ResourceLimit("not enough memory to hash the password (argon2id)");
  }
  return std::string(out);
}

std::string Sha256Hex(const std::string& text) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

// Reads the user, lets `change` edit it, stores it with an audit entry (repeated on a conflict).
Status ChangeUser(Case& c, const std::string& name, const std::string& action, const std::string& by,
                  const CommandContext& context, const std::function<Status(UserRecord&)>& change) {
  return RetryOnConflict(c, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(auto found, c.users().Get(name));
    if (!found) return Status::NotFound("no user '" + name + "' (see `hashtriage user list`)");
    UserRecord user = *found;
    HT_RETURN_IF_ERROR(change(user));
    user.changed = WallClockNow();
    user.changed_by = by;
    auto txn = c.Begin();
    c.users().Put(*txn, user);
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context,
                                                                          {{"action", action},
                                                                           {"user", name},
                                                                           {"role", user.role},
                                                                           {"disabled", user.disabled},
                                                                           {"by", by}})));
    (void)entry;
    return txn->Commit();
  });
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<int>(role)]; }

Result<Role> ParseRole(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i) {
    if (name == kRoleNames[i]) return static_cast<Role>(i);
  }
  return Status::InvalidArgument("unknown role '" + std::string(name) +
                                 "': researcher, investigator, supervisor, station or admin");
}

Result<AddedUser> AddUser(Case& c, const std::string& name, Role role, const std::string& password,
                          const std::string& by, const CommandContext& context) {
  HT_RETURN_IF_ERROR(CheckName(name));
  HT_RETURN_IF_ERROR(SodiumReady());
  AddedUser added;
  UserRecord& user = added.record;
  user.name = name;
  user.role = std::string(RoleName(role));
  if (role == Role::kStation) {
    std::array<unsigned char, 32> random{};
    randombytes_buf(random.data(), random.size());
    added.token.resize(random.size() * 2 + 1);
    sodium_bin2hex(added.token.data(), added.token.size(), random.data(), random.size());
    added.token.pop_back();
    added.token = "hts_" + added.token;
    user.token_sha256 = Sha256Hex(added.token);
  } else {
    HT_ASSIGN_OR_RETURN(user.password_hash, HashPassword(password));
  }
  user.created = user.changed = WallClockNow();
  user.created_by = user.changed_by = by;
  HT_RETURN_IF_ERROR(RetryOnConflict(c, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(auto existing, c.users().Get(name));
    if (existing) return Status::InvalidArgument("user '" + name + "' already exists");
    auto txn = c.Begin();
    c.users().Put(*txn, user);
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context,
                                                                          {{"action", "user add"},
                                                                           {"user", name},
                                                                           {"role", user.role},
                                                                           {"by", by}})));
    (void)entry;
    return txn->Commit();
  }));
  return added;
}

Status SetPassword(Case& c, const std::string& name, const std::string& password, const std::string& by,
                   const CommandContext& context) {
  HT_ASSIGN_OR_RETURN(const std::string hash, HashPassword(password));
  return ChangeUser(c, name, "user passwd", by, context, [&](UserRecord& user) -> Status {
    if (user.role == RoleName(Role::kStation)) {
      return Status::InvalidArgument("'" + name + "' is a station: stations use a token, not a password");
    }
    user.password_hash = hash;
    user.failed_logins = 0;
    user.locked_until = 0;
    return Status::Ok();
  });
}

Status SetRole(Case& c, const std::string& name, Role role, const std::string& by, const CommandContext& context) {
  return ChangeUser(c, name, "user role", by, context, [&](UserRecord& user) -> Status {
    const bool station = user.role == RoleName(Role::kStation);
    if (station != (role == Role::kStation)) {
      return Status::InvalidArgument("a station cannot become a person or a person a station: add a new user");
    }
    user.role = std::string(RoleName(role));
    return Status::Ok();
  });
}

Status SetDisabled(Case& c, const std::string& name, bool disabled, const std::string& by,
                   const CommandContext& context) {
  return ChangeUser(c, name, disabled ? "user disable" : "user enable", by, context, [&](UserRecord& user) {
    user.disabled = disabled;
    if (!disabled) {
      user.failed_logins = 0;
      user.locked_until = 0;
    }
    return Status::Ok();
  });
}

Result<std::vector<UserRecord>> ListUsers(const Case& c) {
  std::vector<UserRecord> out;
  HT_RETURN_IF_ERROR(c.users().ForEach([&](const UserRecord& u) {
    out.push_back(u);
    return true;
  }));
  return out;
}

bool VerifyPassword(const UserRecord& user, const std::string& password) {
  if (!SodiumReady().ok() || user.password_hash.empty()) return false;
  return crypto_pwhash_str_verify(user.password_hash.c_str(), password.data(), password.size()) == 0;
}

bool VerifyToken(const UserRecord& user, const std::string& token) {
  if (!SodiumReady().ok() || user.token_sha256.size() != crypto_hash_sha256_BYTES * 2) return false;
  const std::string given = Sha256Hex(token);
  return sodium_memcmp(given.data(), user.token_sha256.data(), given.size()) == 0;
}

Result<UserRecord> SignIn(Case& c, const std::string& name, const std::string& password, std::int64_t now,
                          const SignInPolicy& policy) {
  const Status refused = Status::PermissionDenied("wrong name or password");
  HT_ASSIGN_OR_RETURN(auto found, c.users().Get(name));
  if (!found || found->role == RoleName(Role::kStation) || found->disabled) {
    // The same work as a real check, so the answer's timing does not tell which names exist.
    static const std::string dummy = [] {
      auto hashed = HashPassword("a password nobody has");
      return hashed.ok() ? *hashed : std::string();
    }();
    (void)VerifyPassword(UserRecord{.password_hash = dummy}, password);
    return refused;
  }
  if (found->locked_until > now) {
    // Locked: answered exactly like a wrong password (same work, same words), so a lockout does not tell
    // that the name exists; `user list` shows the lock to administrators.
    (void)VerifyPassword(*found, password);
    return refused;
  }
  const bool ok = VerifyPassword(*found, password);
  if (ok && found->failed_logins == 0) return *found;
  UserRecord stored;
  HT_RETURN_IF_ERROR(RetryOnConflict(c, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(auto current, c.users().Get(name));
    if (!current) return refused;
    stored = *current;
    auto txn = c.Begin();
    if (ok) {
      stored.failed_logins = 0;
      stored.locked_until = 0;
    } else if (++stored.failed_logins >= policy.max_failures) {
      stored.failed_logins = 0;
      stored.locked_until = now + policy.lockout_seconds;
      HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry("sign-in",
                                                                            {{"action", "user locked"},
                                                                             {"user", name},
                                                                             {"until", FormatIso8601(stored.locked_until)}},
                                                                            std::nullopt)));
      (void)entry;
    }
    c.users().Put(*txn, stored);
    return txn->Commit();
  }));
  if (!ok) return refused;
  return stored;
}

std::string AccountStamp(const UserRecord& u) {
  return Sha256Hex(u.role + '\n' + u.password_hash + '\n' + u.token_sha256 + '\n' + (u.disabled ? "1" : "0") + '\n' +
                   std::to_string(u.changed));
}

Result<UserRecord> StationForToken(const Case& c, const std::string& token) {
  HT_RETURN_IF_ERROR(SodiumReady());
  const std::string given = Sha256Hex(token);  // once, not once per account compared
  std::optional<UserRecord> station;
  HT_RETURN_IF_ERROR(c.users().ForEach([&](const UserRecord& u) {
    if (u.role == RoleName(Role::kStation) && u.token_sha256.size() == given.size() &&
        sodium_memcmp(given.data(), u.token_sha256.data(), given.size()) == 0) {
      station = u;
    }
    return !station.has_value();
  }));
  if (!station || station->disabled) return Status::PermissionDenied("unknown or disabled station token");
  return *station;
}

}  // namespace hashtriage::engine::users

// Users of a team case and what they may be: the rules behind `hashtriage user add|passwd|role|disable|
// enable|list` (and, next, `serve`'s logins). Roles: researcher (attributes, links, research tasks),
// investigator (queue, subject view, review of subjects they take or are given), supervisor
// (dip-sample, re-grade, forecast, assignments, exports), station (submits scan results, sees only
// its own), admin (users, index sets). People log in with a password — at least 12 characters, kept
// only as an argon2id hash (libsodium's crypto_pwhash_str, interactive limits). A station gets a
// bearer token instead: 32 random bytes shown once, kept as its SHA-256. Every change is one
// transaction with its audit entry (who changed whom, never a secret).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/case/case.h"
#include "engine/case/user_store.h"
#include "engine/command_context.h"
#include "hashing/status.h"

namespace hashtriage::engine::users {

enum class Role { kResearcher, kInvestigator, kSupervisor, kStation, kAdmin };
std::string_view RoleName(Role role);
// InvalidArgument naming the roles for anything else.
Result<Role> ParseRole(std::string_view name);

inline constexpr std::size_t kMinPasswordLength = 12;

struct AddedUser {
  UserRecord record;
  std::string token;  // a station's bearer token, shown this once; "" for people
};

// `password` is ignored for a station. Errors: InvalidArgument (bad name, short password, the name
// taken).
Result<AddedUser> AddUser(Case& c, const std::string& name, Role role, const std::string& password,
                          const std::string& by, const CommandContext& context);
Status SetPassword(Case& c, const std::string& name, const std::string& password, const std::string& by,
                   const CommandContext& context);
Status SetRole(Case& c, const std::string& name, Role role, const std::string& by, const CommandContext& context);
// Disabling ends every session and token of the user at once (the server checks on each request).
Status SetDisabled(Case& c, const std::string& name, bool disabled, const std::string& by,
                   const CommandContext& context);
Result<std::vector<UserRecord>> ListUsers(const Case& c);

// True when `password` is the user's (constant-time comparison inside libsodium).
bool VerifyPassword(const UserRecord& user, const std::string& password);
// True when `token` is the station's.
bool VerifyToken(const UserRecord& user, const std::string& token);

// Consecutive failed sign-ins that lock an account, and for how long.
struct SignInPolicy {
  std::uint32_t max_failures = 5;
  std::int64_t lockout_seconds = 15 * 60;
};
// A person signing in with a password at real time `now`. A success clears the failure count; a
// failure counts, and the max_failures-th in a row locks the account for lockout_seconds (audited as
// "user locked"); while locked no password is accepted. Errors: PermissionDenied "wrong name or
// password" — the same for an unknown name, a station, a disabled or a locked account: nothing is
// revealed (`user list` shows a lock to administrators).
Result<UserRecord> SignIn(Case& c, const std::string& name, const std::string& password, std::int64_t now,
                          const SignInPolicy& policy);
// A digest of what a sign-in depends on (role, password or token, enabled, last change): a session
// is valid only while its account's stamp is the one it began with.
std::string AccountStamp(const UserRecord& user);
// The enabled station whose bearer token this is (PermissionDenied otherwise).
Result<UserRecord> StationForToken(const Case& c, const std::string& token);

}  // namespace hashtriage::engine::users

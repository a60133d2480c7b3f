// Users of a team case and what they may be: the rules behind `hashtriage user add|passwd|role|disable|
// enable|list` (and, next, `serve`'s logins). Roles: researcher (attributes, links, research tasks),
// investigator (queue, subject view, review of subjects they take or are given), supervisor
// (dip-sample, re-grade, forecast, assignments, exports), station (submits scan results, sees only
// its own), admin (users, index sets). People log in with a password — at least 12 characters, kept
// only as an argon2id hash (libsodium's crypto_pwhash_str, interactive limits). A station gets a
// bearer token instead: 32 random bytes shown once, kept as its SHA-256. Every change is one
// transaction with its audit entry (who changed whom, never a secret).
#pragma once

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

}  // namespace hashtriage::engine::users

// Browser sessions of `hashtriage serve`: a random session id (in an HttpOnly, Secure, SameSite=Strict
// cookie) and a random CSRF token (sent back in a header on every change) per sign-in, ended by
// sign-out, by idle expiry, by absolute expiry, or when the account is disabled. Only SHA-256 digests
// of the ids are kept, in memory: a restart of the server signs everyone out. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hashtriage::engine::serve {

struct SessionLimits {
  std::int64_t idle_seconds = 30 * 60;         // no request for this long ends a session
  std::int64_t absolute_seconds = 12 * 3600;   // a session never lives longer than this
};

struct Session {
  std::string user;
  std::string account_stamp;  // users::AccountStamp at sign-in: any later change of the account
                              // (role, password, disabled) ends the session
  std::string csrf_token;
  std::int64_t created = 0;
  std::int64_t last_seen = 0;
};

struct NewSession {
  std::string id;  // goes into the cookie; never stored
  Session session;
};

// 32 random bytes as 64 hex characters (libsodium's generator).
std::string RandomHexToken();

class SessionTable {
 public:
  explicit SessionTable(SessionLimits limits) : limits_(limits) {}

  NewSession Create(const std::string& user, const std::string& account_stamp, std::int64_t now);
  // The live session with this id (its idle clock restarted), or nullopt when unknown or expired
  // (an expired one is removed).
  std::optional<Session> Find(const std::string& id, std::int64_t now);
  void End(const std::string& id);
  // Ends every session of `user` (disabled, or password changed).
  void EndAllOf(const std::string& user);
  std::size_t size() const;

 private:
  SessionLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Session> by_digest_;
};

// Sign-in attempts per client address: at most `per_minute` in any 60 seconds (then 429), so that
// guessing passwords is slow even across many accounts. Thread-safe.
class SignInThrottle {
 public:
  explicit SignInThrottle(std::size_t per_minute) : per_minute_(per_minute) {}
  // Counts an attempt; false when the address is over its allowance.
  bool Allow(const std::string& address, std::int64_t now);

 private:
  std::size_t per_minute_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::int64_t>> attempts_;
};

}  // namespace hashtriage::engine::serve

#include "engine/serve/session_table.h"

#include <sodium.h>

#include <array>

namespace hashtriage::engine::serve {

namespace {

std::string Hex(const unsigned char* bytes, std::size_t n) {
  std::string hex(2 * n + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();
  return hex;
}

std::string Digest(const std::string& id) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(id.data()), id.size());
  return Hex(digest.data(), digest.size());
}

}  // namespace

std::string RandomHexToken() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return Hex(bytes.data(), bytes.size());
}

NewSession SessionTable::Create(const std::string& user, const std::string& account_stamp, std::int64_t now) {
  NewSession made;
  made.id = RandomHexToken();
  made.session = Session{user, account_stamp, RandomHexToken(), now, now};
  std::lock_guard lock(mutex_);
  by_digest_[Digest(made.id)] = made.session;
  return made;
}

std::optional<Session> SessionTable::Find(const std::string& id, std::int64_t now) {
  if (id.empty()) return std::nullopt;
  const std::string key = Digest(id);
  std::lock_guard lock(mutex_);
  auto it = by_digest_.find(key);
  if (it == by_digest_.end()) return std::nullopt;
  Session& s = it->second;
  if (now - s.last_seen > limits_.idle_seconds || now - s.created > limits_.absolute_seconds) {
    by_digest_.erase(it);
    return std::nullopt;
  }
  s.last_seen = now;
  return s;
}

void SessionTable::End(const std::string& id) {
  const std::string key = Digest(id);
  std::lock_guard lock(mutex_);
  by_digest_.erase(key);
}

void SessionTable::EndAllOf(const std::string& user) {
  std::lock_guard lock(mutex_);
  std::erase_if(by_digest_, [&](const auto& kv) { return kv.second.user == user; });
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mutex_);
  return by_digest_.size();
}

bool SignInThrottle::Allow(const std::string& address, std::int64_t now) {
  std::lock_guard lock(mutex_);
  if (attempts_.size() > 100000) attempts_.clear();  // bounded memory under a flood of addresses
  auto& times = attempts_[address];
  std::erase_if(times, [&](std::int64_t t) { return now - t >= 60; });
  if (times.size() >= per_minute_) return false;
  times.push_back(now);
  return true;
}

}  // namespace hashtriage::engine::serve

#include "engine/subjects/subject_records.h"

#include <cctype>
#include <cstdio>

namespace hashtriage::engine::subjects {

std::string FormatId(char prefix, std::uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c-%06llu", prefix, static_cast<unsigned long long>(number));
  return buf;
}

bool LooksLikeAccountId(std::string_view id) {
  if (id.size() < 3 || id[0] != 'A' || id[1] != '-') return false;
  for (char c : id.substr(2)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsValidSubjectId(std::string_view id) {
  if (id.empty() || id.size() > 64 || !std::isalnum(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return !LooksLikeAccountId(id);
}

std::string SubjectNode(std::string_view subject_id) { return "subject:" + std::string(subject_id); }
bool IsSubjectNode(std::string_view node) { return node.starts_with("subject:"); }
std::string_view SubjectOfNode(std::string_view node) { return node.substr(8); }

bool ListContains(const nlohmann::json& list, std::string_view value) {
  if (!list.is_array()) return false;
  for (const auto& item : list) {
    if (item.is_string() && item.get_ref<const std::string&>() == value) return true;
  }
  return false;
}

bool ListAdd(nlohmann::json& list, std::string_view value) {
  if (!list.is_array()) list = nlohmann::json::array();
  if (ListContains(list, value)) return false;
  list.push_back(std::string(value));
  return true;
}

void ListRemove(nlohmann::json& list, std::string_view value) {
  if (!list.is_array()) return;
  nlohmann::json kept = nlohmann::json::array();
  for (auto& item : list) {
    if (!(item.is_string() && item.get_ref<const std::string&>() == value)) kept.push_back(std::move(item));
  }
  list = std::move(kept);
}

std::string PossibleLinkKey(std::string_view ip, std::string_view account_a, std::string_view account_b) {
  if (account_b < account_a) std::swap(account_a, account_b);
  return "possible/" + std::string(ip) + "/" + std::string(account_a) + "/" + std::string(account_b);
}

const nlohmann::json& ListField(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

std::string StringField(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t IntField(const nlohmann::json& j, std::string_view key, std::int64_t fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

}  // namespace hashtriage::engine::subjects

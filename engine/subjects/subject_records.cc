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

std::string PossibleLinkKey(std::string_view basis, std::string_view account_a, std::string_view account_b) {
  if (account_b < account_a) std::swap(account_a, account_b);
  return "possible/" + std::string(basis) + "/" + std::string(account_a) + "/" + std::string(account_b);
}

}  // namespace hashtriage::engine::subjects

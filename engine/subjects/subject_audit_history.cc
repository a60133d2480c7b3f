#include "engine/subjects/subject_audit_history.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace hashtriage::engine::subjects {

namespace {

// Actions whose effect the subject view already shows from the store that keeps it.
constexpr std::array<std::string_view, 12> kShownElsewhere = {
    "review",         "subject attr set", "subject attr import", "subject link",  "subject unlink", "intake",
    "intake batch",   "evidence attached", "scan",               "scan started", "rematch",        "rematch batch"};

std::string StringField(const nlohmann::json& j, const char* name) {
  return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
}

void AddName(std::vector<std::string>& out, const nlohmann::json& value) {
  if (value.is_string() && std::find(out.begin(), out.end(), value.get<std::string>()) == out.end()) {
    out.push_back(value.get<std::string>());
  }
}

}  // namespace

std::vector<std::string> SubjectsNamedBy(const nlohmann::json& details) {
  std::vector<std::string> out;
  if (!details.is_object()) return out;
  for (const char* key : {"subject", "a", "b"}) {
    if (details.contains(key)) AddName(out, details[key]);
  }
  if (details.contains("subjects") && details["subjects"].is_array()) {
    for (const auto& s : details["subjects"]) AddName(out, s);
  }
  if (details.contains("decision") && details["decision"].is_object() && details["decision"].contains("subject")) {
    AddName(out, details["decision"]["subject"]);
  }
  return out;
}

std::string AuditHistoryText(const AuditEntry& e) {
  const std::string action = StringField(e.details, "action");
  if (action.empty()) return "";
  if (std::find(kShownElsewhere.begin(), kShownElsewhere.end(), action) != kShownElsewhere.end()) return "";
  const std::string by = StringField(e.details, "by").empty() ? e.user : StringField(e.details, "by");
  const std::string entry = " (audit entry " + std::to_string(e.seq) + ")";
  if (action == "take") {
    const std::string owner = StringField(e.details, "owner");
    return (owner == e.user ? "taken by " + owner : "assigned to " + owner + " by " + e.user) + entry;
  }
  if (action == "dip-sample") return "drawn for dip-sample " + StringField(e.details, "draw") + " by " + e.user + entry;
  if (action == "subject ident add") {
    std::string text = "identifier " + StringField(e.details, "identifier") + " added by " + by;
    const std::string source = StringField(e.details, "source");
    if (!source.empty()) text += " (source: " + source + ")";
    return text + entry;
  }
  return action + " by " + by + entry;
}

Result<std::vector<AuditHistoryEvent>> SubjectAuditHistory::EventsFor(const AuditLog& log,
                                                                      const std::vector<std::string>& subject_ids) {
  std::lock_guard lock(mutex_);
  HT_ASSIGN_OR_RETURN(auto fresh, log.EntriesAfter(indexed_through_));
  for (const AuditEntry& e : fresh) {
    // By where the log holds the entry, not the sequence number it claims (an edited entry may lie).
    indexed_through_ = std::max(indexed_through_, e.position);
    const std::string text = AuditHistoryText(e);
    if (text.empty()) continue;
    for (const std::string& subject : SubjectsNamedBy(e.details)) {
      events_[subject].push_back(AuditHistoryEvent{e.effective_time(), e.seq, text});
    }
  }
  std::vector<AuditHistoryEvent> out;
  for (const std::string& id : subject_ids) {
    auto it = events_.find(id);
    if (it != events_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  // One entry may name two subjects since merged into this one: it is shown once.
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.seq < y.seq; });
  out.erase(std::unique(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.seq == y.seq; }), out.end());
  return out;
}

}  // namespace hashtriage::engine::subjects

// SubjectAuditHistory: what the audit log says happened to each subject that no other store keeps —
// who took it, dip-sample draws, identifiers added by hand, and any action a later version adds — as
// timeline events for the subject view. It indexes the log incrementally: each
// call reads only the entries written since the last one, so a long-running server pays for the whole
// log once, not per page. Entries already shown from their own stores (reviews, attributes, links
// made, referrals, scans) are left out here so the history names each event once.
// Threads: safe (one mutex); one instance may serve every request of a server.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/case/audit_log.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

struct AuditHistoryEvent {
  std::int64_t time = 0;  // when the action took effect (the command's clock when it had one)
  std::uint64_t seq = 0;  // the audit entry (its sequence number as stored)
  std::string text;       // "taken by alice (audit entry 41)"
};

// The subjects an audit entry's details name (subject, subjects, a, b, decision.subject).
std::vector<std::string> SubjectsNamedBy(const nlohmann::json& details);
// The timeline text of an entry about a subject, or "" when another store already shows it.
std::string AuditHistoryText(const AuditEntry& entry);

class SubjectAuditHistory {
 public:
  // Reads the entries written since the last call, then returns the events of `subject_ids` (a
  // subject and those merged into it) in log order.
  Result<std::vector<AuditHistoryEvent>> EventsFor(const AuditLog& log, const std::vector<std::string>& subject_ids);

 private:
  std::mutex mutex_;
  std::uint64_t indexed_through_ = 0;
  std::map<std::string, std::vector<AuditHistoryEvent>, std::less<>> events_;
};

}  // namespace hashtriage::engine::subjects

// What `subject show` and `subject list` print: a subject's accounts and identifiers with how each
// account joined, merges and manual links, open possible links, referrals, scans, known-image hits by
// category, attributes with provenance and history, and one timeline; and the one-line-per-subject
// list. Built as JSON (the --json output) and rendered as text from that JSON. Read-only; no state.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/case/case.h"
#include "engine/subjects/subject_audit_history.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

// The timeline holds the subject's whole history: what each store keeps (referrals, scans, merges,
// links, attributes, decisions, queue entries and band changes) and what only the audit log records
// (takes, dip-sample draws, identifiers added), read through `audit_history` (kept by a server across
// requests; the first form reads the log afresh).
Result<nlohmann::ordered_json> BuildSubjectView(const Case& case_store, const std::string& subject_id);
Result<nlohmann::ordered_json> BuildSubjectView(const Case& case_store, const std::string& subject_id,
                                                SubjectAuditHistory& audit_history);
std::string RenderSubjectText(const nlohmann::ordered_json& view);

// {"subjects": [{id, name, accounts, referrals, scans, hits, escalate, area, created, last_referral}]}
Result<nlohmann::ordered_json> BuildSubjectList(const Case& case_store);
std::string RenderSubjectListText(const nlohmann::ordered_json& list);

}  // namespace hashtriage::engine::subjects

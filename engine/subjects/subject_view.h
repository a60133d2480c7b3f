// What `subject show` and `subject list` print: a subject's accounts and identifiers with how each
// account joined, merges and manual links, open possible links, referrals, scans, known-image hits by
// category, attributes with provenance and history, and one timeline; and the one-line-per-subject
// list. Built as JSON (the --json output) and rendered as text from that JSON. Read-only; no state.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/case/case.h"
#include "hashing/status.h"

namespace hashtriage::engine::subjects {

Result<nlohmann::ordered_json> BuildSubjectView(const Case& case_store, const std::string& subject_id);
std::string RenderSubjectText(const nlohmann::ordered_json& view);

// {"subjects": [{id, name, accounts, referrals, scans, hits, escalate, area, created, last_referral}]}
Result<nlohmann::ordered_json> BuildSubjectList(const Case& case_store);
std::string RenderSubjectListText(const nlohmann::ordered_json& list);

}  // namespace hashtriage::engine::subjects

// The changes people make to subjects — link, unlink, add a known identifier, record attributes —
// each as one operation: staged through a SubjectWorkspace, committed in one transaction together with
// its audit entry (who, why, what), then the subjects it touched are re-scored. Merged-away subjects
// leave the queue in that re-score. One writer at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/command_context.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/linker.h"
#include "hashing/status.h"
#include "ingest/referral/referral.h"

namespace hashtriage::engine::subjects {

struct SubjectChange {
  std::vector<std::string> subjects;  // root subjects touched (re-scored)
  Status rescored;                    // how re-scoring went (the change itself is stored either way)
};

struct LinkResult : SubjectChange {
  std::string survivor;
};
Result<LinkResult> LinkSubjects(Case& case_store, const std::string& a, const std::string& b, const std::string& reason,
                                const std::string& by, const CommandContext& context);

struct UnlinkResult : SubjectChange {
  UnlinkOutcome outcome;
};
Result<UnlinkResult> UnlinkSubjects(Case& case_store, const std::string& a, const std::string& b,
                                    const std::string& reason, const std::string& by, const CommandContext& context);

struct IdentifierResult : SubjectChange {
  Attachment attachment;
  std::string identifier;  // its key
};
// Adds a known identifier (kind is not an IP address; `value` already normalised) to `subject`.
Result<IdentifierResult> AddIdentifier(Case& case_store, const std::string& subject, const ingest::Identifier& identifier,
                                       const std::string& service, const std::string& source, const std::string& by,
                                       const CommandContext& context);

struct AttributeResult : SubjectChange {
  std::vector<AttributeRecord> stored;
};
// Records the attributes (all or none: the first invalid one fails the operation, naming it).
Result<AttributeResult> SetAttributes(Case& case_store, const std::vector<AttributeInput>& inputs,
                                      const CommandContext& context, nlohmann::json details);

}  // namespace hashtriage::engine::subjects

#include "engine/subjects/rescore_hook.h"

#include "engine/risk/rescore.h"

namespace hashtriage::engine::subjects {

Status RescoreChangedSubjects(Case& c, const std::vector<std::string>& subject_ids, std::int64_t now) {
  if (subject_ids.empty()) return Status::Ok();
  HT_ASSIGN_OR_RETURN(risk::RiskModel model, risk::LoadCaseRiskModel(c));
  return risk::RescoreSubjects(c, subject_ids, now, model);
}

}  // namespace hashtriage::engine::subjects

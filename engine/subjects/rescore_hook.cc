#include "engine/subjects/rescore_hook.h"

#include "engine/risk/rescore.h"
#include "engine/subject_store.h"

namespace hashtriage::engine::subjects {

Status RescoreChangedSubjects(CaseStore& store, const std::vector<std::string>& subject_ids, std::int64_t now) {
  if (subject_ids.empty()) return Status::Ok();
  HT_ASSIGN_OR_RETURN(risk::RiskModel model, risk::LoadCaseRiskModel(store, ""));
  return risk::RescoreSubjectsWith(store, subject_ids, now, model,
                                   [](const CaseStore& s, const std::string& id) { return LoadSubjectProfile(s, id); })
      .ToStatus();
}

}  // namespace hashtriage::engine::subjects

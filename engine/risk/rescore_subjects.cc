// RescoreSubjects: the contract entry point, over the subjects module's profile loader.
#include "engine/risk/rescore.h"
#include "engine/subject_store.h"

namespace hashtriage::engine::risk {

Status RescoreSubjects(CaseStore& store, const std::vector<std::string>& subject_ids, std::int64_t now,
                       const RiskModel& model) {
  return RescoreSubjectsWith(store, subject_ids, now, model,
                             [](const CaseStore& s, const std::string& id) { return LoadSubjectProfile(s, id); })
      .ToStatus();
}

}  // namespace hashtriage::engine::risk

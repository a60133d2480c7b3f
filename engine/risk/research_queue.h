// Research queue: the open research tasks of the queue's open subjects (an attribute still unknown, or
// in conflict after a merge), ranked for researchers by how much the answer could change who is seen
// first: the value of the answer is the expected change in the subject's probability of being High
// (outlook.h) once the attribute is known, weighted by how close the subject's deadline is; access to
// children first, as risk-model.md asks. Researchers' daily capacity is their own (`research
// --capacity`), apart from investigators'. Recording a finding re-scores the subject at once (as any
// attribute does). Pure given the rows and profiles; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/risk/queue_view.h"
#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"

namespace hashtriage::engine::risk {

struct ResearchItem {
  std::size_t rank = 0;  // 1-based
  std::string subject_id;
  std::string attribute;
  std::string label;
  bool access_to_children = false;
  std::string conflict;       // non-empty: merged subjects disagree
  Band band = Band::kLow;     // the subject's effective band
  std::int64_t deadline = 0;
  double p_high = 0;          // the subject's probability of High now
  double p_high_if_yes = 0;   // ... once this attribute is yes / no
  double p_high_if_no = 0;
  double prevalence = 0;
  double value = 0;           // expected |change| in P(High) once known
  double priority = 0;        // value x deadline weight (1 when due within a day or overdue, 1/days else)
};

// The profile of a subject (engine/subjects in the product, built in code in tests).
using ResearchProfileLoader = std::function<Result<SubjectProfile>(const std::string& subject_id)>;

// The research queue's order: access to children first, then priority, then deadline, subject and
// attribute.
bool ResearchBefore(const ResearchItem& a, const ResearchItem& b);

// Every research task of the open rows, ranked: access to children first, then priority, then deadline,
// subject and attribute.
Result<std::vector<ResearchItem>> RankResearch(const std::vector<QueueRow>& rows, const ResearchProfileLoader& load,
                                               const RiskModel& model, std::int64_t now);

// The table researchers work from; with capacity > 0 the first `capacity` tasks are marked "today".
// `total`: the open tasks before a limit cut `items` (0: items is all of them).
std::string ResearchText(const std::vector<ResearchItem>& items, std::int64_t now, double capacity,
                         std::size_t total = 0);
nlohmann::ordered_json ResearchJson(const std::vector<ResearchItem>& items, std::int64_t now, double capacity);

}  // namespace hashtriage::engine::risk

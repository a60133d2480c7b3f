#include "engine/risk/research_queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "engine/risk/assessment.h"
#include "engine/risk/outlook.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"

namespace hashtriage::engine::risk {

namespace {

double PHighWith(SubjectProfile profile, const std::string& attribute, TriState value, const RiskModel& model,
                 std::int64_t now) {
  std::erase_if(profile.attributes, [&](const AttributeValue& a) { return a.name == attribute; });
  AttributeValue v;
  v.name = attribute;
  v.value = value;
  v.recorded_at = now;
  profile.attributes.push_back(v);
  const Assessment a = Assess(profile, model, now);
  return a.outlook.p_high;
}

double DeadlineWeight(std::int64_t deadline, std::int64_t now) {
  const double days = static_cast<double>(deadline - now) / 86400.0;
  return days <= 1 ? 1.0 : 1.0 / days;
}

}  // namespace

bool ResearchBefore(const ResearchItem& a, const ResearchItem& b) {
  return std::make_tuple(!a.access_to_children, -a.priority, a.deadline, a.subject_id, a.attribute) <
         std::make_tuple(!b.access_to_children, -b.priority, b.deadline, b.subject_id, b.attribute);
}

Result<std::vector<ResearchItem>> RankResearch(const std::vector<QueueRow>& rows, const ResearchProfileLoader& load,
                                               const RiskModel& model, std::int64_t now) {
  std::vector<ResearchItem> items;
  for (const QueueRow& row : rows) {
    if (!row.entry.open() || !row.assessment || row.assessment->research.empty()) continue;
    // The stored assessment is the latest (every change re-scores at once); the profile is only read
    // to assess each answer.
    HT_ASSIGN_OR_RETURN(const SubjectProfile profile, load(row.entry.subject_id));
    for (const ResearchTask& task : row.assessment->research) {
      ResearchItem item;
      item.subject_id = row.entry.subject_id;
      item.attribute = task.attribute;
      item.label = task.label;
      item.access_to_children = task.access_to_children;
      item.conflict = task.conflict;
      item.band = row.entry.band;
      item.deadline = row.entry.deadline;
      item.p_high = row.assessment->outlook.p_high;
      const AttributeFactor* f = model.FindAttribute(task.attribute);
      item.prevalence = f != nullptr ? f->prevalence : kDefaultPrevalence;
      item.p_high_if_yes = PHighWith(profile, task.attribute, TriState::kYes, model, now);
      item.p_high_if_no = PHighWith(profile, task.attribute, TriState::kNo, model, now);
      if (task.conflict.empty()) {
        item.value = item.prevalence * std::abs(item.p_high_if_yes - item.p_high) +
                     (1 - item.prevalence) * std::abs(item.p_high - item.p_high_if_no);
      } else {
        // The riskier value counts until someone records the right one: the answer could undo it.
        item.value = std::abs(item.p_high_if_yes - item.p_high_if_no);
      }
      item.priority = item.value * DeadlineWeight(item.deadline, now);
      items.push_back(std::move(item));
    }
  }
  std::sort(items.begin(), items.end(), ResearchBefore);
  for (std::size_t i = 0; i < items.size(); ++i) items[i].rank = i + 1;
  return items;
}

std::string ResearchText(const std::vector<ResearchItem>& items, std::int64_t now, double capacity,
                         std::size_t total) {
  std::string out = fmt::format("Research at {}: {} open task(s)", FormatIso8601(now), std::max(total, items.size()));
  if (total > items.size()) out += fmt::format(" (the first {} shown)", items.size());
  if (capacity > 0) out += fmt::format(", capacity {:g}/day: the first {:g} are today's", capacity, std::floor(capacity));
  out += ". Ranked by how much the answer could change who is seen first, access to children first.\n";
  if (items.empty()) return out;
  out += fmt::format("{:>4}  {:<16} {:<10} {:<10} {:<36} {:>6}  {}\n", "rank", "subject", "band", "deadline",
                     "attribute", "value", "P(High) now -> if yes / if no");
  for (const auto& i : items) {
    const bool today = capacity > 0 && static_cast<double>(i.rank) <= std::floor(capacity);
    out += fmt::format("{:>4}{} {:<16} {:<10} {:<10} {:<36} {:>5.1f}%  {:.0f}% -> {:.0f}% / {:.0f}%{}\n", i.rank,
                       today ? "*" : " ", TerminalText(i.subject_id), BandName(i.band), FormatDate(i.deadline),
                       i.attribute + (i.conflict.empty() ? "" : " (conflict)"), 100 * i.value, 100 * i.p_high,
                       100 * i.p_high_if_yes, 100 * i.p_high_if_no,
                       i.conflict.empty() ? "" : "  [" + TerminalText(i.conflict) + "]");
  }
  return out;
}

nlohmann::ordered_json ResearchJson(const std::vector<ResearchItem>& items, std::int64_t now, double capacity) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& i : items) {
    auto rounded = [](double x) { return std::round(x * 1000) / 1000; };
    list.push_back({{"rank", i.rank},
                    {"today", capacity > 0 && static_cast<double>(i.rank) <= std::floor(capacity)},
                    {"subject", i.subject_id},
                    {"attribute", i.attribute},
                    {"label", i.label},
                    {"access_to_children", i.access_to_children},
                    {"conflict", i.conflict},
                    {"band", BandKey(i.band)},
                    {"deadline", FormatIso8601(i.deadline)},
                    {"prevalence", rounded(i.prevalence)},
                    {"p_high", rounded(i.p_high)},
                    {"p_high_if_yes", rounded(i.p_high_if_yes)},
                    {"p_high_if_no", rounded(i.p_high_if_no)},
                    {"value", rounded(i.value)},
                    {"priority", rounded(i.priority)}});
  }
  return {{"generated_at", FormatIso8601(now)}, {"capacity_per_day", capacity}, {"tasks", list}};
}

}  // namespace hashtriage::engine::risk

#include "engine/risk/queue_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "engine/risk/queue_actions.h"
#include "engine/risk/queue_rules.h"
#include "engine/case/queue_store.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"

namespace hashtriage::engine::risk {

namespace {

std::string BandCell(const QueueEntry& e) {
  std::string text(BandName(e.band));
  if (e.override_band) text += "* (model: " + std::string(BandName(e.model_band)) + ")";
  return text;
}

std::string UrgencyText(const QueueRow& row) {
  std::string out;
  if (!row.assessment) return out;
  for (const auto& u : row.assessment->urgency) out += (out.empty() ? "" : "; ") + u.id;
  return out;
}

std::string ResearchText(const QueueRow& row) {
  std::string out;
  if (!row.assessment) return out;
  for (const auto& r : row.assessment->research) {
    out += (out.empty() ? "" : "; ") + r.attribute + (r.conflict.empty() ? "" : " (conflict)");
  }
  return out;
}

std::uint64_t Hits(const QueueRow& row, index::Category c) {
  return row.assessment ? row.assessment->hits_by_category[static_cast<std::size_t>(c)] : 0;
}

constexpr index::Category kCsvCategories[] = {index::Category::kA, index::Category::kB, index::Category::kC,
                                              index::Category::kIndecentUncategorised, index::Category::kUnknown,
                                              index::Category::kNonIndecent};

}  // namespace

std::string OutlookLine(const QueueRow& row) {
  if (!row.assessment || row.assessment->outlook.unknowns.empty() || !row.assessment->urgency.empty()) return "";
  std::string line = OutlookSummary(row.assessment->outlook, 2);
  if (row.high_deadline_boost > 0) {
    line += fmt::format(" | a High case's deadline ({}) is near: ordered as {} points likelier",
                        FormatDate(row.high_deadline), row.high_deadline_boost);
  }
  return line;
}

std::string RowStatus(const QueueRow& row, std::int64_t now) {
  const QueueEntry& e = row.entry;
  if (!e.open()) return "closed: " + e.closed_outcome;
  if (!e.overdue(now)) return "open";
  if (row.ordering_band != e.band) return "overdue, escalated to " + std::string(BandName(row.ordering_band));
  return "overdue";
}

Result<std::vector<QueueRow>> LoadQueueView(const Case& c, std::int64_t now, const RiskModel& model,
                                            const QueueViewOptions& options) {
  HT_ASSIGN_OR_RETURN(std::vector<QueueEntry> entries, c.queue().Entries());
  std::erase_if(entries, [&](const QueueEntry& e) {
    return (!options.include_closed && !e.open()) || (!options.area.empty() && e.area != options.area);
  });
  SortQueue(entries, now, model);
  std::vector<QueueRow> rows;
  std::size_t rank = 0;
  for (auto& e : entries) {
    QueueRow row;
    row.rank = e.open() ? ++rank : 0;
    row.ordering_band = e.open() ? OrderingBand(e, now, model) : e.band;
    if (InHighDeadlineWindow(e, now, model)) {
      row.high_deadline_boost = model.high_deadline_boost;
      row.high_deadline = e.entered_at + model.DeadlineSeconds(Band::kHigh);
    }
    row.entry = std::move(e);
    rows.push_back(std::move(row));
  }
  if (options.with_assessments) HT_RETURN_IF_ERROR(FillAssessments(c, rows));
  return rows;
}

Status FillAssessments(const Case& c, std::vector<QueueRow>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) {
    if (!row.assessment) ids.push_back(row.entry.subject_id);
  }
  if (ids.empty()) return Status::Ok();
  HT_ASSIGN_OR_RETURN(auto records, c.queue().LatestAssessments(ids));
  std::size_t next = 0;
  for (auto& row : rows) {
    if (row.assessment) continue;
    if (records[next]) row.assessment = std::move(records[next]->assessment);
    ++next;
  }
  return Status::Ok();
}

std::string QueueText(const std::vector<QueueRow>& rows, const QueueViewContext& context) {
  std::size_t open = 0, overdue = 0;
  for (const auto& r : rows) {
    open += r.entry.open();
    overdue += r.entry.overdue(context.now);
  }
  std::string out = fmt::format("Queue at {}: {} open, {} overdue (model {} {:.12})\n", FormatIso8601(context.now),
                                open, overdue, context.model_name, context.model_sha256);
  if (rows.empty()) return out + "(empty: no subject has a referral or a hit yet)\n";
  out += fmt::format("{:>4}  {:<16} {:<26} {:<10} {:>5} {:>5}  {:<18} {:<16} {}\n", "rank", "subject", "band",
                     "deadline", "score", "age", "status", "hits", "urgency / top factors");
  for (const auto& r : rows) {
    const QueueEntry& e = r.entry;
    std::string why = UrgencyText(r);
    const std::string top = r.assessment ? TopFactorsText(*r.assessment, 3) : "";
    if (!top.empty()) why += (why.empty() ? "" : " | ") + top;
    // Text fields in their terminal form (engine/text/untrusted_text.h).
    out += fmt::format("{:>4}  {:<16} {:<26} {:<10} {:>5} {:>4}d  {:<18} {:<16} {}\n",
                       r.rank ? std::to_string(r.rank) : "-", TerminalText(e.subject_id), BandCell(e),
                       FormatDate(e.deadline), e.score, DaysInQueue(e, context.now),
                       TerminalText(RowStatus(r, context.now)), r.assessment ? HitCountsText(*r.assessment) : "",
                       TerminalText(why));
    if (!e.owner.empty()) out += fmt::format("{:>6}owner: {}\n", "", TerminalText(e.owner));
    if (e.review_flag) out += fmt::format("{:>6}REVIEW: {}\n", "", TerminalText(e.review_flag->why));
    if (r.assessment && !r.assessment->research.empty()) {
      // The text view names the first few open research tasks, access to children first; --json, --csv
      // and the HTML list them all.
      auto tasks = r.assessment->research;
      std::stable_partition(tasks.begin(), tasks.end(), [](const auto& t) { return t.access_to_children; });
      constexpr std::size_t kShown = 3;
      std::string research;
      for (std::size_t i = 0; i < tasks.size() && i < kShown; ++i) {
        research += (i ? "; " : "") + tasks[i].attribute + (tasks[i].conflict.empty() ? "" : " (conflict)");
      }
      if (tasks.size() > kShown) research += fmt::format("; +{} more", tasks.size() - kShown);
      out += fmt::format("{:>6}research needed ({}): {}\n", "", tasks.size(), TerminalText(research));
    }
    if (const std::string line = OutlookLine(r); !line.empty()) out += fmt::format("{:>6}{}\n", "", TerminalText(line));
  }
  return out;
}

std::string QueueCsv(const std::vector<QueueRow>& rows, const QueueViewContext& context) {
  std::string out =
      "rank,subject,display_name,band,model_band,override,deadline,overdue,score,urgency_flags,top_factors";
  for (index::Category c : kCsvCategories) out += ",hits_" + std::string(index::CategoryName(c));
  out += ",entered,days_in_queue,owner,status,research_needed,review_flag,area,likely_high_percent,unknowns\n";
  for (const auto& r : rows) {
    const QueueEntry& e = r.entry;
    // Cells as written (engine/text/untrusted_text.h): numbers hashtriage computed as numbers, all
    // text through the shared neutraliser, so "-2+3" as a display name is never a formula.
    std::vector<std::string> cells = {r.rank ? CsvNumberCell(r.rank) : "",
                                      CsvTextCell(e.subject_id),
                                      CsvTextCell(e.display_name),
                                      CsvTextCell(BandKey(e.band)),
                                      CsvTextCell(BandKey(e.model_band)),
                                      CsvTextCell(e.override_band ? e.override_band->by + ": " + e.override_band->reason : ""),
                                      CsvTextCell(FormatIso8601(e.deadline)),
                                      CsvTextCell(e.overdue(context.now) ? "yes" : "no"),
                                      CsvNumberCell(e.score),
                                      CsvTextCell(UrgencyText(r)),
                                      CsvTextCell(r.assessment ? TopFactorsText(*r.assessment, 3) : "")};
    for (index::Category c : kCsvCategories) cells.push_back(CsvNumberCell(Hits(r, c)));
    cells.insert(cells.end(), {CsvTextCell(FormatIso8601(e.entered_at)), CsvNumberCell(DaysInQueue(e, context.now)),
                               CsvTextCell(e.owner), CsvTextCell(RowStatus(r, context.now)), CsvTextCell(ResearchText(r)),
                               CsvTextCell(e.review_flag ? e.review_flag->why : ""), CsvTextCell(e.area),
                               CsvNumberCell(static_cast<std::int64_t>(std::lround(e.likely_high / 10.0))),
                               CsvTextCell(r.assessment ? OutlookText(r.assessment->outlook) : "")});
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json QueueJson(const std::vector<QueueRow>& rows, const QueueViewContext& context) {
  nlohmann::ordered_json subjects = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    const QueueEntry& e = r.entry;
    nlohmann::ordered_json j;
    j["rank"] = r.rank ? nlohmann::ordered_json(r.rank) : nlohmann::ordered_json(nullptr);
    j["subject"] = e.subject_id;
    j["display_name"] = e.display_name;
    j["band"] = BandKey(e.band);
    j["model_band"] = BandKey(e.model_band);
    j["override"] = nullptr;
    if (e.override_band) {
      j["override"] = {{"band", BandKey(e.override_band->band)}, {"reason", e.override_band->reason},
                       {"by", e.override_band->by}, {"at", FormatIso8601(e.override_band->at)},
                       {"decision", e.override_band->decision_id}};
    }
    j["deadline"] = FormatIso8601(e.deadline);
    j["overdue"] = e.overdue(context.now);
    j["score"] = e.score;
    j["entered"] = FormatIso8601(e.entered_at);
    j["days_in_queue"] = DaysInQueue(e, context.now);
    j["episode"] = e.episode;
    j["owner"] = e.owner;
    j["status"] = RowStatus(r, context.now);
    j["area"] = e.area;
    j["review_flag"] = e.review_flag ? nlohmann::ordered_json(e.review_flag->why) : nlohmann::ordered_json(nullptr);
    j["high_deadline_boost"] = r.high_deadline_boost;  // points added to P(High) for ordering (0: none)
    j["outlook_text"] = OutlookLine(r);                // as the text queue words it ("" when nothing unknown)
    j["version"] = QueueEntryVersion(e);  // what a review made on this row names (review --version)
    if (r.assessment) {
      const nlohmann::json a = AssessmentToJson(*r.assessment);
      j["urgency_flags"] = a["urgency"];
      j["factors"] = a["factors"];
      j["hits_by_category"] = a["hits_by_category"];
      j["research_needed"] = a["research"];
      j["floor_reason"] = r.assessment->floor_reason;
      j["outlook"] = a["outlook"];
      j["assessed_at"] = FormatIso8601(r.assessment->assessed_at);
      j["model_sha256"] = r.assessment->model_sha256;
    }
    subjects.push_back(std::move(j));
  }
  nlohmann::ordered_json out;
  out["generated_at"] = FormatIso8601(context.now);
  out["case"] = context.case_path;
  out["model"] = {{"name", context.model_name}, {"sha256", context.model_sha256}};
  out["subjects"] = std::move(subjects);
  return out;
}

}  // namespace hashtriage::engine::risk

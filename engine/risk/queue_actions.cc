#include "engine/risk/queue_actions.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <span>

#include "engine/case/audit_log.h"
#include "engine/case/conflict_retry.h"
#include "engine/case/case_settings.h"
#include "engine/case/queue_store.h"
#include "engine/risk/queue_rules.h"
#include "engine/time_util.h"
#include "hashing/digests.h"
#include "engine/subjects/subject_profiles.h"

namespace hashtriage::engine::risk {

namespace {

Status Audit(Case& c, CaseTransaction& txn, const CommandContext& context, nlohmann::json details) {
  HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(txn, MakeAuditEntry(context, std::move(details))));
  (void)entry;
  return Status::Ok();
}

// The latest dip-sample draw (at or before `now`) holding the subject that no decision answered yet.
Result<std::string> OpenDipSampleFor(const Case& c, const std::string& subject, std::int64_t now) {
  HT_ASSIGN_OR_RETURN(auto draws, c.queue().DipSamples());
  HT_ASSIGN_OR_RETURN(auto decisions, c.queue().Decisions(subject));
  for (auto it = draws.rbegin(); it != draws.rend(); ++it) {
    if (it->drawn_at > now) continue;
    const bool holds = std::any_of(it->items.begin(), it->items.end(),
                                   [&](const DipSampleItem& i) { return i.subject_id == subject; });
    if (!holds) continue;
    const bool answered = std::any_of(decisions.begin(), decisions.end(),
                                      [&](const Decision& d) { return d.dip_sample == it->key(); });
    return answered ? std::string() : it->key();
  }
  return std::string();
}

bool SameDraw(const DipSampleDraw& a, const DipSampleDraw& b) {
  if (a.state_sha256 != b.state_sha256 || a.items.size() != b.items.size()) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    if (a.items[i].subject_id != b.items[i].subject_id) return false;
  }
  return true;
}

}  // namespace

Result<RankResult> RankSubjects(Case& c, const std::string& model_path, const std::vector<std::string>& subjects,
                                const CommandContext& context) {
  RankResult out;
  if (model_path.empty()) {
    HT_ASSIGN_OR_RETURN(out.model, LoadCaseRiskModel(c));
  } else {
    // A model that does not load (or fails validation) is refused here, before the case changes.
    HT_ASSIGN_OR_RETURN(out.model, LoadRiskModel(model_path));
    auto txn = c.Begin();
    c.settings().SetRiskModel(*txn, StoredRiskModel{out.model.source, out.model.sha256, out.model.text});
    HT_RETURN_IF_ERROR(Audit(c, *txn, context,
                             {{"action", "risk model set"},
                              {"model", {{"name", out.model.name}, {"sha256", out.model.sha256}, {"source", out.model.source}}}}));
    HT_RETURN_IF_ERROR(txn->Commit());
    out.model_changed = true;
  }
  std::vector<std::string> ids;
  if (subjects.empty()) {
    HT_ASSIGN_OR_RETURN(ids, ListSubjectIds(c));
  } else {
    for (const auto& id : subjects) {
      HT_ASSIGN_OR_RETURN(std::string root, ResolveSubjectId(c, id));
      ids.push_back(root);
    }
  }
  out.report = RescoreSubjectsWith(c, ids, context.now, out.model,
                                   [](const Case& cs, const std::string& id) { return LoadSubjectProfile(cs, id); });
  std::size_t entered = 0, reopened = 0, flagged = 0;
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& r : out.report.outcomes) {
    entered += r.entered;
    reopened += r.reopened;
    flagged += r.flagged_for_review;
    if (r.band_change) changes.push_back({{"subject", r.subject_id}, {"change", *r.band_change}});
  }
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : out.report.failures) failures.push_back(f.message());
  auto txn = c.Begin();
  HT_RETURN_IF_ERROR(Audit(c, *txn, context,
                           {{"action", "rank"},
                            {"model", {{"name", out.model.name}, {"sha256", out.model.sha256}, {"source", out.model.source}}},
                            {"subjects", out.report.outcomes.size()},
                            {"entered", entered},
                            {"reopened", reopened},
                            {"flagged_for_review", flagged},
                            {"band_changes", changes},
                            {"failures", failures}}));
  HT_RETURN_IF_ERROR(txn->Commit());
  return out;
}

std::string QueueEntryVersion(const QueueEntry& entry) {
  const std::string text = QueueEntryToJson(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return hashing::DigestBytes(std::as_bytes(std::span(text.data(), text.size())),
                              hashing::DigestSet().Add(hashing::DigestKind::kSha256))
      .sha256->hex()
      .substr(0, 16);
}

namespace {

// The person an audit entry's details name: its "by", or the "by" of an object in it (a review's
// decision), or a take's new owner; "" when none.
std::string PersonNamed(const nlohmann::json& details) {
  if (!details.is_object()) return "";
  if (details.contains("by") && details["by"].is_string()) return details["by"];
  for (const auto& [key, value] : details.items()) {
    if (value.is_object() && value.contains("by") && value["by"].is_string()) return value["by"];
  }
  if (details.value("action", "") == "take" && details.contains("owner") && details["owner"].is_string()) {
    return details["owner"];
  }
  return "";
}

// The entry changed since the person looked: name the last change (the audit log's newest entry).
Status ChangedSince(const Case& c, const std::string& subject) {
  std::string who;
  auto latest = c.audit().Latest();
  if (latest.ok() && latest->has_value()) {
    const AuditEntry& e = **latest;
    // The person the change names (a command's --by), and the account it ran under when that differs.
    const std::string by = PersonNamed(e.details);
    const std::string person = by.empty() || by == e.user ? e.user : by + " (account " + e.user + ")";
    who = "; the latest change to the case was by " + person + " at " + FormatIso8601(e.utc) + ", audit entry " +
          std::to_string(e.seq);
  }
  return Status::Conflict("subject " + subject + " changed since you looked (" + who.substr(2) +
                          "): look again, then decide");
}

Result<QueueEntry> TakeSubjectOnce(Case& c, const std::string& subject_given, const std::string& taker,
                                   const CommandContext& context, bool& committing);
Result<ReviewResult> RecordReviewOnce(Case& c, const ReviewRequest& request, const CommandContext& context,
                                      bool& committing);
Result<DipSampleResult> DrawDailyDipSampleOnce(Case& c, const std::string& date, std::size_t size,
                                               const CommandContext& context, bool& committing);

// Runs `once` (read, decide, write) until it is stored or refused for its own reasons. On a shared case
// it runs holding the case's writers' lock on a fresh read view (SerializedWrite), so people acting on
// different subjects at the same moment queue instead of refusing each other's commits (every change
// moves the audit head and the id counters); a commit refused by a writer outside the lock is made again
// on a fresh view, where a real change to the subject is then seen and refused by `once` itself
// (`committing` tells the two apart).
template <typename T>
Result<T> UntilStoredOrRefused(Case& c, const std::function<Result<T>(bool& committing)>& once) {
  std::optional<T> stored;
  Status refused;
  HT_RETURN_IF_ERROR(SerializedWrite(c, [&]() -> Status {
    bool committing = false;
    Result<T> r = once(committing);
    if (r.ok()) {
      stored = std::move(*r);
      return Status::Ok();
    }
    if (committing) return r.status();  // a Conflict here is retried
    refused = r.status();
    return Status::Ok();
  }));
  if (!refused.ok()) return refused;
  return std::move(*stored);
}

}  // namespace

Result<QueueEntry> TakeSubject(Case& c, const std::string& subject_given, const std::string& taker,
                               const CommandContext& context) {
  return UntilStoredOrRefused<QueueEntry>(c, [&](bool& committing) -> Result<QueueEntry> {
    return TakeSubjectOnce(c, subject_given, taker, context, committing);
  });
}

Result<ReviewResult> RecordReview(Case& c, ReviewRequest request, const CommandContext& context) {
  return UntilStoredOrRefused<ReviewResult>(c, [&](bool& committing) -> Result<ReviewResult> {
    return RecordReviewOnce(c, request, context, committing);
  });
}

namespace {

Result<QueueEntry> TakeSubjectOnce(Case& c, const std::string& subject_given, const std::string& taker,
                                   const CommandContext& context, bool& committing) {
  auto root = ResolveSubjectId(c, subject_given);
  const std::string subject = root.ok() ? *root : subject_given;
  HT_ASSIGN_OR_RETURN(auto entry, c.queue().Entry(subject));
  if (!entry) return Status::NotFound("subject " + subject_given + " is not in the queue (no referral or hit)");
  if (!entry->open()) return Status::InvalidArgument("subject " + subject + " is closed: nothing to take");
  if (entry->owner == taker) return *entry;
  if (!entry->owner.empty()) return Status::Conflict("subject " + subject + " is already taken by " + entry->owner);
  entry->owner = taker;
  auto txn = c.Begin();
  c.queue().PutEntry(*txn, *entry);
  HT_RETURN_IF_ERROR(Audit(c, *txn, context, {{"action", "take"}, {"subject", subject}, {"owner", taker}}));
  committing = true;
  HT_RETURN_IF_ERROR(txn->Commit());
  return *entry;
}

Result<ReviewResult> RecordReviewOnce(Case& c, const ReviewRequest& request, const CommandContext& context,
                                      bool& committing) {
  HT_ASSIGN_OR_RETURN(const RiskModel model, LoadCaseRiskModel(c));
  auto root = ResolveSubjectId(c, request.subject);
  const std::string subject = root.ok() ? *root : request.subject;
  HT_ASSIGN_OR_RETURN(auto entry, c.queue().Entry(subject));
  if (!entry) return Status::NotFound("subject " + request.subject + " is not in the queue (no referral or hit)");
  if (request.reviewer_must_own) {
    const std::string& me = *request.reviewer_must_own;
    if (entry->owner != me) {
      return Status::PermissionDenied(
          "subject " + subject + (entry->owner.empty() ? " is nobody's" : " is " + entry->owner + "'s") +
          ": an investigator reviews only subjects they took or were given (take it first)");
    }
    if (!request.decision.assign.empty() && request.decision.assign != me) {
      return Status::PermissionDenied("assigning a subject to someone else is a supervisor's decision");
    }
  }
  if (!request.expected_version.empty() && request.expected_version != QueueEntryVersion(*entry)) {
    return ChangedSince(c, subject);
  }
  auto txn = c.Begin();
  ReviewResult out;
  Decision& d = out.decision = request.decision;
  HT_ASSIGN_OR_RETURN(d.id, txn->NextId("decision"));
  d.subject_id = subject;
  d.at = context.now;
  d.model_band = entry->model_band;
  d.band_before = entry->band;
  HT_ASSIGN_OR_RETURN(d.dip_sample, OpenDipSampleFor(c, subject, context.now));
  HT_ASSIGN_OR_RETURN(out.entry, ApplyDecision(*entry, d, model));
  c.queue().PutDecision(*txn, d);
  c.queue().PutEntry(*txn, out.entry);
  HT_RETURN_IF_ERROR(Audit(c, *txn, context, {{"action", "review"}, {"decision", DecisionToJson(d)}}));
  committing = true;
  HT_RETURN_IF_ERROR(txn->Commit());
  return out;
}

}  // namespace

Result<DipSampleResult> DrawDailyDipSample(Case& c, const std::string& date, std::size_t size,
                                           const CommandContext& context) {
  // Drawn again from what the case holds then if the commit meets another change (reviews move the
  // audit head): the draw is a pure function of the queue, the date and the earlier draws.
  return UntilStoredOrRefused<DipSampleResult>(c, [&](bool& committing) -> Result<DipSampleResult> {
    return DrawDailyDipSampleOnce(c, date, size, context, committing);
  });
}

namespace {

Result<DipSampleResult> DrawDailyDipSampleOnce(Case& c, const std::string& date, std::size_t size,
                                               const CommandContext& context, bool& committing) {
  HT_ASSIGN_OR_RETURN(auto entries, c.queue().Entries());
  DipSampleResult out;
  out.draw = DrawDipSample(entries, date, {.size = size});
  HT_ASSIGN_OR_RETURN(auto earlier, c.queue().DipSamples(date));
  out.repeat = !earlier.empty() && SameDraw(earlier.back(), out.draw);
  if (out.repeat) {
    out.draw = earlier.back();
    return out;
  }
  DipSampleDraw& draw = out.draw;
  draw.draw = earlier.size() + 1;
  draw.drawn_at = context.now;
  auto txn = c.Begin();
  c.queue().PutDipSample(*txn, draw);
  for (auto& e : entries) {
    const bool drawn = std::any_of(draw.items.begin(), draw.items.end(),
                                   [&](const DipSampleItem& i) { return i.subject_id == e.subject_id; });
    if (!drawn) continue;
    ++e.dip_sampled;
    c.queue().PutEntry(*txn, e);
  }
  nlohmann::json subjects = nlohmann::json::array();
  for (const auto& i : draw.items) subjects.push_back(i.subject_id);
  HT_RETURN_IF_ERROR(Audit(c, *txn, context,
                           {{"action", "dip-sample"}, {"draw", draw.key()}, {"candidates", draw.candidates},
                            {"state_sha256", draw.state_sha256}, {"subjects", subjects}}));
  committing = true;
  HT_RETURN_IF_ERROR(txn->Commit());
  return out;
}

}  // namespace

}  // namespace hashtriage::engine::risk

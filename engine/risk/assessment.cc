#include "engine/risk/assessment.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/time_util.h"

namespace hashtriage::engine::risk {

namespace {

std::string_view TriStateName(TriState v) {
  switch (v) {
    case TriState::kYes: return "yes";
    case TriState::kNo: return "no";
    case TriState::kUnknown: return "unknown";
  }
  return "unknown";
}

FactorEvidence AttributeEvidence(const AttributeValue& v) {
  std::string detail(TriStateName(v.value));
  std::string provenance;
  if (!v.source.empty()) provenance += v.source;
  if (!v.recorded_by.empty()) provenance += (provenance.empty() ? "" : ", ") + ("by " + v.recorded_by);
  if (v.recorded_at != 0) provenance += (provenance.empty() ? "" : ", ") + FormatDate(v.recorded_at);
  if (!provenance.empty()) detail += " (" + provenance + ")";
  if (!v.conflicting.empty()) detail += " [conflict: merged subjects disagree; the riskier value counts]";
  return {"attribute", v.ref.empty() ? v.name : v.ref, v.name + " = " + detail};
}

// "yes (PNC, S-1, attribute #3) / no (social services, S-2, attribute #7)"
std::string ConflictText(const AttributeValue& v) {
  std::string text;
  for (const AttributeSource& s : v.conflicting) {
    text += (text.empty() ? "" : " / ") + std::string(TriStateName(s.value)) + " (" + s.source + ", " + s.subject + ", " +
            s.ref + ")";
  }
  return text;
}

FactorEvidence HitEvidenceOf(const HitEvidence& h) {
  std::string detail = std::string(index::CategoryName(h.category)) + " " + std::string(MatchKindName(h.kind));
  if (!h.set.empty()) detail += " set '" + h.set + "'";
  if (IsNearMatch(h.kind) && h.kind != MatchKind::kGeometric) detail += " distance " + std::to_string(h.distance);
  if (!h.content.empty()) detail += " " + h.content;
  return {"hit", h.source, detail};
}

bool InCategories(index::Category c, const std::vector<index::Category>& list) {
  return std::find(list.begin(), list.end(), c) != list.end();
}

std::vector<FactorEvidence> ReferralEvidence(const SubjectProfile& profile, const std::string& what) {
  std::vector<FactorEvidence> out;
  for (const auto& id : profile.referral_ids) {
    if (out.size() >= kMaxEvidencePerFactor) break;
    out.push_back({"referral", id, what});
  }
  return out;
}

// Evaluates one urgency condition; appends its evidence when it holds.
bool Holds(const UrgencyCondition& c, const SubjectProfile& profile, const RiskModel& model,
           std::vector<FactorEvidence>& evidence) {
  switch (c.kind) {
    case UrgencyCondition::Kind::kAttributeYes: {
      const AttributeValue* v = LatestAttribute(profile, c.attribute);
      if (v == nullptr || v->value != TriState::kYes) return false;
      evidence.push_back(AttributeEvidence(*v));
      return true;
    }
    case UrgencyCondition::Kind::kAccessToChildren: {
      bool any = false;
      for (const auto& f : model.attributes) {
        if (!f.access_to_children) continue;
        const AttributeValue* v = LatestAttribute(profile, f.attribute);
        if (v != nullptr && v->value == TriState::kYes) {
          evidence.push_back(AttributeEvidence(*v));
          any = true;
        }
      }
      return any;
    }
    case UrgencyCondition::Kind::kSelfProduction: {
      if (!profile.possible_self_production) return false;
      for (auto& e : ReferralEvidence(profile, "a referral file is annotated possibleSelfProduction")) {
        evidence.push_back(std::move(e));
      }
      return true;
    }
    case UrgencyCondition::Kind::kProviderEscalation: {
      if (!profile.escalate_to_high_priority) return false;
      for (auto& e : ReferralEvidence(profile, "the provider set escalateToHighPriority")) evidence.push_back(std::move(e));
      return true;
    }
  }
  return false;
}

void ScoreAttributes(const SubjectProfile& profile, const RiskModel& model, Assessment& a) {
  bool access_yes = false;
  bool access_unknown = false;
  for (const auto& f : model.attributes) {
    const AttributeValue* v = LatestAttribute(profile, f.attribute);
    const TriState value = v == nullptr ? TriState::kUnknown : v->value;
    if (v != nullptr && !v->conflicting.empty()) {
      a.research.push_back({f.attribute, f.label, f.access_to_children, ConflictText(*v)});
    }
    if (value == TriState::kYes) {
      if (f.access_to_children) access_yes = true;
      if (f.points > 0) a.factors.push_back({f.attribute, f.label, f.basis, f.points, 1, {AttributeEvidence(*v)}});
    } else if (value == TriState::kUnknown) {
      if (f.access_to_children) access_unknown = true;
      if (f.research_if_unknown) a.research.push_back({f.attribute, f.label, f.access_to_children});
    }
  }
  a.access_unknown = access_unknown && !access_yes;
}

void ScoreEvidence(const SubjectProfile& profile, const RiskModel& model, Assessment& a) {
  for (const auto& hit : profile.hits) ++a.hits_by_category[static_cast<std::size_t>(hit.category)];
  for (const auto& f : model.hit_factors) {
    FactorContribution c{f.id, f.label, f.basis, 0, 0, {}};
    for (const auto& hit : profile.hits) {
      if (!InCategories(hit.category, f.categories)) continue;
      ++c.count;
      if (c.evidence.size() < kMaxEvidencePerFactor) c.evidence.push_back(HitEvidenceOf(hit));
    }
    c.points = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(f.max_points),
                                                        c.count * static_cast<std::uint64_t>(f.points_per_image)));
    if (c.points > 0) a.factors.push_back(std::move(c));
  }
  if (model.volume.max_points > 0) {
    FactorContribution c{"volume", model.volume.label, model.volume.basis, 0, 0, {}};
    for (const auto& hit : profile.hits) {
      if (!InCategories(hit.category, model.volume.categories)) continue;
      ++c.count;
      if (c.evidence.size() < kMaxEvidencePerFactor) c.evidence.push_back(HitEvidenceOf(hit));
    }
    const double raw = model.volume.points_per_decade * std::log10(1.0 + static_cast<double>(c.count));
    c.points = std::min(model.volume.max_points, static_cast<int>(std::lround(raw)));
    if (c.points > 0) a.factors.push_back(std::move(c));
  }
  if (model.distribution.max_points > 0 && profile.distribution_events > 0) {
    FactorContribution c{"distribution", model.distribution.label, model.distribution.basis, 0,
                         profile.distribution_events,
                         ReferralEvidence(profile, std::to_string(profile.distribution_events) +
                                                       " upload/sharing event(s) across the subject's referrals")};
    c.points = static_cast<int>(std::min<std::uint64_t>(
        static_cast<std::uint64_t>(model.distribution.max_points),
        profile.distribution_events * static_cast<std::uint64_t>(model.distribution.points_per_event)));
    if (c.points > 0) a.factors.push_back(std::move(c));
  }
}

nlohmann::json EvidenceToJson(const std::vector<FactorEvidence>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : list) out.push_back({{"kind", e.kind}, {"ref", e.ref}, {"detail", e.detail}});
  return out;
}

std::vector<FactorEvidence> EvidenceFromJson(const nlohmann::json& j) {
  std::vector<FactorEvidence> out;
  if (!j.is_array()) return out;
  for (const auto& e : j) out.push_back({e.value("kind", ""), e.value("ref", ""), e.value("detail", "")});
  return out;
}

nlohmann::json OutlookToJson(const Outlook& o) {
  auto rounded = [](double x) { return std::round(x * 1000) / 1000; };
  nlohmann::json unknowns = nlohmann::json::array();
  for (const auto& u : o.unknowns) {
    unknowns.push_back({{"attribute", u.attribute}, {"label", u.label}, {"points", u.points},
                        {"prevalence", rounded(u.prevalence)}, {"access_to_children", u.access_to_children}});
  }
  return {{"expected_score", rounded(o.expected_score)}, {"p_high", rounded(o.p_high)},
          {"approximate", o.approximate}, {"unknowns", unknowns}};
}

Outlook OutlookFromJson(const nlohmann::json& j, int score) {
  Outlook o;
  o.expected_score = j.value("expected_score", static_cast<double>(score));
  o.p_high = j.value("p_high", 0.0);
  o.approximate = j.value("approximate", false);
  for (const auto& u : j.value("unknowns", nlohmann::json::array())) {
    o.unknowns.push_back({u.value("attribute", ""), u.value("label", ""), u.value("points", 0), u.value("prevalence", 0.0),
                          u.value("access_to_children", false)});
  }
  return o;
}

}  // namespace

Assessment Assess(const SubjectProfile& profile, const RiskModel& model, std::int64_t now) {
  Assessment a;
  a.subject_id = profile.subject_id;
  a.assessed_at = now;
  a.model_name = model.name;
  a.model_sha256 = model.sha256;
  a.referrals = profile.referral_ids.size();
  a.distribution_events = profile.distribution_events;
  ScoreAttributes(profile, model, a);
  ScoreEvidence(profile, model, a);
  std::stable_sort(a.factors.begin(), a.factors.end(),
                   [](const FactorContribution& x, const FactorContribution& y) { return x.points > y.points; });
  for (const auto& f : a.factors) a.score += f.points;
  for (const auto& rule : model.urgency) {
    std::vector<FactorEvidence> evidence;
    bool fires = std::all_of(rule.all.begin(), rule.all.end(),
                             [&](const UrgencyCondition& c) { return Holds(c, profile, model, evidence); });
    if (fires && !rule.any.empty()) {
      bool any = false;
      for (const auto& c : rule.any) any = Holds(c, profile, model, evidence) || any;
      fires = any;
    }
    if (fires) a.urgency.push_back({rule.id, rule.label, std::move(evidence)});
  }
  a.score_band = model.BandForScore(a.score);
  a.model_band = a.score_band;
  a.outlook = EstimateOutlook(profile, model, a.score, !a.urgency.empty());
  if (!a.urgency.empty()) {
    a.model_band = Band::kVeryHigh;
  } else if (a.access_unknown && a.model_band == Band::kLow) {
    a.model_band = Band::kMedium;
    a.floor_reason = "access to children unknown (research needed): kept out of Low";
  }
  return a;
}

std::string ExplainChange(const Assessment& before, const Assessment& after) {
  std::vector<std::string> parts;
  std::map<std::string, int> old_points;
  for (const auto& f : before.factors) old_points[f.id] = f.points;
  for (const auto& f : after.factors) {
    auto it = old_points.find(f.id);
    if (it == old_points.end()) {
      parts.push_back("+ " + f.id + " (" + std::to_string(f.points) + ")");
    } else {
      if (it->second != f.points) {
        parts.push_back(f.id + " " + std::to_string(it->second) + " -> " + std::to_string(f.points));
      }
      old_points.erase(it);
    }
  }
  for (const auto& [id, points] : old_points) parts.push_back("- " + id + " (" + std::to_string(points) + ")");
  for (const auto& flag : after.urgency) {
    const bool had = std::any_of(before.urgency.begin(), before.urgency.end(),
                                 [&](const UrgencyFlag& f) { return f.id == flag.id; });
    if (!had) parts.push_back("+ urgency " + flag.id);
  }
  for (const auto& flag : before.urgency) {
    const bool has = std::any_of(after.urgency.begin(), after.urgency.end(),
                                 [&](const UrgencyFlag& f) { return f.id == flag.id; });
    if (!has) parts.push_back("- urgency " + flag.id);
  }
  if (before.access_unknown != after.access_unknown) {
    parts.push_back(after.access_unknown ? "access to children now unknown" : "access to children researched");
  }
  if (before.model_sha256 != after.model_sha256) parts.push_back("model changed to " + after.model_name);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  if (!out.empty()) out = "score " + std::to_string(before.score) + " -> " + std::to_string(after.score) + ": " + out;
  return out;
}

bool SameOutcome(const Assessment& a, const Assessment& b) {
  nlohmann::json x = AssessmentToJson(a);
  nlohmann::json y = AssessmentToJson(b);
  x.erase("assessed_at");
  y.erase("assessed_at");
  return x == y;
}

nlohmann::json AssessmentToJson(const Assessment& a) {
  nlohmann::json factors = nlohmann::json::array();
  for (const auto& f : a.factors) {
    factors.push_back({{"id", f.id},
                       {"label", f.label},
                       {"basis", f.basis},
                       {"points", f.points},
                       {"count", f.count},
                       {"evidence", EvidenceToJson(f.evidence)}});
  }
  nlohmann::json urgency = nlohmann::json::array();
  for (const auto& u : a.urgency) {
    urgency.push_back({{"id", u.id}, {"label", u.label}, {"evidence", EvidenceToJson(u.evidence)}});
  }
  nlohmann::json research = nlohmann::json::array();
  for (const auto& r : a.research) {
    nlohmann::json task{{"attribute", r.attribute}, {"label", r.label}, {"access_to_children", r.access_to_children}};
    if (!r.conflict.empty()) task["conflict"] = r.conflict;
    research.push_back(std::move(task));
  }
  nlohmann::json hits = nlohmann::json::object();
  for (int c = 0; c < index::kCategoryCount; ++c) {
    hits[std::string(index::CategoryName(static_cast<index::Category>(c)))] = a.hits_by_category[c];
  }
  return {{"subject", a.subject_id},
          {"assessed_at", a.assessed_at},
          {"score", a.score},
          {"score_band", BandKey(a.score_band)},
          {"model_band", BandKey(a.model_band)},
          {"urgency", urgency},
          {"factors", factors},
          {"research", research},
          {"access_unknown", a.access_unknown},
          {"floor_reason", a.floor_reason},
          {"outlook", OutlookToJson(a.outlook)},
          {"hits_by_category", hits},
          {"referrals", a.referrals},
          {"distribution_events", a.distribution_events},
          {"model_name", a.model_name},
          {"model_sha256", a.model_sha256}};
}

Result<Assessment> AssessmentFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("subject")) return Status::Corruption("assessment record without a subject");
  Assessment a;
  a.subject_id = j.value("subject", "");
  a.assessed_at = j.value("assessed_at", std::int64_t{0});
  a.score = j.value("score", 0);
  const auto score_band = ParseBand(j.value("score_band", ""));
  const auto model_band = ParseBand(j.value("model_band", ""));
  if (!score_band || !model_band) return Status::Corruption("assessment of " + a.subject_id + ": bad band");
  a.score_band = *score_band;
  a.model_band = *model_band;
  for (const auto& u : j.value("urgency", nlohmann::json::array())) {
    a.urgency.push_back({u.value("id", ""), u.value("label", ""), EvidenceFromJson(u.value("evidence", nlohmann::json()))});
  }
  for (const auto& f : j.value("factors", nlohmann::json::array())) {
    a.factors.push_back({f.value("id", ""), f.value("label", ""), f.value("basis", ""), f.value("points", 0),
                         f.value("count", std::uint64_t{0}), EvidenceFromJson(f.value("evidence", nlohmann::json()))});
  }
  for (const auto& r : j.value("research", nlohmann::json::array())) {
    a.research.push_back({r.value("attribute", ""), r.value("label", ""), r.value("access_to_children", false),
                          r.value("conflict", "")});
  }
  a.access_unknown = j.value("access_unknown", false);
  a.floor_reason = j.value("floor_reason", "");
  // Assessments stored before the outlook existed read as "nothing unknown" until re-scored.
  a.outlook = OutlookFromJson(j.value("outlook", nlohmann::json::object()), a.score);
  const auto hits = j.value("hits_by_category", nlohmann::json::object());
  for (int c = 0; c < index::kCategoryCount; ++c) {
    a.hits_by_category[c] = hits.value(std::string(index::CategoryName(static_cast<index::Category>(c))), std::uint64_t{0});
  }
  a.referrals = j.value("referrals", std::uint64_t{0});
  a.distribution_events = j.value("distribution_events", std::uint64_t{0});
  a.model_name = j.value("model_name", "");
  a.model_sha256 = j.value("model_sha256", "");
  return a;
}

std::string HitCountsText(const Assessment& a) {
  using index::Category;
  std::string out;
  for (Category c : {Category::kA, Category::kB, Category::kC, Category::kIndecentUncategorised, Category::kUnknown,
                     Category::kNonIndecent}) {
    const auto n = a.hits_by_category[static_cast<std::size_t>(c)];
    if (n == 0) continue;
    out += (out.empty() ? "" : " ") + std::string(index::CategoryName(c)) + ":" + std::to_string(n);
  }
  return out;
}

std::string TopFactorsText(const Assessment& a, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < a.factors.size() && i < n; ++i) {
    out += (i ? "; " : "") + a.factors[i].id + " (+" + std::to_string(a.factors[i].points) + ")";
  }
  return out;
}

}  // namespace hashtriage::engine::risk

#include "engine/risk/outlook.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hashtriage::engine::risk {

namespace {

bool MentionedByUrgency(const RiskModel& model, const AttributeFactor& f) {
  for (const auto& rule : model.urgency) {
    for (const auto* list : {&rule.all, &rule.any}) {
      for (const auto& c : *list) {
        if (c.kind == UrgencyCondition::Kind::kAttributeYes && c.attribute == f.attribute) return true;
        if (c.kind == UrgencyCondition::Kind::kAccessToChildren && f.access_to_children) return true;
      }
    }
  }
  return false;
}

// One urgency condition over the enumerated unknowns: it holds, never holds, or holds when any of
// `bits` is yes.
struct Condition {
  enum { kAlways, kNever, kAnyOf } state = kNever;
  std::uint32_t bits = 0;
  bool Holds(std::uint32_t mask) const { return state == kAlways || (state == kAnyOf && (mask & bits) != 0); }
};

// `bit_of(name)`: the attribute's bit among the enumerated unknowns, or -1.
template <typename KnownYes, typename BitOf>
Condition Compile(const UrgencyCondition& c, const SubjectProfile& profile, const RiskModel& model,
                  const KnownYes& known_yes, const BitOf& bit_of) {
  Condition out;
  auto add = [&](std::string_view name) {
    if (out.state == Condition::kAlways) return;
    if (known_yes(name)) {
      out.state = Condition::kAlways;
    } else if (const int bit = bit_of(name); bit >= 0) {
      out.state = Condition::kAnyOf;
      out.bits |= 1u << bit;
    }
  };
  switch (c.kind) {
    case UrgencyCondition::Kind::kAttributeYes: add(c.attribute); break;
    case UrgencyCondition::Kind::kAccessToChildren:
      for (const auto& f : model.attributes) {
        if (f.access_to_children) add(f.attribute);
      }
      break;
    case UrgencyCondition::Kind::kSelfProduction:
      if (profile.possible_self_production) out.state = Condition::kAlways;
      break;
    case UrgencyCondition::Kind::kProviderEscalation:
      if (profile.escalate_to_high_priority) out.state = Condition::kAlways;
      break;
  }
  return out;
}

struct CompiledRule {
  std::vector<Condition> all, any;
  bool Fires(std::uint32_t mask) const {
    for (const auto& c : all) {
      if (!c.Holds(mask)) return false;
    }
    if (any.empty()) return true;
    for (const auto& c : any) {
      if (c.Holds(mask)) return true;
    }
    return false;
  }
};

}  // namespace

Outlook EstimateOutlook(const SubjectProfile& profile, const RiskModel& model, int known_score, bool urgent_now) {
  Outlook o;
  for (const auto& f : model.attributes) {
    if (LatestValue(profile, f.attribute) != TriState::kUnknown) continue;
    if (f.points <= 0 && !MentionedByUrgency(model, f)) continue;
    o.unknowns.push_back({f.attribute, f.label, f.points, f.prevalence, f.access_to_children});
  }
  std::stable_sort(o.unknowns.begin(), o.unknowns.end(), [](const UnknownFactor& x, const UnknownFactor& y) {
    return x.prevalence * x.points > y.prevalence * y.points;
  });
  o.expected_score = known_score;
  for (const auto& u : o.unknowns) o.expected_score += u.prevalence * u.points;
  const double high_min = model.band_min_score[BandIndex(Band::kHigh)];
  if (urgent_now) {
    o.p_high = 1;
    return o;
  }
  // Beyond the enumerated ones, an unknown counts at its expected points.
  const std::size_t n = std::min(o.unknowns.size(), kMaxEnumeratedUnknowns);
  o.approximate = o.unknowns.size() > n;
  double rest = 0;
  for (std::size_t i = n; i < o.unknowns.size(); ++i) rest += o.unknowns[i].prevalence * o.unknowns[i].points;
  auto known_yes = [&](std::string_view name) { return LatestValue(profile, name) == TriState::kYes; };
  auto bit_of = [&](std::string_view name) {
    for (std::size_t i = 0; i < n; ++i) {
      if (o.unknowns[i].attribute == name) return static_cast<int>(i);
    }
    return -1;
  };
  std::vector<CompiledRule> rules;
  for (const auto& rule : model.urgency) {
    CompiledRule r;
    for (const auto& c : rule.all) r.all.push_back(Compile(c, profile, model, known_yes, bit_of));
    for (const auto& c : rule.any) r.any.push_back(Compile(c, profile, model, known_yes, bit_of));
    rules.push_back(std::move(r));
  }
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    double p = 1;
    double score = known_score + rest;
    for (std::size_t i = 0; i < n; ++i) {
      const bool yes = (mask >> i) & 1u;
      p *= yes ? o.unknowns[i].prevalence : 1 - o.unknowns[i].prevalence;
      if (yes) score += o.unknowns[i].points;
    }
    if (p <= 0) continue;
    const bool high = score >= high_min ||
                      std::any_of(rules.begin(), rules.end(), [&](const CompiledRule& r) { return r.Fires(mask); });
    if (high) o.p_high += p;
  }
  o.p_high = std::clamp(o.p_high, 0.0, 1.0);
  return o;
}

std::string OutlookText(const Outlook& outlook) {
  std::string out;
  for (const auto& u : outlook.unknowns) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: unknown, would add +{}; {:.0f}% of comparable subjects had it", u.label, u.points,
                       100 * u.prevalence);
  }
  return out;
}

std::string OutlookSummary(const Outlook& outlook, std::size_t max_unknowns) {
  std::string out = fmt::format("{:.0f}% likely High once known:", 100 * outlook.p_high);
  for (std::size_t i = 0; i < outlook.unknowns.size() && i < max_unknowns; ++i) {
    const auto& u = outlook.unknowns[i];
    out += fmt::format("{} {} +{} ({:.0f}% had it)", i ? ";" : "", u.label, u.points, 100 * u.prevalence);
  }
  if (outlook.unknowns.size() > max_unknowns) out += fmt::format("; +{} more unknown", outlook.unknowns.size() - max_unknowns);
  return out;
}

}  // namespace hashtriage::engine::risk

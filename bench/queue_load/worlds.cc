#include "bench/queue_load/worlds.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "bench/sim_population.h"
#include "bench/sim_rng.h"

namespace hashtriage::bench::queue_load {

namespace {

enum Attr : std::size_t {
  kPriorContact, kRso, kLives, kWorks, kOtherAccess, kGrooming, kProducing, kCriminal, kBail, kDomestic,
  kInterest, kContact
};

// Probability that the referral or a records check gives the attribute on day 0; otherwise it is
// researched (result after research_min..max days, or never).
constexpr std::array<double, kAttributeCount> kKnownAtIntake = {0.90, 0.95, 0.0, 0.0, 0.0, 0.50,
                                                                0.30, 0.95, 0.90, 0.0, 0.50, 0.0};

struct WorldSpec {
  const char* name;
  const char* description;
  std::array<double, kAttributeCount> prevalence;
  std::array<double, kAttributeCount> points;  // true risk per attribute that is yes
  double interaction_access_interest;          // + when access and (interest or grooming)
  double interaction_contact_access;           // + when prior contact offence and access
  double hidden_points;                        // + for the attribute the product never sees
  double hit_weight;                           // x the product's evidence points (category A, volume, sharing)
  double noise_sd;
};

constexpr std::array<double, kAttributeCount> kBasePrevalence = {0.04, 0.03, 0.30, 0.05, 0.20, 0.06,
                                                                 0.03, 0.25, 0.04, 0.12, 0.25, 0.01};

const WorldSpec kWorlds[] = {
    {"model weights", "the product's own points for the true attributes, noise sd 8",
     kBasePrevalence, {30, 20, 25, 25, 15, 25, 25, 8, 8, 5, 8, 0}, 0, 0, 0, 1.0, 8},
    {"access-led", "access to children weighs more, record and images less; other prevalences; noise sd 10",
     {0.06, 0.02, 0.22, 0.08, 0.30, 0.04, 0.02, 0.35, 0.06, 0.18, 0.15, 0.01},
     {20, 12, 38, 38, 26, 30, 30, 3, 3, 8, 12, 0}, 0, 0, 0, 0.5, 10},
    {"interactions", "0.6 x the product's points, +25 for access with sexual interest or grooming, +20 for a "
                     "prior contact offence with access; noise sd 8",
     kBasePrevalence, {18, 12, 15, 15, 9, 15, 15, 5, 5, 3, 5, 0}, 25, 20, 0, 0.6, 8},
    {"hidden attribute", "the product's points + 35 for a trait it never sees (8% of subjects, 30% of those with "
                         "sexual-interest indicators, 25% of those who share); noise sd 8",
     kBasePrevalence, {30, 20, 25, 25, 15, 25, 25, 8, 8, 5, 8, 0}, 0, 0, 35, 1.0, 8},
};

// The product's evidence points of the default model (category A 6 capped, volume 2/decade up to 6,
// sharing 4), for the worlds that weigh images.
double EvidencePoints(const engine::SubjectProfile& p) {
  std::size_t a = 0;
  for (const auto& h : p.hits) a += h.category == index::Category::kA;
  const double volume = std::min(6.0, std::round(2.0 * std::log10(1.0 + static_cast<double>(p.hits.size()))));
  return (a > 0 ? 6.0 : 0.0) + volume + (p.distribution_events > 0 ? 4.0 : 0.0);
}

bool AnyAccess(const Subject& s) { return s.truth[kLives] || s.truth[kWorks] || s.truth[kOtherAccess]; }

}  // namespace

std::vector<World> Worlds() {
  std::vector<World> out;
  for (const auto& w : kWorlds) out.push_back({w.name, w.description});
  return out;
}

std::vector<Subject> GeneratePopulation(std::size_t w, const WorldOptions& o) {
  const WorldSpec& spec = kWorlds[w];
  // The seed and world hashed into the start (seed * golden + w would make seed s + 1's stream seed s's
  // shifted by one draw: adjacent seeds would not be independent samples).
  SimRng rng(SimRng(o.seed * 1000003 + w).Next());
  std::vector<Subject> out;
  for (int day = 0; day < o.days; ++day) {
    const int n = rng.Poisson(o.per_day);
    for (int k = 0; k < n; ++k) {
      Subject s;
      s.id = fmt::format("P{:05}", out.size() + 1);
      s.arrival = day;
      for (std::size_t a = 0; a < kAttributeCount; ++a) s.truth[a] = rng.Chance(spec.prevalence[a]);
      if (s.truth[kPriorContact] && rng.Chance(0.5)) s.truth[kRso] = true;
      s.referral = DrawReferral(rng, s.id, day);
      const engine::SubjectProfile& p = s.referral;
      s.hidden = rng.Chance(s.truth[kInterest] ? 0.30 : p.distribution_events > 0 ? 0.25 : 0.08);

      double risk = spec.hit_weight * EvidencePoints(p) + spec.noise_sd * rng.Normal();
      for (std::size_t a = 0; a < kAttributeCount; ++a) risk += s.truth[a] ? spec.points[a] : 0;
      if (AnyAccess(s) && (s.truth[kInterest] || s.truth[kGrooming])) risk += spec.interaction_access_interest;
      if (AnyAccess(s) && s.truth[kPriorContact]) risk += spec.interaction_contact_access;
      if (s.hidden) risk += spec.hidden_points;
      s.true_risk = risk;
      s.urgent = s.truth[kContact] || p.possible_self_production || p.escalate_to_high_priority ||
                 (s.truth[kGrooming] && AnyAccess(s)) || (s.truth[kRso] && s.truth[kBail] && AnyAccess(s));

      for (std::size_t a = 0; a < kAttributeCount; ++a) {
        if (rng.Chance(kKnownAtIntake[a])) {
          s.reveals.push_back({day, a});
        } else if (rng.Chance(o.research_never)) {
          s.research.push_back({a, 0, true});
        } else {
          s.research.push_back({a, rng.Between(o.research_min_days, o.research_max_days), false});
          s.reveals.push_back({day + s.research.back().turnaround, a});
        }
      }
      std::sort(s.reveals.begin(), s.reveals.end(), [](const Reveal& x, const Reveal& y) { return x.day < y.day; });
      out.push_back(std::move(s));
    }
  }
  // Truly high-risk: a true urgency fact, or true risk in the top high_share of the population.
  std::vector<double> risks;
  std::size_t urgent = 0;
  for (const auto& s : out) {
    if (s.urgent) ++urgent;
    else risks.push_back(s.true_risk);
  }
  std::sort(risks.begin(), risks.end(), std::greater<>());
  const double wanted = o.high_share * static_cast<double>(out.size()) - static_cast<double>(urgent);
  const std::size_t take = wanted <= 0 ? 0 : std::min(risks.size(), static_cast<std::size_t>(wanted));
  const double threshold = take == 0 ? INFINITY : risks[take - 1];
  for (auto& s : out) s.truly_high = s.urgent || s.true_risk >= threshold;
  return out;
}

}  // namespace hashtriage::bench::queue_load

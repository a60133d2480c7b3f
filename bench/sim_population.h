// Pieces shared by the queue simulations (risk_simulation, queue_load_simulation): a referral's
// evidence drawn at random (known-image hits by category, sharing events, provider flags), and the
// analyst's growing picture of each subject as attribute values are revealed day by day.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/sim_rng.h"
#include "engine/subject_profile.h"

namespace hashtriage::bench {

inline constexpr std::int64_t kSimDay = 86400;
inline constexpr std::int64_t kSimStart = 1767225600;  // 2026-01-01T00:00:00Z

// A referral of subject `id` on `day`: one referral, log-normal many images (a third of subjects with
// 30% Category A), sharing events for half, rare self-production and provider-escalation flags.
inline engine::SubjectProfile DrawReferral(SimRng& rng, const std::string& id, int day) {
  engine::SubjectProfile p;
  p.subject_id = id;
  p.referral_ids = {"R" + id};
  p.first_activity = p.last_activity = kSimStart + day * kSimDay;
  const int images = 1 + static_cast<int>(std::exp(1.2 + 1.4 * rng.Normal()));
  const double a_share = rng.Chance(0.35) ? 0.3 : 0.0;
  for (int i = 0; i < std::min(images, 5000); ++i) {
    engine::HitEvidence h;
    const double u = rng.Uniform();
    h.category = u < a_share ? index::Category::kA : u < a_share + 0.25 ? index::Category::kB : index::Category::kC;
    h.kind = engine::MatchKind::kMd5;
    h.source = "referral:R" + id;
    h.content = id + "-" + std::to_string(i);
    p.hits.push_back(std::move(h));
  }
  p.distribution_events = rng.Chance(0.5) ? static_cast<std::uint64_t>(1 + rng.Poisson(1.0)) : 0;
  p.possible_self_production = rng.Chance(0.015);
  p.escalate_to_high_priority = rng.Chance(0.01);
  return p;
}

// The analyst's current picture of each subject: its referral plus the attributes learnt so far.
// `Subject` has `referral` (SubjectProfile), `truth[a]` (bool) and `reveals` ({day, attribute} sorted
// by day); `name(a)` gives attribute a's name.
template <typename Subject, typename NameOf>
class Knowledge {
 public:
  Knowledge(const std::vector<Subject>& population, NameOf name) : population_(population), name_(name) {
    for (const auto& s : population) profiles_.push_back(s.referral);
    next_.assign(population.size(), 0);
  }
  // Applies the reveals due by `day` for subject i; true when something was learnt.
  bool Learn(std::size_t i, int day) {
    const Subject& s = population_[i];
    bool changed = false;
    while (next_[i] < s.reveals.size() && s.reveals[next_[i]].day <= day) {
      const std::size_t a = s.reveals[next_[i]++].attribute;
      profiles_[i].attributes.push_back({name_(a), s.truth[a] ? engine::TriState::kYes : engine::TriState::kNo,
                                         "research", kSimStart + day * kSimDay, "analyst", ""});
      changed = true;
    }
    return changed;
  }
  const engine::SubjectProfile& profile(std::size_t i) const { return profiles_[i]; }

 private:
  const std::vector<Subject>& population_;
  NameOf name_;
  std::vector<engine::SubjectProfile> profiles_;
  std::vector<std::size_t> next_;
};

// A day's work at `capacity` cases a day: the first cases of `order` that the budget (carried over
// from earlier days, idle time not banked) pays for. Removes them from `open` and returns them.
inline std::vector<std::size_t> WorkDay(const std::vector<std::size_t>& order, double capacity, double& budget,
                                        std::vector<std::size_t>& open) {
  budget += capacity;
  std::vector<std::size_t> done;
  for (std::size_t i : order) {
    if (budget < 1.0 - 1e-9) break;
    budget -= 1.0;
    done.push_back(i);
  }
  if (order.size() <= done.size()) budget = std::fmod(budget, 1.0);
  std::erase_if(open, [&](std::size_t i) { return std::find(done.begin(), done.end(), i) != done.end(); });
  return done;
}

// "8,10,12" -> {8, 10, 12}.
inline std::vector<double> ParseNumberList(const std::string& text) {
  std::vector<double> out;
  for (std::size_t p = 0; p < text.size();) {
    const std::size_t q = std::min(text.find(',', p), text.size());
    out.push_back(std::stod(text.substr(p, q - p)));
    p = q + 1;
  }
  return out;
}

}  // namespace hashtriage::bench

#include "bench/queue_load/research_desk.h"

#include <algorithm>
#include <cmath>

namespace hashtriage::bench::queue_load {

ResearchDesk::ResearchDesk(std::vector<Subject>& population, double capacity_per_day)
    : population_(population), capacity_(capacity_per_day) {
  for (Subject& s : population_) {
    std::erase_if(s.reveals, [&](const Reveal& r) {
      return std::any_of(s.research.begin(), s.research.end(),
                         [&](const ResearchTask& t) { return t.attribute == r.attribute; });
    });
    taken_.emplace_back(s.research.size(), 0);
  }
}

std::vector<std::size_t> ResearchDesk::Untaken(std::size_t i) const {
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < population_[i].research.size(); ++k) {
    if (!taken_[i][k]) out.push_back(population_[i].research[k].attribute);
  }
  return out;
}

void ResearchDesk::Work(int day, const std::vector<std::pair<std::size_t, std::size_t>>& order) {
  budget_ += capacity_;
  std::size_t done = 0;
  for (const auto& [i, attribute] : order) {
    if (budget_ < 1.0 - 1e-9) break;
    Subject& s = population_[i];
    for (std::size_t k = 0; k < s.research.size(); ++k) {
      if (s.research[k].attribute != attribute || taken_[i][k]) continue;
      taken_[i][k] = 1;
      budget_ -= 1.0;
      ++done;
      ++taken_count_;
      if (!s.research[k].never) {
        const Reveal r{day + s.research[k].turnaround, attribute};
        s.reveals.insert(std::upper_bound(s.reveals.begin(), s.reveals.end(), r,
                                          [](const Reveal& x, const Reveal& y) { return x.day < y.day; }),
                         r);
      }
    }
  }
  if (done == order.size()) budget_ = std::fmod(budget_, 1.0);
}

}  // namespace hashtriage::bench::queue_load

// Research desk of the queue-under-load simulation: researchers with a capacity of their own (tasks a
// day, apart from investigators') take open subjects' research tasks in an order (first come first
// served, or the product's research queue, engine/risk/research_queue.h); a taken task's result is
// revealed its `turnaround` days later, or never. Without a capacity every task is taken on the day
// of intake (the population's reveals as drawn).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "bench/queue_load/worlds.h"

namespace hashtriage::bench::queue_load {

class ResearchDesk {
 public:
  // Keeps the reveals known at intake in `population` and holds back its research until taken.
  ResearchDesk(std::vector<Subject>& population, double capacity_per_day);

  // The research tasks of subject i not yet taken (attribute indices).
  std::vector<std::size_t> Untaken(std::size_t i) const;

  // Takes the day's tasks from `order` ((subject, attribute) pairs, most wanted first), within the
  // capacity (carried over from earlier days, idle time not banked), and schedules their results.
  void Work(int day, const std::vector<std::pair<std::size_t, std::size_t>>& order);

  std::size_t taken() const { return taken_count_; }

 private:
  std::vector<Subject>& population_;
  double capacity_;
  double budget_ = 0;
  std::vector<std::vector<char>> taken_;  // per subject, per research task
  std::size_t taken_count_ = 0;
};

}  // namespace hashtriage::bench::queue_load

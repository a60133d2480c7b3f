// SimRng: the deterministic generator of the queue simulations (splitmix64 and the few draws they
// need), so a seed gives the same table on every machine and standard library. Not for security.
#pragma once

#include <cmath>
#include <cstdint>

namespace hashtriage::bench {

class SimRng {
 public:
  explicit SimRng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) / 9007199254740992.0; }
  bool Chance(double p) { return Uniform() < p; }
  // Integer uniform in [lo, hi].
  int Between(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  double Normal() { return std::sqrt(-2.0 * std::log(Uniform())) * std::cos(6.283185307179586 * Uniform()); }
  int Poisson(double lambda) {  // Knuth; lambda is small here
    const double limit = std::exp(-lambda);
    int k = 0;
    for (double p = Uniform(); p > limit; p *= Uniform()) ++k;
    return k;
  }
  int Geometric(double mean) { return static_cast<int>(std::floor(std::log(Uniform()) / std::log(1.0 - 1.0 / (mean + 1.0)))); }

 private:
  std::uint64_t state_;
};

}  // namespace hashtriage::bench

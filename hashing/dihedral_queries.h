// Which of the eight dihedral orientations a PDQ search still queries with the DCT sign-flip hash
// (ComputePdqDihedral). An orientation that also has a physically re-oriented hash among the query
// variants ("pdq-reoriented", ComputePdqReoriented) is searched with that one only: it is the exact
// hash of the turned picture, where the sign flip is an approximation, and every query hash costs a
// full radius search. One rule for the product's matcher and the robustness bench.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "hashing/pdq_hash.h"

namespace hashtriage::hashing {

// `reoriented`: the orientations that have a re-oriented query hash. Result: per Dihedral, whether its
// sign-flip hash is queried.
inline std::array<bool, kDihedralCount> SignFlipOrientationsToQuery(std::span<const Dihedral> reoriented) {
  std::array<bool, kDihedralCount> query{};
  query.fill(true);
  for (const Dihedral d : reoriented) query[static_cast<std::size_t>(d)] = false;
  return query;
}

}  // namespace hashtriage::hashing

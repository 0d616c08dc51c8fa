#include "sim/maxmin/maxmin.hpp"

#include <limits>
#include <stdexcept>

namespace shardsim {

int MaxMinSystem::add_constraint(double capacity) {
  if (!(capacity > 0)) throw std::invalid_argument("max-min constraint capacity must be positive");
  capacity_.push_back(capacity);
  return static_cast<int>(capacity_.size()) - 1;
}

int MaxMinSystem::add_variable(std::vector<MaxMinTerm> terms) {
  for (const auto& t : terms)
    if (t.constraint < 0 || t.constraint >= constraints() || !(t.coefficient > 0))
      throw std::invalid_argument("max-min term refers to an unknown constraint or has a non-positive coefficient");
  terms_.push_back(std::move(terms));
  return static_cast<int>(terms_.size()) - 1;
}

std::vector<double> MaxMinSystem::solve() const {
  const int nv = variables(), nc = constraints();
  std::vector<double> rate(nv, 0.0);
  std::vector<char> frozen(nv, 0);
  std::vector<double> residual = capacity_;
  std::vector<double> load(nc, 0.0);  // sum of coefficients of unfrozen variables
  std::vector<std::vector<int>> users(nc);
  int unfrozen = 0;
  for (int v = 0; v < nv; ++v) {
    if (terms_[v].empty()) { rate[v] = std::numeric_limits<double>::infinity(); frozen[v] = 1; continue; }
    ++unfrozen;
    for (const auto& t : terms_[v]) { load[t.constraint] += t.coefficient; users[t.constraint].push_back(v); }
  }
  std::vector<char> saturated(nc, 0);
  while (unfrozen > 0) {
    double share = std::numeric_limits<double>::infinity();
    for (int c = 0; c < nc; ++c)
      if (!saturated[c] && load[c] > 0) share = std::min(share, residual[c] / load[c]);
    // Constraints within a relative hair of the minimum saturate together; this keeps symmetric
    // flows exactly equal instead of freezing them one rounding error apart.
    const double tolerance = share * 1e-12;
    for (int v = 0; v < nv; ++v)
      if (!frozen[v]) rate[v] += share;
    for (int c = 0; c < nc; ++c)
      if (!saturated[c] && load[c] > 0) residual[c] -= share * load[c];
    for (int c = 0; c < nc; ++c) {
      if (saturated[c] || load[c] <= 0) continue;
      if (residual[c] > tolerance * load[c]) continue;
      saturated[c] = 1;
      for (int v : users[c]) {
        if (frozen[v]) continue;
        frozen[v] = 1;
        --unfrozen;
        for (const auto& t : terms_[v]) load[t.constraint] -= t.coefficient;
      }
    }
  }
  return rate;
}

}  // namespace shardsim

#include "sim/maxmin/maxmin.hpp"

#include <limits>
#include <stdexcept>

namespace shardsim {

int MaxMinSystem::add_constraint(double capacity) {
  if (!(capacity > 0)) throw std::invalid_argument("max-min constraint capacity must be positive");
  capacity_.push_back(capacity);
  return static_cast<int>(capacity_.size()) - 1;
}

int MaxMinSystem::begin_variable() {
  first_term_.push_back(static_cast<int>(terms_.size()));
  return variables() - 1;
}

void MaxMinSystem::add_term(int constraint, double coefficient) {
  if (first_term_.empty()) throw std::logic_error("add_term before begin_variable");
  if (constraint < 0 || constraint >= constraints() || !(coefficient > 0))
    throw std::invalid_argument("max-min term refers to an unknown constraint or has a non-positive coefficient");
  for (std::size_t t = static_cast<std::size_t>(first_term_.back()); t < terms_.size(); ++t)
    if (terms_[t].constraint == constraint) { terms_[t].coefficient += coefficient; return; }
  terms_.push_back({constraint, coefficient});
}

int MaxMinSystem::add_variable(const std::vector<MaxMinTerm>& terms) {
  for (const auto& t : terms)
    if (t.constraint < 0 || t.constraint >= constraints() || !(t.coefficient > 0))
      throw std::invalid_argument("max-min term refers to an unknown constraint or has a non-positive coefficient");
  const int v = begin_variable();
  for (const auto& t : terms) add_term(t.constraint, t.coefficient);
  return v;
}

void MaxMinSystem::clear() {
  capacity_.clear();
  first_term_.clear();
  terms_.clear();
}

const std::vector<double>& MaxMinSystem::solve() {
  const int nv = variables(), nc = constraints();
  auto term_end = [&](int v) { return v + 1 < nv ? first_term_[v + 1] : static_cast<int>(terms_.size()); };
  rate_.assign(nv, 0.0);
  frozen_.assign(nv, 0);
  residual_ = capacity_;
  load_.assign(nc, 0.0);  // sum of coefficients of unfrozen variables
  saturated_.assign(nc, 0);
  // Users of each constraint, in CSR form.
  user_start_.assign(nc + 1, 0);
  for (const auto& t : terms_) ++user_start_[t.constraint + 1];
  for (int c = 0; c < nc; ++c) user_start_[c + 1] += user_start_[c];
  users_.assign(terms_.size(), 0);
  {
    std::vector<int>& fill = user_start_;  // advanced while filling, restored below
    for (int v = 0; v < nv; ++v)
      for (int t = first_term_[v]; t < term_end(v); ++t) users_[fill[terms_[t].constraint]++] = v;
    for (int c = nc; c > 0; --c) fill[c] = fill[c - 1];
    fill[0] = 0;
  }
  int unfrozen = 0;
  for (int v = 0; v < nv; ++v) {
    if (first_term_[v] == term_end(v)) { rate_[v] = std::numeric_limits<double>::infinity(); frozen_[v] = 1; continue; }
    ++unfrozen;
    for (int t = first_term_[v]; t < term_end(v); ++t) load_[terms_[t].constraint] += terms_[t].coefficient;
  }
  while (unfrozen > 0) {
    double share = std::numeric_limits<double>::infinity();
    for (int c = 0; c < nc; ++c)
      if (!saturated_[c] && load_[c] > 0) share = std::min(share, residual_[c] / load_[c]);
    // Constraints within a relative hair of the minimum saturate together; this keeps symmetric
    // flows exactly equal instead of freezing them one rounding error apart.
    const double tolerance = share * 1e-12;
    for (int v = 0; v < nv; ++v)
      if (!frozen_[v]) rate_[v] += share;
    for (int c = 0; c < nc; ++c)
      if (!saturated_[c] && load_[c] > 0) residual_[c] -= share * load_[c];
    for (int c = 0; c < nc; ++c) {
      if (saturated_[c] || load_[c] <= 0) continue;
      if (residual_[c] > tolerance * load_[c]) continue;
      saturated_[c] = 1;
      for (int u = user_start_[c]; u < user_start_[c + 1]; ++u) {
        const int v = users_[u];
        if (frozen_[v]) continue;
        frozen_[v] = 1;
        --unfrozen;
        for (int t = first_term_[v]; t < term_end(v); ++t) load_[terms_[t].constraint] -= terms_[t].coefficient;
      }
    }
  }
  return rate_;
}

}  // namespace shardsim

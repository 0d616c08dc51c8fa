// Max-min fair sharing by progressive filling (Bertsekas & Gallager, "Data Networks", 6.5.2;
// SimGrid's lmm without priorities). Variables are flows, constraints are capacities; variable v
// uses constraint c with coefficient a[c][v] > 0. The solution x maximises the smallest rate, then
// the next smallest, ... subject to sum_v a[c][v] * x_v <= C_c. Algorithm: raise every unfrozen
// variable at the same pace; when a constraint saturates (its residual capacity over the sum of
// its unfrozen coefficients is the smallest such share), freeze its variables; repeat.
// The solver knows nothing of links or networks.
#pragma once

#include <vector>

namespace shardsim {

struct MaxMinTerm {
  int constraint = 0;
  double coefficient = 1;
};

// Storage is flat and kept across clear(), so a network re-solving on every flow change does not
// allocate in its inner loop.
class MaxMinSystem {
 public:
  int add_constraint(double capacity);
  // A variable with its terms; a variable with no terms gets an unbounded (infinite) rate.
  int add_variable(const std::vector<MaxMinTerm>& terms);
  // Incremental form of add_variable: begin, then add terms (repeated constraints add up).
  int begin_variable();
  void add_term(int constraint, double coefficient);
  int variables() const { return static_cast<int>(first_term_.size()); }
  int constraints() const { return static_cast<int>(capacity_.size()); }
  void clear();

  // Returns one rate per variable.
  const std::vector<double>& solve();

 private:
  std::vector<double> capacity_;
  std::vector<int> first_term_;  // per variable, index into terms_; terms run to the next one
  std::vector<MaxMinTerm> terms_;
  // Scratch of solve().
  std::vector<double> rate_, residual_, load_;
  std::vector<char> frozen_, saturated_;
  std::vector<int> user_start_, users_;
};

}  // namespace shardsim

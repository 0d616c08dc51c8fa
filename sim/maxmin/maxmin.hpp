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

class MaxMinSystem {
 public:
  int add_constraint(double capacity);
  // A variable with its terms; a variable with no terms gets an unbounded (infinite) rate.
  int add_variable(std::vector<MaxMinTerm> terms);
  int variables() const { return static_cast<int>(terms_.size()); }
  int constraints() const { return static_cast<int>(capacity_.size()); }

  // Returns one rate per variable.
  std::vector<double> solve() const;

 private:
  std::vector<double> capacity_;
  std::vector<std::vector<MaxMinTerm>> terms_;
};

}  // namespace shardsim

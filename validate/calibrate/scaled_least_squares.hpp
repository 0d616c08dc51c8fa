// Least squares for the calibration fits, whose columns differ by many orders of magnitude
// (latency steps vs bytes, FLOPs vs seconds): each column is scaled to unit norm before a
// column-pivoting QR, so its rank test and conditioning do not depend on the units, and the
// solution is scaled back. Every column must be non-zero.
#pragma once

#include <Eigen/Dense>

namespace shardsim::validate {

struct ScaledSolution {
  Eigen::VectorXd x;
  Eigen::Index rank = 0;  // below a.cols(): the columns cannot be told apart
};

inline ScaledSolution solve_scaled_least_squares(Eigen::MatrixXd a, const Eigen::VectorXd& b) {
  const Eigen::VectorXd scale = a.colwise().norm().transpose();
  for (Eigen::Index j = 0; j < a.cols(); ++j) a.col(j) /= scale(j);
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  return {qr.solve(b).cwiseQuotient(scale), qr.rank()};
}

}  // namespace shardsim::validate

#include "validate/calibrate/fit.hpp"

#include "sim/input/input_error.hpp"

#include <Eigen/Dense>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace shardsim::validate {
namespace {

constexpr int kUnknowns = 5;  // alpha_intra, alpha_inter, 1/C_intra, 1/C_inter, 1/R
constexpr const char* kUnknownNames[kUnknowns] = {"intra-node latency", "inter-node latency", "intra-node bandwidth",
                                                  "inter-node bandwidth", "reduction rate"};
// Unknowns that may physically be 0 (a delay, a reduction fused into the transfer): pinned at 0
// when the unconstrained fit makes them negative. The bandwidths must come out positive.
constexpr int kNonNegative[] = {0, 1, 4};

std::array<double, kUnknowns> coefficients(const StepModelTerms& t) {
  return {t.intra_steps, t.inter_steps, t.intra_bytes, t.inter_bytes, t.reduce_bytes};
}

// Weighted least squares over the unknowns marked free; the others stay 0.
Eigen::VectorXd solve(const std::vector<FitSample>& samples, const std::array<bool, kUnknowns>& free) {
  std::vector<int> columns;
  for (int j = 0; j < kUnknowns; ++j)
    if (free[j]) columns.push_back(j);
  const auto rows = static_cast<Eigen::Index>(samples.size());
  Eigen::MatrixXd a(rows, static_cast<Eigen::Index>(columns.size()));
  Eigen::VectorXd b(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    const FitSample& s = samples[static_cast<std::size_t>(i)];
    const double weight = 1 / s.measured_s;
    const auto c = coefficients(s.terms);
    for (std::size_t j = 0; j < columns.size(); ++j) a(i, static_cast<Eigen::Index>(j)) = c[columns[j]] * weight;
    b(i) = (s.measured_s - s.terms.known_s) * weight;
  }
  // Columns differ by ~1e9 (steps vs bytes): scale them to unit norm so the rank test is fair.
  Eigen::VectorXd scale = a.colwise().norm().transpose();
  for (Eigen::Index j = 0; j < a.cols(); ++j) a.col(j) /= scale(j);
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  if (qr.rank() < a.cols())
    throw InputError(fmt::format("the measurements cannot tell the unknowns apart (rank {} of {}): add sizes or group shapes "
                                 "(e.g. both a one-node and a multi-node group, and small and large sizes)",
                                 qr.rank(), a.cols()));
  const Eigen::VectorXd scaled = qr.solve(b);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(kUnknowns);
  for (std::size_t j = 0; j < columns.size(); ++j)
    x(columns[j]) = scaled(static_cast<Eigen::Index>(j)) / scale(static_cast<Eigen::Index>(j));
  return x;
}

}  // namespace

StepModelFit fit_step_model(const std::vector<FitSample>& samples) {
  if (samples.empty()) throw InputError("no measurements to fit");
  std::array<bool, kUnknowns> free{};
  for (const auto& s : samples) {
    if (!(s.measured_s > 0)) throw InputError("a measured time is not positive");
    const auto c = coefficients(s.terms);
    for (int j = 0; j < kUnknowns; ++j) free[j] = free[j] || c[j] > 0;
  }
  StepModelFit fit;
  fit.identified = free;
  Eigen::VectorXd x = solve(samples, free);
  // A negative delay or reduction cost means the data cannot resolve it; pin it at 0.
  for (int j : kNonNegative) {
    if (free[j] && x(j) < 0) {
      free[j] = false;
      x = solve(samples, free);
    }
  }
  for (int j : {2, 3}) {
    if (fit.identified[j] && !(x(j) > 0))
      throw InputError(fmt::format("the fitted {} is not positive: the measurements do not follow the step model "
                                   "(check for wrong rows or add larger sizes)",
                                   kUnknownNames[j]));
  }
  fit.alpha_intra_s = x(0);
  fit.alpha_inter_s = x(1);
  fit.intra_Bps = fit.identified[2] ? 1 / x(2) : 0;
  fit.inter_Bps = fit.identified[3] ? 1 / x(3) : 0;
  fit.reduce_Bps = fit.identified[4] && x(4) > 0 ? 1 / x(4) : 0;

  double mean = 0;
  for (const auto& s : samples) mean += s.measured_s;
  mean /= static_cast<double>(samples.size());
  double ss_res = 0, ss_tot = 0;
  std::vector<double> abs_errors;
  for (const auto& s : samples) {
    const auto c = coefficients(s.terms);
    double predicted = s.terms.known_s;
    for (int j = 0; j < kUnknowns; ++j) predicted += c[j] * x(j);
    fit.predicted_s.push_back(predicted);
    ss_res += (s.measured_s - predicted) * (s.measured_s - predicted);
    ss_tot += (s.measured_s - mean) * (s.measured_s - mean);
    abs_errors.push_back(std::abs(predicted - s.measured_s) / s.measured_s * 100);
  }
  fit.r_squared = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
  std::sort(abs_errors.begin(), abs_errors.end());
  const std::size_t n = abs_errors.size();
  fit.median_abs_error_pct = n % 2 ? abs_errors[n / 2] : (abs_errors[n / 2 - 1] + abs_errors[n / 2]) / 2;
  fit.max_abs_error_pct = abs_errors.back();
  return fit;
}

}  // namespace shardsim::validate

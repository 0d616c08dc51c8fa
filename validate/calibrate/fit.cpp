#include "validate/calibrate/fit.hpp"

#include "sim/input/input_error.hpp"
#include "validate/calibrate/error_summary.hpp"
#include "validate/calibrate/scaled_least_squares.hpp"

#include <Eigen/Dense>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <utility>

namespace shardsim::validate {
namespace {

constexpr int kUnknowns = 5;  // alpha_intra, alpha_inter, 1/C_intra, 1/C_inter, 1/R
constexpr const char* kUnknownNames[kUnknowns] = {"intra-node latency", "inter-node latency", "intra-node bandwidth",
                                                  "inter-node bandwidth", "reduction rate"};
// Unknowns that may physically be 0 (a delay, a reduction fused into the transfer): pinned at 0
// when the unconstrained fit makes them negative. The bandwidths must come out positive.
constexpr int kNonNegative[] = {0, 1, 4};

// Rounds of choosing each step group's larger bound and refitting before giving up.
constexpr int kMaxBoundRounds = 50;

using Coefficients = std::array<double, kUnknowns>;

Coefficients coefficients(const LinearTerms& t) {
  return {t.intra_steps, t.inter_steps, t.intra_bytes, t.inter_bytes, t.reduce_bytes};
}

double value(const LinearTerms& t, const Eigen::VectorXd& x) {
  const Coefficients c = coefficients(t);
  double v = 0;
  for (int j = 0; j < kUnknowns; ++j) v += c[j] * x(j);
  return v;
}

// Which bound each step group of each sample pays: true = its link bound.
using BoundChoice = std::vector<std::vector<bool>>;

// A sample's time is linear once each of its step groups' bounds is chosen.
Coefficients active_coefficients(const StepModelTerms& t, const std::vector<bool>& link_bound) {
  Coefficients sum{};
  for (std::size_t g = 0; g < t.groups.size(); ++g) {
    const Coefficients c = coefficients(link_bound[g] ? t.groups[g].link_bound : t.groups[g].path_bound);
    for (int j = 0; j < kUnknowns; ++j) sum[j] += c[j];
  }
  return sum;
}

// Weighted least squares over the unknowns marked free; the others stay 0.
Eigen::VectorXd solve(const std::vector<FitSample>& samples, const BoundChoice& choice, const std::array<bool, kUnknowns>& free) {
  std::vector<int> columns;
  for (int j = 0; j < kUnknowns; ++j)
    if (free[j]) columns.push_back(j);
  if (columns.empty()) throw InputError("no measurement depends on any latency, bandwidth or reduction rate");
  const auto rows = static_cast<Eigen::Index>(samples.size());
  Eigen::MatrixXd a(rows, static_cast<Eigen::Index>(columns.size()));
  Eigen::VectorXd b(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    const FitSample& s = samples[static_cast<std::size_t>(i)];
    const double weight = 1 / s.measured_s;
    const auto c = active_coefficients(s.terms, choice[static_cast<std::size_t>(i)]);
    for (std::size_t j = 0; j < columns.size(); ++j) a(i, static_cast<Eigen::Index>(j)) = c[columns[j]] * weight;
    b(i) = (s.measured_s - s.terms.known_s) * weight;
  }
  // Columns differ by ~1e9 (steps vs bytes): the solver scales them so the rank test is fair.
  const ScaledSolution solution = solve_scaled_least_squares(std::move(a), b);
  if (solution.rank < static_cast<Eigen::Index>(columns.size()))
    throw InputError(fmt::format("the measurements cannot tell the unknowns apart (rank {} of {}): add sizes or group shapes "
                                 "(e.g. both a one-node and a multi-node group, and small and large sizes)",
                                 solution.rank, columns.size()));
  Eigen::VectorXd x = Eigen::VectorXd::Zero(kUnknowns);
  for (std::size_t j = 0; j < columns.size(); ++j) x(columns[j]) = solution.x(static_cast<Eigen::Index>(j));
  return x;
}

}  // namespace

namespace {

// One settling of the bounds from a starting choice.
struct Attempt {
  Eigen::VectorXd x;
  std::array<bool, kUnknowns> identified{};
  double weighted_residual = 0;  // sum of squared relative errors under the max-of-bounds model
};

// Fits with each group's bound fixed, lets every group take the bound that is larger at the fitted
// values, and repeats until no group changes. Throws InputError when it does not settle or a
// fitted bandwidth is not positive.
Attempt settle(const std::vector<FitSample>& samples, BoundChoice choice) {
  Attempt attempt;
  for (int round = 0;; ++round) {
    std::array<bool, kUnknowns> free{};
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const auto c = active_coefficients(samples[i].terms, choice[i]);
      for (int j = 0; j < kUnknowns; ++j) free[j] = free[j] || c[j] > 0;
    }
    attempt.identified = free;
    attempt.x = solve(samples, choice, free);
    // A negative delay or reduction cost means the data cannot resolve it; pin it at 0.
    for (int j : kNonNegative) {
      if (free[j] && attempt.x(j) < 0) {
        free[j] = false;
        attempt.x = solve(samples, choice, free);
      }
    }
    BoundChoice next = choice;
    for (std::size_t i = 0; i < samples.size(); ++i)
      for (std::size_t g = 0; g < samples[i].terms.groups.size(); ++g)
        next[i][g] = value(samples[i].terms.groups[g].link_bound, attempt.x) >
                     value(samples[i].terms.groups[g].path_bound, attempt.x);
    if (next == choice) break;
    if (round + 1 == kMaxBoundRounds)
      throw InputError(fmt::format("the fit did not settle which bound each step pays after {} rounds: the measurements "
                                   "do not follow the step model (check for wrong rows)",
                                   kMaxBoundRounds));
    choice = std::move(next);
  }
  for (int j : {2, 3}) {
    if (attempt.identified[j] && !(attempt.x(j) > 0))
      throw InputError(fmt::format("the fitted {} is not positive: the measurements do not follow the step model "
                                   "(check for wrong rows or add larger sizes)",
                                   kUnknownNames[j]));
  }
  for (const auto& s : samples) {
    double predicted = s.terms.known_s;
    for (const auto& g : s.terms.groups) predicted += std::max(value(g.link_bound, attempt.x), value(g.path_bound, attempt.x));
    const double relative = (predicted - s.measured_s) / s.measured_s;
    attempt.weighted_residual += relative * relative;
  }
  return attempt;
}

}  // namespace

// The model is piecewise linear: each step group pays the larger of two linear bounds, and which
// one depends on the unknowns being fitted. Alternating between fitting and choosing can settle
// on a wrong choice (latency fitted too small makes a latency-bound row look link-bound, and then
// nothing pulls the latency up), so it starts from several choices: every group on its path bound
// (the additive alpha-beta model), and, for each chunk size measured, every group moving at least
// that much per step on its link bound (a ring of one shape turns link-bound above some chunk
// size). The settled fit with the smallest relative residual wins.
StepModelFit fit_step_model(const std::vector<FitSample>& samples) {
  if (samples.empty()) throw InputError("no measurements to fit");
  std::set<double> chunk_sizes;
  for (const auto& s : samples) {
    if (!(s.measured_s > 0)) throw InputError("a measured time is not positive");
    for (const auto& g : s.terms.groups)
      if (g.chunk_bytes > 0) chunk_sizes.insert(g.chunk_bytes);
  }
  std::vector<BoundChoice> starts;
  const auto start_from = [&](double smallest_link_bound_chunk) {
    BoundChoice choice;
    for (const auto& s : samples) {
      std::vector<bool> link_bound;
      for (const auto& g : s.terms.groups) link_bound.push_back(g.chunk_bytes >= smallest_link_bound_chunk);
      choice.push_back(std::move(link_bound));
    }
    if (std::find(starts.begin(), starts.end(), choice) == starts.end()) starts.push_back(std::move(choice));
  };
  start_from(std::numeric_limits<double>::infinity());
  for (double chunk : chunk_sizes) start_from(chunk);

  std::optional<Attempt> best;
  std::optional<InputError> first_failure;
  for (auto& start : starts) {
    try {
      Attempt attempt = settle(samples, std::move(start));
      if (!best || attempt.weighted_residual < best->weighted_residual) best = std::move(attempt);
    } catch (const InputError& error) {
      if (!first_failure) first_failure = error;
    }
  }
  if (!best) throw *first_failure;
  StepModelFit fit;
  fit.identified = best->identified;
  const Eigen::VectorXd& x = best->x;
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
    double predicted = s.terms.known_s;
    for (const auto& g : s.terms.groups) predicted += std::max(value(g.link_bound, x), value(g.path_bound, x));
    fit.predicted_s.push_back(predicted);
    ss_res += (s.measured_s - predicted) * (s.measured_s - predicted);
    ss_tot += (s.measured_s - mean) * (s.measured_s - mean);
    abs_errors.push_back(std::abs(predicted - s.measured_s) / s.measured_s * 100);
  }
  fit.r_squared = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
  const ErrorSummary summary = summarise_errors(std::move(abs_errors));
  fit.median_abs_error_pct = summary.median_abs_error_pct;
  fit.max_abs_error_pct = summary.max_abs_error_pct;
  return fit;
}

}  // namespace shardsim::validate

// The median and largest of a fit's absolute relative errors (percent), as every calibration
// report states its fit quality.
#pragma once

#include <algorithm>
#include <vector>

namespace shardsim::validate {

struct ErrorSummary {
  double median_abs_error_pct = 0;
  double max_abs_error_pct = 0;
};

// `abs_errors_pct` must not be empty.
inline ErrorSummary summarise_errors(std::vector<double> abs_errors_pct) {
  std::sort(abs_errors_pct.begin(), abs_errors_pct.end());
  const std::size_t n = abs_errors_pct.size();
  return {n % 2 ? abs_errors_pct[n / 2] : (abs_errors_pct[n / 2 - 1] + abs_errors_pct[n / 2]) / 2, abs_errors_pct.back()};
}

}  // namespace shardsim::validate

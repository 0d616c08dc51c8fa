// The median of repeated measurements (iterations of a live step, micro-steps of a DeepSpeed log):
// the middle value, or the mean of the two middle ones for an even count. Throws std::logic_error
// for no values (callers always have at least one).
#pragma once

#include <vector>

namespace shardsim {

double median(std::vector<double> values);

}  // namespace shardsim

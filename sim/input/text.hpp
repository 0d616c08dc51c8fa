// Plain-text helpers for the log readers (NCCL's TUNING output, DeepSpeed's timer lines): trim a
// field, split a line at a separator, and read a number that must be the whole field, as the
// printf formats those tools write produce it.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace shardsim {

// Without leading and trailing spaces, tabs and carriage returns.
std::string_view trim(std::string_view s);

// The pieces between separators, empty ones included ("a||b" -> "a", "", "b").
std::vector<std::string_view> split(std::string_view s, char sep);

// `text` read whole as a finite number (std::from_chars); nullopt when anything else is there,
// including nothing, a trailing character, inf or nan.
std::optional<double> parse_finite_number(std::string_view text);

}  // namespace shardsim

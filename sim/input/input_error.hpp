// The one exception type for bad user input (data files, scenario files, command-line values).
// Its message is a single line a user can act on: which file, which field (as a JSON path), what
// was expected. The CLI prints it and exits with status 1; anything else that escapes is a bug
// (status 2).
#pragma once

#include <stdexcept>
#include <string>

namespace shardsim {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace shardsim

// How a command-line program turns what its body throws into one line on stderr and an exit
// status, the same for `shardsim` and `shardsim-calibrate`: 0 ok; 1 a user error (InputError, an
// output that cannot be written, a full disk, a closed standard output); 2 a bug (any other
// exception, with "internal error"). Standard output is flushed and closed at the end, and a lost
// write there is a user error too. Reporting never throws (print_error_line).
#pragma once

#include "sim/input/input_error.hpp"
#include "sim/input/output_file.hpp"

#include <fmt/format.h>

#include <cstring>
#include <exception>
#include <new>
#include <string_view>
#include <system_error>

namespace shardsim {

// `body` returns the exit status (a command-line parser's own help or error status included).
template <typename Body>
int exit_status_of(std::string_view program, Body&& body) noexcept {
  const auto report = [&](std::string_view kind, std::string_view message) { print_error_line(program, kind, message); };
  int status = 0;
  try {
    status = body();
  } catch (const InputError& e) {
    report("error", e.what());
    status = 1;
  } catch (const std::system_error& e) {
    // fmt::print throws when standard output cannot take the text (full disk, closed pipe).
    if (stdout_failed()) {
      report("error", fmt::format("standard output: write error ({})", std::strerror(e.code().value())));
      status = 1;
    } else {
      report("internal error", e.what());
      status = 2;
    }
  } catch (const std::bad_alloc&) {
    report("error", "out of memory (the input is too large for this machine)");
    status = 2;
  } catch (const std::exception& e) {
    report("internal error", e.what());
    status = 2;
  } catch (...) {
    report("internal error", "unknown exception");
    status = 2;
  }
  try {
    finish_stdout();
  } catch (const InputError& e) {
    if (status == 0) {
      report("error", e.what());
      status = 1;
    }
  } catch (...) {
    if (status == 0) status = 1;
  }
  return status;
}

}  // namespace shardsim

// Shared by the fuzz targets. Each target is written once with SHARDSIM_FUZZ_TARGET(name):
//   - in a libFuzzer build (SHARDSIM_LIBFUZZER defined, clang -fsanitize=fuzzer) it is the
//     LLVMFuzzerTestOneInput of its own executable, fuzz_<name>;
//   - otherwise it is shardsim_fuzz_<name>, called by replay_main.cpp, which runs saved inputs
//     (tests/fuzz/regressions/, the shipped seeds) as ordinary CTest tests with any compiler.
// The contract every target checks: bad input may throw shardsim::InputError (the CLI prints it
// and exits 1); any other exception is a bug (the CLI's exit 2) and aborts with its type and
// message, as do crashes and sanitizer reports.
#pragma once

#include "sim/input/input_error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <set>
#include <string>
#include <typeinfo>
#include <unistd.h>

#ifdef SHARDSIM_LIBFUZZER
#define SHARDSIM_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
#else
#define SHARDSIM_FUZZ_TARGET(name) int shardsim_fuzz_##name(const std::uint8_t* data, std::size_t size)
#endif

namespace shardsim::fuzz {

// Fuzz inputs larger than this are skipped: the loaders read whole files, and megabyte inputs only
// slow the fuzzer down without reaching new code.
inline constexpr std::size_t kMaxInput = 1 << 16;

// The per-process input files, removed when the fuzzer exits (it ends through exit(), which runs
// static destructors), so runs leave nothing in the temporary directory.
struct TempInputs {
  std::set<std::string> paths;
  ~TempInputs() {
    for (const std::string& p : paths) std::remove(p.c_str());
  }
};

inline TempInputs& temp_inputs() {
  static TempInputs inputs;
  return inputs;
}

// Writes the input to a per-process temporary file (the loaders take paths) and returns its path.
inline std::string write_temp(const std::uint8_t* data, std::size_t size, const char* tag) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/shardsim-fuzz-" + tag + "-" + std::to_string(::getpid()) + ".json";
  temp_inputs().paths.insert(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

// Runs fn(); InputError is the expected outcome of bad input, anything else aborts.
template <typename Fn>
void expect_only_input_errors(const char* target, Fn&& fn) {
  try {
    fn();
  } catch (const InputError&) {
    // Expected: a one-line message for the user.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\n%s: BUG: unexpected %s escaped (the CLI would exit 2): %s\n", target, typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "\n%s: BUG: a non-std exception escaped\n", target);
    std::abort();
  }
}

}  // namespace shardsim::fuzz

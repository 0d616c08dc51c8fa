// Writing result files safely, and standard output and error.
//
// A regular file (new or existing) is written to a temporary file beside it, which is then renamed
// over it: an interrupted or failed run (full disk, file size limit, signal) never leaves a
// truncated file or clobbers a good one, and never leaves the temporary file behind. Every write,
// the close and the rename are checked; a failure is an InputError naming the path and the errno.
// Paths that are not regular files are never replaced: a symlink to a regular file replaces the
// file it points to (the link stays); /dev/stdout, /dev/stderr (or any path that is the process's
// standard output or error) are written through that stream; character devices (/dev/null) and
// FIFOs are written through; block devices, sockets, directories and dangling symlinks are refused.
// A path that is the same file as an input the process has read (or announced) is refused, so a
// run never overwrites its own input.
//
// In a library (not only the `shardsim` CLI) so the live runtime and shardsim-calibrate write their
// outputs the same way.
#pragma once

#include <string>
#include <string_view>

namespace shardsim {

// Throws InputError naming the path when it cannot be written.
void write_file_atomically(const std::string& path, const std::string& content);

// Checks an output path before the work that produces it, so a bad path fails in a second and not
// after the run: the empty path, a directory, a missing or unwritable parent directory, a block
// device, socket or dangling symlink, and a file that is also an input. Returns "" when writable,
// else the problem (without the path). Remembers the path as an output: a later input that is the
// same file is refused (note_input_file).
std::string output_path_problem(const std::string& path);
// The same, throwing InputError "FLAG: PATH: problem" (or "PATH: problem" with no flag).
void check_output_path(const std::string& path, std::string_view flag = "");

// Remembers a file read as input (load_json_file calls it; so do readers of other inputs). Throws
// InputError when the file is one already announced as an output.
void note_input_file(const std::string& path);

// Flushes and closes standard output; throws InputError ("standard output: write error (No space
// left on device)") when anything written to it was lost. Call once, at the end of main.
void finish_stdout();
// True when a write to standard output has failed (the stream's error flag is set).
bool stdout_failed();

// Writes "PROGRAM: KIND: MESSAGE\n" to standard error; never throws and never aborts, even when
// standard error is closed or full (errors while reporting errors are dropped).
void print_error_line(std::string_view program, std::string_view kind, std::string_view message) noexcept;

// Call at the start of main. Makes file-size-limit overruns (RLIMIT_FSIZE) ordinary write errors
// (EFBIG) instead of SIGXFSZ killing the process mid-file, and opens /dev/null read-only on any of
// file descriptors 0-2 that is closed: a file opened later never becomes "standard output", and a
// write to a closed stdout or stderr still fails (EBADF) and is reported.
void prepare_process_io();

}  // namespace shardsim

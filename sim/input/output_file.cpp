#include "sim/input/output_file.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace shardsim {
namespace {

struct FileId {
  dev_t dev;
  ino_t ino;
  bool operator==(const FileId& o) const { return dev == o.dev && ino == o.ino; }
};

struct Registry {
  std::mutex mutex;
  std::vector<std::pair<FileId, std::string>> inputs;
  std::vector<std::pair<FileId, std::string>> outputs;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::string errno_text(int e) { return std::strerror(e); }

std::string parent_of(const std::string& path) {
  const std::filesystem::path p(path);
  const auto parent = p.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

bool same_as_fd(const struct stat& st, int fd) {
  struct stat fs {};
  return ::fstat(fd, &fs) == 0 && fs.st_dev == st.st_dev && fs.st_ino == st.st_ino;
}

// The temporary file being written, unlinked by the signal handler when the process is
// interrupted mid-write (SIGINT, SIGTERM, SIGHUP), so no ".name.tmp.PID" is left behind.
char g_tmp_path[4096];
volatile std::sig_atomic_t g_tmp_active = 0;

extern "C" void remove_tmp_and_reraise(int sig) {
  if (g_tmp_active) ::unlink(g_tmp_path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

class TmpGuard {
 public:
  explicit TmpGuard(const std::string& tmp) {
    std::snprintf(g_tmp_path, sizeof g_tmp_path, "%s", tmp.c_str());
    g_tmp_active = 1;
    struct sigaction sa {};
    sa.sa_handler = remove_tmp_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &sa, &saved_[i]);
  }
  ~TmpGuard() {
    g_tmp_active = 0;
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
  }
  TmpGuard(const TmpGuard&) = delete;
  TmpGuard& operator=(const TmpGuard&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> saved_{};
};

// Writes all of `content` to fd; returns 0 or the errno of the failed write.
int write_all(int fd, std::string_view content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw InputError(fmt::format("{}: {}", path, message));
}

void write_to_stream(const std::string& path, FILE* stream, const std::string& content) {
  const std::size_t n = std::fwrite(content.data(), 1, content.size(), stream);
  const int e = errno;
  if (n != content.size() || std::fflush(stream) != 0)
    fail(path, fmt::format("write failed ({})", errno_text(n != content.size() ? e : errno)));
}

void write_through(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) fail(path, fmt::format("cannot write ({})", errno_text(errno)));
  const int e = write_all(fd, content);
  if (e != 0) {
    ::close(fd);
    fail(path, fmt::format("write failed ({})", errno_text(e)));
  }
  if (::close(fd) != 0) fail(path, fmt::format("write failed ({})", errno_text(errno)));
}

void replace_regular(const std::string& target, const std::string& shown, const std::string& content,
                     const struct stat* existing) {
  namespace fs = std::filesystem;
  const fs::path tp(target);
  static std::atomic<unsigned> counter{0};
  const fs::path tmp = tp.parent_path() / fmt::format(".{}.tmp.{}.{}", tp.filename().string(), ::getpid(), counter++);
  const mode_t mode = existing ? (existing->st_mode & 07777) : 0666;
  TmpGuard guard(tmp.string());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) fail(shown, fmt::format("cannot write ({})", errno_text(errno)));
  if (existing) (void)::fchmod(fd, mode);  // the umask must not narrow an existing file's mode
  const char* left = existing ? "the file was left as it was" : "no file was written";
  int e = write_all(fd, content);
  if (e != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(shown, fmt::format("write failed ({}); {}", errno_text(e), left));
  }
  if (::close(fd) != 0) {
    e = errno;
    ::unlink(tmp.c_str());
    fail(shown, fmt::format("write failed ({}); {}", errno_text(e), left));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    e = errno;
    ::unlink(tmp.c_str());
    fail(shown, fmt::format("cannot replace file ({})", errno_text(e)));
  }
  // The announced output has been written: reading it back is no longer reading an input over
  // which an output will be written (and its old inode number may be reused by another file).
  if (existing) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    std::erase_if(r.outputs, [&](const auto& entry) { return entry.first == FileId{existing->st_dev, existing->st_ino}; });
  }
}

}  // namespace

std::string output_path_problem(const std::string& path) {
  if (path.empty()) return "empty output path";
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) != 0) {
    if (errno != ENOENT) return fmt::format("cannot write ({})", errno_text(errno));
    struct stat pst {};
    const std::string parent = parent_of(path);
    if (::stat(parent.c_str(), &pst) != 0) return fmt::format("cannot write ({})", errno_text(errno));
    if (!S_ISDIR(pst.st_mode)) return fmt::format("cannot write ({})", errno_text(ENOTDIR));
    if (::access(parent.c_str(), W_OK | X_OK) != 0) return fmt::format("cannot write ({})", errno_text(errno));
    return "";
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return S_ISLNK(lst.st_mode) ? "is a symlink to a missing file (refusing to replace the link)"
                                : fmt::format("cannot write ({})", errno_text(errno));
  if (S_ISDIR(st.st_mode)) return "is a directory, expected a file path";
  if (S_ISBLK(st.st_mode)) return "is a block device (refusing to write to it)";
  if (S_ISSOCK(st.st_mode)) return "is a socket (refusing to write to it)";
  if (!S_ISREG(st.st_mode)) {  // character device, FIFO: written through
    if (::access(path.c_str(), W_OK) != 0) return fmt::format("cannot write ({})", errno_text(errno));
    return "";
  }
  if (same_as_fd(st, STDOUT_FILENO) || same_as_fd(st, STDERR_FILENO)) return "";
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& [id, input] : r.inputs)
      if (id == FileId{st.st_dev, st.st_ino})
        return input == path ? "is also an input of this run (refusing to overwrite it)"
                             : fmt::format("is the input file {} (refusing to overwrite it)", input);
    r.outputs.emplace_back(FileId{st.st_dev, st.st_ino}, path);
  }
  // The file is replaced by a rename in its (resolved) directory, which must be writable.
  std::error_code ec;
  const auto resolved = std::filesystem::canonical(path, ec);
  const std::string dir = ec ? parent_of(path) : resolved.parent_path().string();
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return fmt::format("cannot write ({})", errno_text(errno));
  return "";
}

void check_output_path(const std::string& path, std::string_view flag) {
  const std::string problem = output_path_problem(path);
  if (problem.empty()) return;
  if (flag.empty()) throw InputError(fmt::format("{}: {}", path, problem));
  throw InputError(fmt::format("{}: {}: {}", flag, path.empty() ? "''" : path, problem));
}

void write_file_atomically(const std::string& path, const std::string& content) {
  if (const std::string problem = output_path_problem(path); !problem.empty()) fail(path.empty() ? "''" : path, problem);
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) != 0) {  // a new file
    replace_regular(path, path, content, nullptr);
    return;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(path, fmt::format("cannot write ({})", errno_text(errno)));
  if (S_ISREG(st.st_mode) && same_as_fd(st, STDOUT_FILENO)) {
    std::fflush(stdout);
    write_to_stream(path, stdout, content);
    return;
  }
  if (S_ISREG(st.st_mode) && same_as_fd(st, STDERR_FILENO)) {
    write_to_stream(path, stderr, content);
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) fail(path, "is not a regular file (refusing to write to it)");
    // Anything already buffered for our own stdout goes first when the device is stdout.
    std::fflush(stdout);
    write_through(path, content);
    return;
  }
  if (S_ISLNK(lst.st_mode)) {  // replace the file the link points to, keep the link
    std::error_code ec;
    const auto resolved = std::filesystem::canonical(path, ec);
    if (ec) fail(path, fmt::format("cannot resolve symlink ({})", ec.message()));
    replace_regular(resolved.string(), path, content, &st);
    return;
  }
  replace_regular(path, path, content, &st);
}

void note_input_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  const FileId id{st.st_dev, st.st_ino};
  for (const auto& [oid, output] : r.outputs)
    if (oid == id)
      throw InputError(fmt::format("{}: is also the output file {} (refusing to overwrite an input)", path, output));
  r.inputs.emplace_back(id, path);
}

bool stdout_failed() { return std::ferror(stdout) != 0; }

void finish_stdout() {
  errno = 0;
  const bool flush_failed = std::fflush(stdout) != 0;
  int e = errno;
  const bool had_error = std::ferror(stdout) != 0;
  const bool close_failed = std::fclose(stdout) != 0;
  if (close_failed && e == 0) e = errno;
  if (flush_failed || had_error || close_failed)
    throw InputError(fmt::format("standard output: write error ({})", e != 0 ? errno_text(e) : "output lost"));
}

void print_error_line(std::string_view program, std::string_view kind, std::string_view message) noexcept {
  try {
    std::string line;
    line.reserve(program.size() + kind.size() + message.size() + 8);
    line.append(program).append(": ").append(kind).append(": ").append(message).append("\n");
    (void)write_all(STDERR_FILENO, line);
  } catch (...) {
    // Out of memory while reporting: say something short, ignore any failure.
    static const char fallback[] = "error (message lost)\n";
    (void)!::write(STDERR_FILENO, fallback, sizeof fallback - 1);
  }
}

void prepare_process_io() {
  ::signal(SIGXFSZ, SIG_IGN);
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0 && null != fd) {
      ::dup2(null, fd);
      ::close(null);
    }
  }
}

}  // namespace shardsim

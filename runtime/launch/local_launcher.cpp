#include "runtime/launch/local_launcher.hpp"

#include "runtime/comm/communicator.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shardsim::runtime {
namespace {

constexpr int kPollInterval_ms = 20;

struct Child {
  int rank = 0;
  pid_t pid = -1;
  int error_pipe = -1;   // read end of the rank's standard error
  std::string pending;   // a partial line
  std::optional<int> status;  // waitpid status once it has ended
  std::chrono::steady_clock::time_point ended;
};

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

bool failed(int status) { return !(WIFEXITED(status) && WEXITSTATUS(status) == 0); }

void forward_lines(Child& child, bool flush_all) {
  char chunk[4096];
  while (true) {
    const ssize_t got = ::read(child.error_pipe, chunk, sizeof chunk);
    if (got <= 0) break;
    child.pending.append(chunk, static_cast<std::size_t>(got));
  }
  std::size_t newline;
  while ((newline = child.pending.find('\n')) != std::string::npos) {
    fmt::print(stderr, "[rank {}] {}\n", child.rank, child.pending.substr(0, newline));
    child.pending.erase(0, newline + 1);
  }
  if (flush_all && !child.pending.empty()) {
    fmt::print(stderr, "[rank {}] {}\n", child.rank, child.pending);
    child.pending.clear();
  }
}

[[noreturn]] void exec_rank(const std::vector<std::string>& arguments, int rank, const LocalLaunchOptions& options,
                            const std::string& store_directory, int error_fd) {
  // Runs in the forked child: only async-signal-safe work until exec, then never returns.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned ranks if the launcher itself is killed
  ::dup2(error_fd, STDERR_FILENO);
  if (rank != 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
  }
  const int per_node = options.ranks_per_node > 0 ? options.ranks_per_node : options.ranks;
  ::setenv("RANK", std::to_string(rank).c_str(), 1);
  ::setenv("WORLD_SIZE", std::to_string(options.ranks).c_str(), 1);
  ::setenv("LOCAL_RANK", std::to_string(rank % per_node).c_str(), 1);
  ::setenv("LOCAL_WORLD_SIZE", std::to_string(per_node).c_str(), 1);
  ::setenv("SHARDSIM_STORE_DIR", store_directory.c_str(), 1);
  ::setenv(kLocalLauncherVariable, "1", 1);
  std::vector<char*> argv;
  std::string program = "/proc/self/exe";
  argv.push_back(program.data());
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  std::fprintf(stderr, "shardsim-run: error: cannot start rank %d (%s)\n", rank, std::strerror(errno));
  ::_exit(2);
}

}  // namespace

int run_local_ranks(const std::vector<std::string>& arguments, const LocalLaunchOptions& options) {
  if (options.ranks < 1) throw RuntimeError(fmt::format("--local-ranks {}: at least one rank", options.ranks));
  if (options.ranks_per_node > 0 && options.ranks % options.ranks_per_node != 0) {
    throw RuntimeError(fmt::format("--ranks-per-node {} does not divide --local-ranks {}", options.ranks_per_node, options.ranks));
  }
  // A fresh store directory per job: Gloo's file store refuses keys that already exist.
  std::string pattern = (std::filesystem::temp_directory_path() / "shardsim-run-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw RuntimeError(fmt::format("cannot create a rendezvous directory ({})", std::strerror(errno)));
  const std::string store_directory = pattern;
  std::fflush(stdout);
  std::fflush(stderr);

  std::vector<Child> children(options.ranks);
  for (int rank = 0; rank < options.ranks; ++rank) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw RuntimeError(fmt::format("cannot create a pipe ({})", std::strerror(errno)));
    const pid_t pid = ::fork();
    if (pid < 0) throw RuntimeError(fmt::format("cannot start rank {} ({})", rank, std::strerror(errno)));
    if (pid == 0) {
      ::close(pipe_fds[0]);
      exec_rank(arguments, rank, options, store_directory, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);
    ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    children[rank] = Child{rank, pid, pipe_fds[0], {}, std::nullopt, {}};
  }

  const auto start = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> kill_at;
  std::string forced;  // why the launcher killed ranks, if it did
  int running = options.ranks;
  while (running > 0) {
    std::vector<pollfd> fds;
    for (const auto& child : children) fds.push_back({child.error_pipe, POLLIN, 0});
    ::poll(fds.data(), fds.size(), kPollInterval_ms);
    const auto now = std::chrono::steady_clock::now();
    for (auto& child : children) {
      forward_lines(child, false);
      if (child.status) continue;
      int status = 0;
      if (::waitpid(child.pid, &status, WNOHANG) == child.pid) {
        child.status = status;
        child.ended = now;
        --running;
        if (failed(status) && !kill_at) kill_at = now + options.grace;
      }
    }
    if (options.job_timeout.count() > 0 && !kill_at && now - start > options.job_timeout) {
      kill_at = now;
      forced = fmt::format("the job exceeded --job-timeout-s {:g}", options.job_timeout.count() / 1000.0);
    }
    if (kill_at && now >= *kill_at && running > 0) {
      if (forced.empty()) forced = fmt::format("ranks still running {:g} s after the first failure were killed", options.grace.count() / 1000.0);
      for (const auto& child : children) {
        if (!child.status) ::kill(child.pid, SIGKILL);
      }
    }
  }
  for (auto& child : children) {
    forward_lines(child, true);
    ::close(child.error_pipe);
  }
  std::error_code ignored;
  std::filesystem::remove_all(store_directory, ignored);

  // The first rank to fail is the likely cause; the others usually failed because it did.
  const Child* first = nullptr;
  for (const auto& child : children) {
    if (!failed(*child.status)) continue;
    // Within one poll interval, a rank killed by a signal is the cause rather than a consequence.
    const auto order = [](const Child& c) { return std::make_pair(c.ended, !WIFSIGNALED(*c.status)); };
    if (!first || order(child) < order(*first)) first = &child;
  }
  if (!first) return 0;
  std::string others;
  int other_failures = 0;
  for (const auto& child : children) other_failures += (&child != first && failed(*child.status)) ? 1 : 0;
  if (other_failures > 0) others = fmt::format("; {} other rank{} failed after it", other_failures, other_failures == 1 ? "" : "s");
  throw RuntimeError(fmt::format("rank {} {}{}{}", first->rank, describe_status(*first->status), others,
                                 forced.empty() ? "" : "; " + forced));
}

}  // namespace shardsim::runtime

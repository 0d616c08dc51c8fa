#include "runtime/launch/local_launcher.hpp"

#include "runtime/comm/communicator.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
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
// Once a rank has failed because a wait timed out, the ranks still running are (or wait on) the
// rank that went silent: they are killed after this short margin rather than the full grace, so a
// stalled rank ends the job about --timeout-s after it stalled, not two or three times that.
constexpr auto kStallMargin = std::chrono::seconds(1);
// How the communicators word a wait that ran out (gloo_communicator.cpp, nccl_communicator.cpp).
constexpr const char* kTimeoutWords = "did not complete within";
// How every rank's main() starts its one-line error (see runtime/cli/main.cpp).
constexpr const char* kErrorPrefix = "shardsim-run: ";

struct Child {
  int rank = 0;
  pid_t pid = -1;
  int error_pipe = -1;   // read end of the rank's standard error
  std::string pending;   // a partial line
  std::vector<std::string> final_lines;  // "shardsim-run: error: ..." lines, shown once every rank has ended
  std::optional<int> status;  // waitpid status once it has ended
  std::chrono::steady_clock::time_point ended;
  bool killed_by_launcher = false;
};

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

bool failed(int status) { return !(WIFEXITED(status) && WEXITSTATUS(status) == 0); }

// A rank that failed only because a wait for its peers timed out (it names no cause of its own).
bool timed_out(const Child& child) {
  if (!child.status || WIFSIGNALED(*child.status) || !failed(*child.status) || child.final_lines.empty()) return false;
  for (const auto& line : child.final_lines)
    if (line.find(kTimeoutWords) == std::string::npos) return false;
  return true;
}

// One line to standard error; a closed or full stderr loses the line, never stops the launcher
// (which must still supervise and reap its ranks).
void print_line(const std::string& line) {
  std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void forward_lines(Child& child, bool flush_all) {
  char chunk[4096];
  while (true) {
    const ssize_t got = ::read(child.error_pipe, chunk, sizeof chunk);
    if (got <= 0) break;
    child.pending.append(chunk, static_cast<std::size_t>(got));
  }
  std::size_t newline;
  auto forward = [&](std::string line) {
    if (line.rfind(kErrorPrefix, 0) == 0) {
      child.final_lines.push_back(std::move(line));
    } else {
      print_line(fmt::format("[rank {}] {}", child.rank, line));
    }
  };
  while ((newline = child.pending.find('\n')) != std::string::npos) {
    forward(child.pending.substr(0, newline));
    child.pending.erase(0, newline + 1);
  }
  if (flush_all && !child.pending.empty()) {
    forward(child.pending);
    child.pending.clear();
  }
}

// Ranks per (emulated) node: all of them on one node unless --ranks-per-node says otherwise.
int ranks_per_node(const LocalLaunchOptions& options) {
  return options.ranks_per_node > 0 ? options.ranks_per_node : options.ranks;
}

[[noreturn]] void exec_rank(const std::vector<std::string>& arguments, int rank, const LocalLaunchOptions& options,
                            const std::string& store_directory, const std::string& nccl_host_id, int error_fd) {
  // Runs in the forked child: only async-signal-safe work until exec, then never returns.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned ranks if the launcher itself is killed
  ::dup2(error_fd, STDERR_FILENO);
  if (rank != 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
  }
  const int per_node = ranks_per_node(options);
  ::setenv("RANK", std::to_string(rank).c_str(), 1);
  ::setenv("WORLD_SIZE", std::to_string(options.ranks).c_str(), 1);
  ::setenv("LOCAL_RANK", std::to_string(rank % per_node).c_str(), 1);
  ::setenv("LOCAL_WORLD_SIZE", std::to_string(per_node).c_str(), 1);
  ::setenv("SHARDSIM_STORE_DIR", store_directory.c_str(), 1);
  ::setenv(kLocalLauncherVariable, "1", 1);
  if (!nccl_host_id.empty()) ::setenv("NCCL_HOSTID", nccl_host_id.c_str(), 1);
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

std::string emulated_node_host_id(const LocalLaunchOptions& options, int rank) {
  const int per_node = ranks_per_node(options);
  if (per_node >= options.ranks) return {};  // one node: NCCL's own host identity is right
  if (const char* set = std::getenv("NCCL_HOSTID"); set != nullptr && *set != '\0') return {};  // the user's choice
  return fmt::format("shardsim-emulated-node-{}", rank / per_node);
}

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
    const std::string host_id = emulated_node_host_id(options, rank);  // before fork: the child only execs
    const pid_t pid = ::fork();
    if (pid < 0) throw RuntimeError(fmt::format("cannot start rank {} ({})", rank, std::strerror(errno)));
    if (pid == 0) {
      ::close(pipe_fds[0]);
      exec_rank(arguments, rank, options, store_directory, host_id, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);
    ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    children[rank].rank = rank;
    children[rank].pid = pid;
    children[rank].error_pipe = pipe_fds[0];
  }

  const auto start = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> kill_at;
  std::string forced;  // why the launcher killed ranks, if it did (job timeout)
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
    // Lines of ranks that just ended are read before deciding whether they timed out.
    for (auto& child : children)
      if (child.status) forward_lines(child, false);
    if (running > 0 && std::any_of(children.begin(), children.end(), [](const Child& c) { return timed_out(c); })) {
      const auto stall_kill = now + kStallMargin;
      if (!kill_at || stall_kill < *kill_at) kill_at = stall_kill;
    }
    if (options.job_timeout.count() > 0 && !kill_at && now - start > options.job_timeout) {
      kill_at = now;
      forced = fmt::format("the job exceeded --job-timeout-s {:g}", options.job_timeout.count() / 1000.0);
    }
    if (kill_at && now >= *kill_at && running > 0) {
      for (auto& child : children) {
        if (!child.status && !child.killed_by_launcher) {
          ::kill(child.pid, SIGKILL);
          child.killed_by_launcher = true;
        }
      }
    }
  }
  for (auto& child : children) {
    forward_lines(child, true);
    ::close(child.error_pipe);
  }
  std::error_code ignored;
  std::filesystem::remove_all(store_directory, ignored);

  // Every rank failing with the same message (a bad input they all read) is one line, not N.
  const auto& reference = children.front().final_lines;
  bool same_error_everywhere = reference.size() == 1;
  for (const auto& child : children) {
    same_error_everywhere = same_error_everywhere && !child.killed_by_launcher && WIFEXITED(*child.status) &&
                            WEXITSTATUS(*child.status) == 1 && child.final_lines == reference;
  }
  if (same_error_everywhere) {
    const std::string& line = reference.front();
    const std::string error_prefix = std::string(kErrorPrefix) + "error: ";
    throw RuntimeError(line.rfind(error_prefix, 0) == 0 ? line.substr(error_prefix.size()) : line);
  }
  for (const auto& child : children) {
    for (const auto& line : child.final_lines) print_line(fmt::format("[rank {}] {}", child.rank, line));
  }

  // Every rank that ended failed only because its wait timed out, and some were still running: the
  // ranks still running went silent (stopped, stalled, deadlocked). They are the cause, not the
  // first rank whose wait for them ran out.
  std::vector<int> killed;
  int waited = 0;
  bool only_timeouts = true;
  for (const auto& child : children) {
    if (child.killed_by_launcher) killed.push_back(child.rank);
    else if (timed_out(child)) ++waited;
    else if (failed(*child.status)) only_timeouts = false;
  }
  if (!killed.empty() && waited > 0 && only_timeouts && forced.empty()) {
    throw RuntimeError(fmt::format(
        "rank{} {} went silent: {} still running when {} other rank{} timed out waiting for {} after {:g} s, and {} killed",
        killed.size() == 1 ? "" : "s", fmt::join(killed, ", "),
        killed.size() == 1 ? fmt::format("rank {} was", killed.front()) : "they were", waited, waited == 1 ? "" : "s",
        killed.size() == 1 ? "it" : "them", options.peer_timeout.count() / 1000.0, killed.size() == 1 ? "was" : "were"));
  }
  killed.clear();

  // The first rank to fail is the likely cause; the others usually failed because it did.
  const Child* first = nullptr;
  for (const auto& child : children) {
    if (child.killed_by_launcher) killed.push_back(child.rank);
    if (!failed(*child.status) || child.killed_by_launcher) continue;
    // Within one poll interval, a rank killed by a signal is the cause rather than a consequence.
    const auto order = [](const Child& c) { return std::make_pair(c.ended, !WIFSIGNALED(*c.status)); };
    if (!first || order(child) < order(*first)) first = &child;
  }
  if (!first && killed.empty()) return 0;
  std::vector<std::string> parts;
  if (first) {
    parts.push_back(fmt::format("rank {} {}", first->rank, describe_status(*first->status)));
    int others = 0;
    for (const auto& child : children) others += (&child != first && failed(*child.status) && !child.killed_by_launcher) ? 1 : 0;
    if (others > 0) parts.push_back(fmt::format("{} other rank{} failed after it", others, others == 1 ? "" : "s"));
  }
  if (!killed.empty()) {
    parts.push_back(fmt::format("rank{} {} {} still running {} and {} killed", killed.size() == 1 ? "" : "s",
                                fmt::join(killed, ", "), killed.size() == 1 ? "was" : "were",
                                forced.empty() ? fmt::format("{:g} s after the first failure", options.grace.count() / 1000.0) : "when " + forced,
                                killed.size() == 1 ? "was" : "were"));
  }
  throw RuntimeError(fmt::format("{}", fmt::join(parts, "; ")));
}

}  // namespace shardsim::runtime

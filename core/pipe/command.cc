#include "pipe/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "pipe/steady_clock.h"

extern char** environ;

namespace kq::pipe {
namespace {

constexpr int kPipeBytes = 1 << 20;

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

ExitStatus FromWait(int status) {
  ExitStatus s;
  if (WIFSIGNALED(status)) {
    s.signaled = true;
    s.signal = WTERMSIG(status);
  } else {
    s.code = WEXITSTATUS(status);
  }
  return s;
}

}  // namespace

std::string ExitStatus::ToString() const {
  return signaled ? fmt::format("killed by signal {}", signal)
                  : fmt::format("exit status {}", code);
}

Result<std::unique_ptr<Command>> Command::Start(const CommandOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("no command given");
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || (options.capture_stdout && ::pipe2(out, O_CLOEXEC) != 0)) {
    const int e = errno;
    CloseFd(&in[0]);
    CloseFd(&in[1]);
    return Status::IoError(fmt::format("pipe for {}: {}", options.argv[0], std::strerror(e)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  if (options.capture_stdout) posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  // The child gets default signal handling (we ignore SIGPIPE).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::map<std::string, std::string> env_map;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env_map[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : options.env) env_map[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env_map) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  CloseFd(&in[0]);
  CloseFd(&out[1]);
  if (rc != 0) {
    CloseFd(&in[1]);
    CloseFd(&out[0]);
    if (rc == ENOENT || rc == EACCES) {
      return Status::NotFound(
          fmt::format("cannot run '{}': {}", options.argv[0], std::strerror(rc)));
    }
    return Status::IoError(fmt::format("cannot run '{}': {}", options.argv[0], std::strerror(rc)));
  }
  std::unique_ptr<Command> c(new Command());
  c->pid_ = pid;
  c->stdin_fd_ = in[1];
  c->stdout_fd_ = out[0];
  c->name_ = options.argv[0];
  // Bigger pipes: fewer wake-ups of us and the command per MiB that flows
  // (the default 64 KiB makes a fast filter like cat switch every 16 pages).
  // Best effort: a lower /proc/sys/fs/pipe-max-size just keeps the default.
  (void)::fcntl(c->stdin_fd_, F_SETPIPE_SZ, kPipeBytes);
  if (c->stdout_fd_ >= 0) (void)::fcntl(c->stdout_fd_, F_SETPIPE_SZ, kPipeBytes);
  ::fcntl(c->stdin_fd_, F_SETFL, ::fcntl(c->stdin_fd_, F_GETFL) | O_NONBLOCK);
  if (c->stdout_fd_ >= 0) {
    ::fcntl(c->stdout_fd_, F_SETFL, ::fcntl(c->stdout_fd_, F_GETFL) | O_NONBLOCK);
  }
  return c;
}

Command::~Command() {
  CloseStdin();
  CloseStdout();
  Kill();
}

void Command::CloseStdin() { CloseFd(&stdin_fd_); }
void Command::CloseStdout() { CloseFd(&stdout_fd_); }

void Command::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Result<ExitStatus> Command::Wait(std::optional<int64_t> timeout_ms) {
  if (pid_ <= 0) return Status::Internal("command already reaped");
  const int64_t deadline = timeout_ms ? SteadyMs() + *timeout_ms : 0;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, timeout_ms ? WNOHANG : 0);
    if (r == pid_) {
      pid_ = -1;
      return FromWait(status);
    }
    if (r < 0 && errno != EINTR) {
      return Status::IoError(fmt::format("waiting for '{}': {}", name_, std::strerror(errno)));
    }
    if (timeout_ms && r == 0) {
      if (SteadyMs() >= deadline) {
        Kill();
        return Status::IoError(
            fmt::format("'{}' did not end within {} ms and was killed", name_, *timeout_ms));
      }
      ::usleep(2000);
    }
  }
}

Result<CommandRun> RunCommand(const CommandOptions& options, std::string_view input,
                              std::optional<int64_t> timeout_ms) {
  KQ_ASSIGN_OR_RETURN(auto c, Command::Start(options));
  CommandRun run;
  const int64_t deadline = timeout_ms ? SteadyMs() + *timeout_ms : 0;
  size_t written = 0;
  if (input.empty()) c->CloseStdin();
  char buf[65536];
  while (c->stdin_fd() >= 0 || c->stdout_fd() >= 0) {
    pollfd fds[2];
    nfds_t n = 0;
    if (c->stdin_fd() >= 0) fds[n++] = {c->stdin_fd(), POLLOUT, 0};
    if (c->stdout_fd() >= 0) fds[n++] = {c->stdout_fd(), POLLIN, 0};
    int wait = -1;
    if (timeout_ms) {
      const int64_t left = deadline - SteadyMs();
      if (left <= 0) {
        c->Kill();
        run.timed_out = true;
        return run;
      }
      wait = static_cast<int>(std::min<int64_t>(left, 1000));
    }
    const int r = ::poll(fds, n, wait);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("poll: {}", std::strerror(errno)));
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == c->stdin_fd()) {
        const ssize_t w = ::write(c->stdin_fd(), input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
          c->CloseStdin();  // done, or the command stopped reading (EPIPE)
        }
      } else {
        const ssize_t got = ::read(c->stdout_fd(), buf, sizeof buf);
        if (got > 0) {
          run.output.append(buf, static_cast<size_t>(got));
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          c->CloseStdout();
        }
      }
    }
  }
  std::optional<int64_t> left;
  if (timeout_ms) left = std::max<int64_t>(deadline - SteadyMs(), 1);
  Result<ExitStatus> st = c->Wait(left);
  if (!st.ok()) {
    run.timed_out = true;
    return run;
  }
  run.status = *st;
  return run;
}

}  // namespace kq::pipe

#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

extern char** environ;

namespace subprocess {
namespace {

double now_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// This process's environment with `changes` applied, as "NAME=value" strings.
std::vector<std::string> child_environment(const std::vector<EnvChange>& changes) {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const auto eq = text.find('=');
    if (eq != std::string::npos) variables.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  for (const auto& [name, value] : changes) {
    if (value) {
      variables[name] = *value;
    } else {
      variables.erase(name);
    }
  }
  std::vector<std::string> text;
  text.reserve(variables.size());
  for (const auto& [name, value] : variables) text.push_back(name + "=" + value);
  return text;
}

std::vector<char*> pointers(std::vector<std::string>& words) {
  std::vector<char*> list;
  list.reserve(words.size() + 1);
  for (auto& word : words) list.push_back(word.data());
  list.push_back(nullptr);
  return list;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Reads what is available on `fd`, keeping at most `limit` bytes in `sink` (0: no limit).
// Returns false at end of file (or on an error that ends the stream).
bool drain(int fd, std::string& sink, std::size_t limit, bool& truncated) {
  char buffer[65536];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) {
    auto count = static_cast<std::size_t>(n);
    if (limit != 0 && sink.size() + count > limit) {
      truncated = true;
      count = sink.size() < limit ? limit - sink.size() : 0;
    }
    sink.append(buffer, count);
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

// True once `pid` has exited; it is left unreaped (a zombie), so its id stays taken.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

}  // namespace

Process Process::start(const Spec& spec) {
  Process process;
  process.spec_ = spec;
  process.started_at_ = now_seconds();
  Result& result = process.result_;
  if (spec.argv.empty()) {
    result.error = "nothing to run";
    return process;
  }

  // Everything the child needs is made here, before the spawn.
  std::vector<std::string> argv_text = spec.argv;
  std::vector<std::string> env_text = child_environment(spec.env);
  std::vector<char*> argv = pointers(argv_text);
  std::vector<char*> envp = pointers(env_text);

  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe2() failed: ") + std::strerror(errno);
    for (int* fd : {&out_pipe[0], &out_pipe[1], &err_pipe[0], &err_pipe[1]}) close_fd(*fd);
    return process;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // dup2 clears close-on-exec on the child's copies only.
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, spec.merge_output ? out_pipe[1] : err_pipe[1],
                                   STDERR_FILENO);
  if (!spec.directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.directory.c_str());
  }

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  // Signals this process handles or ignores get their default action back in the child.
  for (int signal : {SIGINT, SIGTERM, SIGPIPE, SIGQUIT, SIGHUP, SIGCHLD}) {
    sigaddset(&signals, signal);
  }
  posix_spawnattr_setsigdefault(&attributes, &signals);
  posix_spawnattr_setpgroup(&attributes, 0);  // a process group of its own
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int failed = ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  if (failed != 0) {
    result.error = "cannot run " + spec.argv[0] +
                   (spec.directory.empty() ? "" : " in " + spec.directory) + ": " +
                   std::strerror(failed);
    close_fd(out_pipe[0]);
    close_fd(err_pipe[0]);
    return process;
  }
  process.pid_ = pid;
  process.out_fd_ = out_pipe[0];
  process.err_fd_ = err_pipe[0];
  result.started = true;
  return process;
}

Process::Process(Process&& other) noexcept {
  *this = std::move(other);
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    spec_ = std::move(other.spec_);
    result_ = std::move(other.result_);
    pid_ = other.pid_;
    out_fd_ = other.out_fd_;
    err_fd_ = other.err_fd_;
    started_at_ = other.started_at_;
    other.pid_ = -1;
    other.out_fd_ = other.err_fd_ = -1;
  }
  return *this;
}

Process::~Process() {
  if (pid_ > 0) {  // never waited for: stop it and reap it
    ::kill(-pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(out_fd_);
  close_fd(err_fd_);
}

const std::string& Process::output_so_far() {
  while (out_fd_ >= 0) {
    pollfd fd{out_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0 || (fd.revents & (POLLIN | POLLHUP | POLLERR)) == 0) break;
    if (!drain(out_fd_, result_.out, spec_.output_limit, result_.truncated)) {
      ::close(out_fd_);
      out_fd_ = -1;
    }
  }
  return result_.out;
}

Result Process::wait() {
  Result result = result_;
  if (pid_ <= 0) return result;
  const pid_t pid = pid_;
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = (out_fd_ >= 0 ? 1 : 0) + (err_fd_ >= 0 ? 1 : 0);
  int status = 0;
  bool exited = false;
  double term_sent_at = 0;
  while (!exited || open_fds > 0) {
    if (!exited) exited = has_exited(pid);
    if (!exited) {
      const double now = now_seconds();
      if (spec_.timeout_seconds > 0 && !result.timed_out &&
          now - started_at_ > spec_.timeout_seconds) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
      } else if (spec_.cancel != nullptr && spec_.cancel->load() && !result.cancelled) {
        result.cancelled = true;
        term_sent_at = now;
        ::kill(-pid, SIGTERM);
      } else if (result.cancelled && now - term_sent_at > 2) {
        ::kill(-pid, SIGKILL);
      }
    }
    if (open_fds == 0) {
      if (!exited) {
        const timespec pause{0, 5'000'000};
        ::nanosleep(&pause, nullptr);
      }
      continue;
    }
    // Once the program has exited, only read what is left: a child it left behind may hold the
    // pipes open for much longer.
    const int ready = ::poll(fds, 2, exited ? 0 : 50);
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || ready <= 0) continue;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!drain(fds[i].fd, *sinks[i], spec_.output_limit, result.truncated)) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
    if (exited && ready <= 0) {
      for (auto& entry : fds) {
        if (entry.fd >= 0) ::close(entry.fd);
        entry.fd = -1;
      }
      open_fds = 0;
    }
  }
  // Whatever the program left behind in its process group goes with it. (It is not reaped yet,
  // so its id, which is the group's, cannot have been reused.)
  ::kill(-pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out_fd_ = err_fd_ = -1;
  pid_ = -1;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  result.seconds = now_seconds() - started_at_;
  return result;
}

std::string spawn_detached(const std::vector<std::string>& argv, const std::string& log_path) {
  if (argv.empty()) return "nothing to run";
  std::vector<std::string> argv_text = argv;
  std::vector<char*> args = pointers(argv_text);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  for (int signal : {SIGINT, SIGTERM, SIGPIPE, SIGQUIT, SIGHUP, SIGCHLD})
    sigaddset(&signals, signal);
  posix_spawnattr_setsigdefault(&attributes, &signals);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int failed = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return failed == 0 ? "" : "cannot run " + argv[0] + ": " + std::strerror(failed);
}

Spec command(std::vector<std::string> argv) {
  Spec spec;
  spec.argv = std::move(argv);
  return spec;
}

Result run(const Spec& spec) {
  return Process::start(spec).wait();
}

std::vector<Result> run_parallel(const std::vector<Spec>& specs, std::size_t jobs) {
  std::vector<Result> results(specs.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < specs.size(); i = next++) results[i] = run(specs[i]);
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < std::max<std::size_t>(1, std::min(jobs, specs.size())); ++t) {
    threads.emplace_back(worker);
  }
  worker();
  for (auto& thread : threads) thread.join();
  return results;
}

std::string signal_name(int signal) {
  const char* name = ::strsignal(signal);
  return "signal " + std::to_string(signal) + (name ? std::string(", ") + name : "");
}

std::string signal_meaning(int signal) {
  switch (signal) {
    case SIGSEGV:
    case SIGBUS:
      return "the program used memory it does not own, and the system stopped it. In C++ that "
             "is most often a reference or pointer to an object that no longer exists (a "
             "temporary, a local variable of a function that returned, an element of a vector "
             "that has grown since), a null pointer, or an index past the end of a container.";
    case SIGABRT:
      return "the program stopped itself: an exception nothing caught where it cannot pass "
             "(a destructor, a noexcept function), a failed assert(), or a memory error the C++ "
             "library noticed (an object freed twice).";
    case SIGFPE:
      return "an arithmetic error: most often an integer division by zero.";
    case SIGILL:
      return "the processor met an instruction it must not run: most often a function that "
             "should return a value reached its end without a return statement.";
    case SIGKILL:
      return "it was killed from outside: it ran too long and was stopped, or the machine ran "
             "out of memory.";
    case SIGTERM:
    case SIGINT:
      return "it was asked to stop (Ctrl-C, or a time limit).";
    default:
      return "";
  }
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& word : argv) {
    if (!text.empty()) text += ' ';
    if (!word.empty() && word.find_first_of(" \t\n\"'$\\*?;&|<>()`") == std::string::npos) {
      text += word;
      continue;
    }
    text += '\'';
    for (char c : word) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
    text += '\'';
  }
  return text;
}

}  // namespace subprocess

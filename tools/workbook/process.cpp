#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace workbook {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  g_interrupted = true;
}

void set_cloexec(int fd) {
  ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

// Reads what is available on `fd` into `sink`; returns false at end of file.
bool drain(int fd, std::string& sink) {
  char buffer[65536];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) {
    sink.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

[[noreturn]] void exec_child(const ProcessSpec& spec, int out_fd, int err_fd, int report_fd) {
  ::setpgid(0, 0);
  const int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  for (const auto& [name, value] : spec.env) ::setenv(name.c_str(), value.c_str(), 1);
  std::string failure;
  if (!spec.directory.empty() && ::chdir(spec.directory.c_str()) != 0) {
    failure = "cannot enter " + spec.directory + ": " + std::strerror(errno);
  } else {
    std::vector<char*> argv;
    for (const auto& word : spec.argv) argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    failure = "cannot run " + spec.argv[0] + ": " + std::strerror(errno);
  }
  const ssize_t ignored = ::write(report_fd, failure.data(), failure.size());
  (void)ignored;
  ::_exit(127);
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() {
  return g_interrupted;
}

ProcessResult run_process(const ProcessSpec& spec) {
  ProcessResult result;
  const auto start = std::chrono::steady_clock::now();
  if (spec.argv.empty()) {
    result.error = "nothing to run";
    return result;
  }
  int out_pipe[2], err_pipe[2], report_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0 || ::pipe(report_pipe) != 0) {
    result.error = std::string("pipe() failed: ") + std::strerror(errno);
    return result;
  }
  for (int fd : {out_pipe[0], err_pipe[0], report_pipe[0], report_pipe[1]}) set_cloexec(fd);

  const pid_t pid = ::fork();
  if (pid < 0) {
    result.error = std::string("fork() failed: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0)
    exec_child(spec, out_pipe[1], spec.merge_output ? out_pipe[1] : err_pipe[1], report_pipe[1]);
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(report_pipe[1]);

  std::string report;
  pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {report_pipe[0], POLLIN, 0}};
  std::string* sinks[3] = {&result.out, &result.err, &report};
  int open_fds = 3;
  int status = 0;
  bool exited = false;
  const auto deadline = start + std::chrono::seconds(spec.timeout_seconds);
  while (!exited || open_fds > 0) {
    if (!exited) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) exited = true;
    }
    if (!exited && !result.timed_out && !result.interrupted) {
      if (spec.timeout_seconds > 0 && std::chrono::steady_clock::now() > deadline) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
      } else if (g_interrupted) {
        result.interrupted = true;
        ::kill(-pid, SIGTERM);
      }
    }
    if (open_fds == 0) {
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    // Once the program has exited, only read what is left (a child it left behind may hold the
    // pipes open for much longer).
    const int ready = ::poll(fds, 3, exited ? 0 : 50);
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 3; ++i) {
      if (fds[i].fd < 0 || (exited && ready <= 0)) continue;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!drain(fds[i].fd, *sinks[i])) {
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

  if (!report.empty()) {
    result.error = report;
    return result;
  }
  result.started = true;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::vector<ProcessResult> run_parallel(const std::vector<ProcessSpec>& specs, std::size_t jobs) {
  std::vector<ProcessResult> results(specs.size());
  std::size_t next = 0;
  std::mutex mutex;
  auto worker = [&] {
    for (;;) {
      std::size_t index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next == specs.size()) return;
        index = next++;
      }
      results[index] = run_process(specs[index]);
    }
  };
  std::vector<std::thread> threads;
  const std::size_t count = std::max<std::size_t>(1, std::min(jobs, specs.size()));
  for (std::size_t i = 0; i < count; ++i) threads.emplace_back(worker);
  for (auto& thread : threads) thread.join();
  return results;
}

std::string exec_program(const std::vector<std::string>& argv) {
  std::vector<char*> words;
  for (const auto& word : argv) words.push_back(const_cast<char*>(word.c_str()));
  words.push_back(nullptr);
  ::execv(words[0], words.data());
  return "cannot run " + argv[0] + ": " + std::strerror(errno);
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

}  // namespace workbook

/// @file
/// Running another program and collecting what it prints: the one process runner of the
/// repository (the workbook tool, the lesson checks and the migration tests all use it).
///
/// Built on posix_spawn: nothing runs in the child between fork and exec except what the C
/// library does for the spawn itself (no allocation, no setenv), so it is safe in a threaded
/// program. Every pipe end is close-on-exec, so children started at the same time from other
/// threads never inherit each other's pipes.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace subprocess {

/// One change to the child's environment: set `name` to a value, or unset it (std::nullopt).
using EnvChange = std::pair<std::string, std::optional<std::string>>;

/// What to run and how.
struct Spec {
  std::vector<std::string> argv;  ///< program and arguments; a program without '/' is looked up
                                  ///< on PATH
  std::string directory;          ///< working directory; empty: the current one
  std::vector<EnvChange> env;     ///< changes on top of this process's environment
  double timeout_seconds = 0;     ///< 0: no limit; else the process group is killed after this
  std::size_t output_limit = 0;   ///< 0: keep everything; else at most this many bytes of each
                                  ///< stream are kept (the rest is read and dropped)
  bool merge_output = false;      ///< stderr goes to `out` too, in order
  /// When it turns true the process group is stopped (SIGTERM, then SIGKILL after 2 s), e.g. a
  /// flag set by a Ctrl-C handler.
  const std::atomic<bool>* cancel = nullptr;
};

/// A Spec that runs `argv` with every other setting at its default.
Spec command(std::vector<std::string> argv);

/// What a run did.
struct Result {
  bool started = false;    ///< false: the program could not be started (see `error`)
  std::string error;       ///< why it could not be started
  int exit_code = -1;      ///< exit status; -1 when killed by a signal
  int signal = 0;          ///< the signal that killed it, 0 if none
  bool timed_out = false;  ///< killed because it ran longer than timeout_seconds
  bool cancelled = false;  ///< stopped because `cancel` turned true
  bool truncated = false;  ///< more output than output_limit was dropped
  std::string out;         ///< stdout (and stderr with merge_output)
  std::string err;         ///< stderr
  double seconds = 0;      ///< wall time

  /// True when it ran and exited with status 0.
  bool ok() const { return started && exit_code == 0; }
  /// The shell's view of the status: the exit code, or 128 + the signal number.
  int status() const { return signal != 0 ? 128 + signal : exit_code; }
};

/// A started child process: its own process group, stdin from /dev/null, stdout and stderr read
/// through pipes. Move-only; destroying one that was not waited for kills its process group.
///
/// @code
/// auto first = subprocess::Process::start({{"migrate_app", "db", "upgrade"}});
/// auto second = subprocess::Process::start({{"migrate_app", "db", "upgrade"}});
/// const subprocess::Result a = first.wait(), b = second.wait();
/// @endcode
class Process {
 public:
  /// Starts `spec`. When it cannot start, wait() returns a Result with started == false.
  static Process start(const Spec& spec);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  /// Reads its output until it exits (or times out, or is cancelled) and returns what it did.
  /// Call once.
  Result wait();
  /// What it has printed on stdout so far, without waiting (wait() returns it too, followed by
  /// the rest): for watching a program that runs on, e.g. until it says it is waiting.
  const std::string& output_so_far();
  /// The child's process id (also its process group id); -1 when it did not start.
  pid_t pid() const { return pid_; }

 private:
  Process() = default;

  Spec spec_;
  Result result_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  double started_at_ = 0;
};

/// Runs one program to its end (or its timeout) and returns what it did.
///
/// @code
/// const auto git = subprocess::run({{"git", "rev-parse", "HEAD"}});
/// if (git.ok()) std::cout << git.out;
/// @endcode
Result run(const Spec& spec);

/// Runs every spec, at most `jobs` at a time (at least one); results in the order of `specs`.
std::vector<Result> run_parallel(const std::vector<Spec>& specs, std::size_t jobs);

/// Starts `argv` in a session of its own with stdin from /dev/null and stdout and stderr appended
/// to `log_path`, and does not wait for it: it goes on after this program exits. Returns "" or why
/// it could not start.
std::string spawn_detached(const std::vector<std::string>& argv, const std::string& log_path);

/// "signal 11, Segmentation fault".
std::string signal_name(int signal);

/// What a program killed by `signal` most likely did, in a sentence for someone new to C++
/// ("" for signals with nothing useful to say).
std::string signal_meaning(int signal);

/// A shell-like rendering of a command line, for messages: words with spaces are quoted.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace subprocess

// Running other programs (cmake, the check programs, git) and collecting what they print.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace workbook {

/// What to run and how.
struct ProcessSpec {
  std::vector<std::string> argv;  ///< program (looked up on PATH) and arguments
  std::string directory;          ///< working directory; empty: the current one
  std::vector<std::pair<std::string, std::string>> env;  ///< variables to set on top of ours
  int timeout_seconds = 0;    ///< 0: no limit; else the process group is killed after this long
  bool merge_output = false;  ///< stderr goes to `out` too, in order
};

/// What a run did.
struct ProcessResult {
  bool started = false;      ///< false: the program could not be started (see `error`)
  std::string error;         ///< why it could not be started
  int exit_code = -1;        ///< exit status; -1 when killed by a signal
  int signal = 0;            ///< the signal that killed it, 0 if none
  bool timed_out = false;    ///< killed because it ran longer than timeout_seconds
  bool interrupted = false;  ///< killed because the user pressed Ctrl-C
  std::string out;           ///< everything written to stdout (and stderr with merge_output)
  std::string err;           ///< everything written to stderr
  double seconds = 0;        ///< wall time

  /// True when it ran and exited with status 0.
  bool ok() const { return started && exit_code == 0; }
};

/// Runs one program to its end (or its timeout) and returns what it did. The program runs in a
/// process group of its own with stdin from /dev/null.
///
/// @code
/// auto git = workbook::run_process({{"git", "rev-parse", "HEAD"}});
/// if (git.ok()) std::cout << git.out;
/// @endcode
ProcessResult run_process(const ProcessSpec& spec);

/// Runs several programs at once, at most `jobs` at a time; results in the order of `specs`.
std::vector<ProcessResult> run_parallel(const std::vector<ProcessSpec>& specs, std::size_t jobs);

/// Installs a Ctrl-C (SIGINT/SIGTERM) handler: running processes are stopped and
/// `interrupted()` turns true. Call once at start-up.
void install_interrupt_handler();
/// True once the user pressed Ctrl-C.
bool interrupted();

/// Replaces this process by `argv` (for `./workbook run`). Returns only on failure, with why.
std::string exec_program(const std::vector<std::string>& argv);

/// A shell-like rendering of a command line, for messages: words with spaces are quoted.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace workbook

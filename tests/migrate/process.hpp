// Do not change this file: it belongs to the migration tests (label: migrate).
//
// Runs the test app (migrate_app) as a separate process and collects what it printed.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "subprocess.hpp"

namespace migrate_testing {

/// What a finished process left: its exit status and its two streams.
struct ProcessResult {
  int status = -1;  ///< exit status, or 128 + signal number
  std::string out;
  std::string err;
};

/// Environment changes for a child: name -> value (an empty value unsets the variable).
using Environment = std::map<std::string, std::string>;

/// A started child process (the repository's process runner, tools/support/subprocess.hpp).
struct RunningProcess {
  pid_t pid = -1;
  std::shared_ptr<subprocess::Process> process;
};

/// Starts `migrate_app args...` in directory `cwd` with `env` applied; does not wait.
RunningProcess start_app(const std::vector<std::string>& args, const std::string& cwd,
                         const Environment& env = {});
/// Waits for a process started by start_app and reads its output.
ProcessResult finish(const RunningProcess& process);
/// start_app + finish.
ProcessResult run_app(const std::vector<std::string>& args, const std::string& cwd,
                      const Environment& env = {});

/// A fresh, empty project folder under this process's scratch directory (a child process's
/// working directory).
std::string fresh_project();

/// The lines of `text` (without their newlines).
std::vector<std::string> lines(const std::string& text);

}  // namespace migrate_testing

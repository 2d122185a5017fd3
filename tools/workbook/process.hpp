// Running other programs (cmake, the check programs, git) for the tool: the repository's process
// runner (tools/support/subprocess.hpp), stopped when the user presses Ctrl-C.
#pragma once

#include <string>
#include <vector>

#include "subprocess.hpp"

namespace workbook {

using ProcessSpec = subprocess::Spec;
using ProcessResult = subprocess::Result;
using subprocess::shell_join;

/// Runs one program to its end (or its timeout); Ctrl-C stops it (the result is `cancelled`).
ProcessResult run_process(ProcessSpec spec);

/// Installs a Ctrl-C (SIGINT/SIGTERM) handler: running processes are stopped and
/// `interrupted()` turns true. Call once at start-up.
void install_interrupt_handler();
/// True once the user pressed Ctrl-C.
bool interrupted();

/// Replaces this process by `argv` (for `./workbook run`). Returns only on failure, with why.
std::string exec_program(const std::vector<std::string>& argv);

}  // namespace workbook

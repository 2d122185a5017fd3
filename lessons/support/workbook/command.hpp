// How the student runs a lesson's program, so that its advice names the command they type. Used
// by the lessons' code; you never need to change this file.
#pragma once

#include <cstdlib>
#include <string>

namespace workbook {

/// The command that runs this program, as the student types it: `./workbook run 04` sets
/// WORKBOOK_COMMAND to "./workbook run 04" (and the checks do the same); a program started
/// by its path gets `fallback`, its own name.
///
/// @code
/// program.name = workbook::command_name("hello_books");
/// // error: ... run `./workbook run 04 db upgrade`
/// @endcode
inline std::string command_name(const char* fallback) {
  const char* command = std::getenv("WORKBOOK_COMMAND");
  return command != nullptr && *command != '\0' ? std::string(command) : std::string(fallback);
}

}  // namespace workbook

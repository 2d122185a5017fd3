// Reading a failed build's output (CMake + Ninja + g++/ld) to show a student the first error.
#pragma once

#include <string>
#include <vector>

namespace workbook {

/// One step Ninja reports as FAILED, with what the compiler or linker printed.
struct FailedStep {
  std::string outputs;             ///< what the step was making, e.g. "lessons/.../main.cpp.o"
  std::vector<std::string> lines;  ///< the compiler's or linker's output
};

/// The first error of a failed step (or of a failed CMake run).
struct BuildError {
  std::string file;  ///< the source file, as the compiler named it ("" when unknown)
  int line = 0;
  int column = 0;
  std::string message;               ///< e.g. "'foo' was not declared in this scope"
  std::vector<std::string> excerpt;  ///< the lines to show: the error and its code snippet
  /// When the error is reported inside someone else's code (the orm library, a system header)
  /// because of the student's code: the student's line that leads there (g++'s "required from
  /// here", or the #include of theirs that brings the header in). Empty otherwise.
  std::string own_file;
  int own_line = 0;

  /// The file and line to fix: the student's own when known, else where the error is.
  const std::string& fix_file() const { return own_file.empty() ? file : own_file; }
  int fix_line() const { return own_file.empty() ? line : own_line; }
};

/// Splits a Ninja log into its FAILED steps, in order.
std::vector<FailedStep> failed_steps(const std::string& log);

/// The first error in `lines` (g++'s "file:line:col: error: ...", a linker error, or a CMake
/// error). When nothing looks like an error, the excerpt is the first lines of output. Files under
/// one of `own_dirs` are the student's: an error in another file that their code leads to
/// (a template instantiated from their line, a header they include) gets `own_file`/`own_line`.
BuildError first_error(const std::vector<std::string>& lines,
                       const std::vector<std::string>& own_dirs = {});

/// The step that most likely belongs to the lesson in `lesson_dir` whose targets are named
/// `target_stems` (e.g. "lesson03" matches lesson03, lesson03_app, check_lesson03): first a step
/// whose errors name a file under `lesson_dir`, then one whose outputs name a target, else the
/// first. nullptr when `steps` is empty.
const FailedStep* step_for_lesson(const std::vector<FailedStep>& steps,
                                  const std::string& lesson_dir,
                                  const std::vector<std::string>& target_stems);

/// True when a FAILED step makes something of one lesson: one of its outputs names one of `stems`
/// as a whole word (e.g. "lesson03" in ".../lesson03_app.dir/app.cpp.o" or
/// "tests/lessons/check_lesson03"), or starts with one of `prefixes` (e.g. "lessons/03_models/").
bool step_belongs_to(const FailedStep& step, const std::vector<std::string>& stems,
                     const std::vector<std::string>& prefixes);

/// The compiler's warnings about files under `folder` in a build log, each with its code lines
/// ("file:line:col: warning: ..." and the snippet after it), at most `max_warnings`.
std::vector<std::string> warnings_in(const std::string& log, const std::string& folder,
                                     std::size_t max_warnings = 3);

/// The lines of a CMake configure failure ("CMake Error at ...") in `log`, or empty.
std::vector<std::string> cmake_errors(const std::string& log);

}  // namespace workbook

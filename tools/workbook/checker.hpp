// Building a lesson and running its checks: what `./workbook`, `check` and `grade` share.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "build_log.hpp"
#include "lessons.hpp"
#include "process.hpp"
#include "results.hpp"

namespace workbook {

class Sandbox;  // grade_sandbox.hpp

/// Whose code the checks run against: the student's lesson or the solution.
enum class Side { lesson, solution };

/// The CMake target names of one lesson: "lesson03"/"check_lesson03" or the solution's.
struct LessonTargets {
  std::string program;  ///< lessonNN or solutionNN
  std::string checks;   ///< check_lessonNN or check_solutionNN
  std::string folder;   ///< the lesson folder they are built from ("" when not known)
};
LessonTargets targets_of(const Lesson& lesson, Side side);

/// Where one lesson stands after building it and running its checks.
struct LessonResult {
  enum class State {
    passed,        ///< every check passed
    failed,        ///< the checks ran; at least one failed
    build_failed,  ///< the lesson (or its checks) did not compile
    crashed,       ///< the check program crashed, hung, or did not run
    missing,       ///< the build has no such lesson (e.g. its folder or CMakeLists.txt is gone)
  };
  Lesson lesson;
  Side side = Side::lesson;
  State state = State::missing;
  std::string folder;                     ///< the lesson folder checked (absolute)
  std::optional<BuildError> build_error;  ///< with build_failed
  std::vector<std::string> warnings;      ///< the compiler's warnings about the lesson's files
  CheckRun run;                           ///< the checks' results (partial when crashed)
  std::string problem;           ///< one line: why the checks could not run (crashed / missing)
  bool no_checks = false;        ///< missing because the lesson has no check program (yet)
  bool not_built = false;        ///< not checked: its first build runs in the background
  std::string program_output;    ///< what the check program printed outside its checks
  double seconds = 0;            ///< time spent running the checks
  bool problem_counted = false;  ///< `problem` is already a failure of the checks it stopped

  bool passed() const { return state == State::passed; }
};

/// Options for Checker.
struct CheckerOptions {
  int timeout_seconds = 120;  ///< per run of a check program (WORKBOOK_CHECK_TIMEOUT)
  std::size_t jobs = 4;       ///< check programs run at once
  bool build = true;          ///< false: use what is built (tests; the targets must exist)
  std::size_t shards = 2;     ///< processes per check program, each running some of its checks
  /// Grading as root: every build step and check program runs confined by this sandbox (its
  /// user, limits and database), the tool's own files stay in its state folder, and check results
  /// are read as untrusted files. Null: everything runs as the tool's user.
  const Sandbox* sandbox = nullptr;
};

/// Builds lessons and runs their checks in one build tree.
///
/// @code
/// workbook::Checker checker{workbook::BuildTree::load("build/dev"), catalog};
/// auto results = checker.check(catalog.lessons(), workbook::Side::lesson);
/// for (const auto& result : results) std::cout << result.lesson.number << " "
///                                               << result.passed() << "\n";
/// @endcode
class Checker {
 public:
  Checker(BuildTree tree, CheckerOptions options = {});

  /// Builds the lessons' programs and checks (one build; a lesson that does not compile does
  /// not stop the others) and runs every check of every lesson that built, in parallel.
  std::vector<LessonResult> check(const std::vector<Lesson>& lessons, Side side);

  /// Builds one target (e.g. lesson04 for `./workbook run 04`). Returns the first error on
  /// failure.
  std::optional<BuildError> build_target(const std::string& target, const std::string& folder);

  /// Runs a built check program, every check even after a crash, and returns its results.
  CheckRun run_checks(const std::string& program, const std::string& results_stem,
                      std::string& program_output, std::string& problem);

  /// Removes the object files of `lessons` (both sides) built from other contents than their
  /// files hold now, and records those contents (source_record.hpp): what a build by Ninja alone
  /// (./workbook setup, ./workbook test) needs first, so that the checks later rebuild nothing.
  void follow_contents_of(const std::vector<Lesson>& lessons);

  const BuildTree& tree() const { return tree_; }

 private:
  // Runs the checks called `names` (all of them when `select` is false), again for those not
  // reached when the program crashes or hangs.
  CheckRun run_group(const std::string& program, const std::vector<std::string>& names,
                     const std::string& results_stem, bool select, std::string& program_output,
                     std::string& problem);
  // Builds `targets` (one lesson each); for each says whether it built, or its first error.
  std::vector<std::optional<BuildError>> build(const std::vector<LessonTargets>& targets);
  std::string state_dir() const;
  // Runs `spec` in the sandbox, when there is one.
  void confine(ProcessSpec& spec) const;
  // Removes the object files of lessons whose files changed in a way Ninja cannot see (content
  // with an old time: cp -a, an unpacked archive); see source_record.hpp.
  void follow_contents(const std::vector<LessonTargets>& targets);
  // The folder `lesson` is built from on `side`; "" when the build has no such side (no
  // solutions).
  std::string folder_of(const Lesson& lesson, Side side) const;
  // Where the students' files are (a compile error is traced back to them).
  std::vector<std::string> own_dirs() const;

  BuildTree tree_;
  CheckerOptions options_;
};

/// Why the checks cannot use the database (one line, with the fix), or nullopt when the server
/// in DATABASE_URL answers.
std::optional<std::string> database_problem();

/// The connection URL the checks use: DATABASE_URL, which ./workbook sets to the server it runs
/// ("" when unset: database_problem() says so; no port or URL is ever guessed).
std::string database_url();

/// Holds an exclusive lock (flock) on a file while it lives: two ./workbook commands (say `watch`
/// and `check`) must not run Ninja in the same build tree at once.
class FileLock {
 public:
  /// Waits for the lock; when another process holds it, first prints `waiting` (if not empty)
  /// on stderr, so a wait never looks like a hang.
  explicit FileLock(const std::string& path, const std::string& waiting = {});
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

/// Calls fn(0) ... fn(count - 1), at most `jobs` at a time (on threads; fn must be thread-safe).
void parallel_for(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& fn);

/// `path` relative to `base` when it lies inside it, else `path` unchanged.
std::string relative_to(const std::string& path, const std::string& base);

}  // namespace workbook

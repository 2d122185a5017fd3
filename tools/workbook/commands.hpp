// The student and instructor commands of ./workbook (the bash script hands them to this tool).
#pragma once

#include <string>
#include <vector>

#include "checker.hpp"
#include "grade.hpp"
#include "lessons.hpp"
#include "render.hpp"

namespace workbook {

/// Exit codes of workbook-tool, the same for every command.
enum Exit : int {
  kOk = 0,           ///< done: every check passed (or the command did what it should)
  kNotDone = 1,      ///< a check failed (or a lesson is not done, or a verification failed)
  kBuildFailed = 2,  ///< the lesson does not compile (check, run) or the build could not be set up
  kNoDatabase = 3,   ///< PostgreSQL cannot be reached: nothing was checked
  kCrashed = 4,      ///< the checks crashed, hung or did not run
  kUsage = 64,       ///< bad command line or input (e.g. an unknown lesson)
  kInterrupted = 130,
};

/// What every command needs: the build tree, the lessons and how to print.
struct Context {
  BuildTree tree;
  Catalog catalog;
  Style style;
  Paths paths;
  std::string state_dir;  ///< <project>/.workbook: hints, progress, backups
  CheckerOptions options;

  /// Loads the tree at `build_dir` and the lessons it names. Throws std::runtime_error.
  static Context load(const std::string& build_dir);
  /// The lesson called `key`, or throws std::invalid_argument naming the lessons there are.
  const Lesson& lesson(const std::string& key) const;
};

/// `./workbook`: builds, checks every lesson, shows progress and the next step. `watching`: for
/// `./workbook watch`, whose next step is saving a file.
int progress(Context& context, bool watching = false);
/// `./workbook check NN [--solution]`: every check of one lesson, with every failure.
int check(Context& context, const std::string& key, bool solution);
/// `./workbook list`: the lessons, their files and their last known state.
int list(Context& context);
/// `./workbook hint NN [STEP] [--all]`: one more hint of a step each time (without STEP: of the
/// first step with hints not seen yet), or every hint.
int hint(Context& context, const std::string& key, const std::string& step, bool all);
/// `./workbook watch`: progress again each time a file in lessons/ is saved.
int watch(Context& context);
/// `./workbook reset NN [--yes]`: restores a lesson's starter from git, after a backup.
int reset(Context& context, const std::string& key, bool yes);
/// `./workbook run NN [args...]`: builds and runs the lesson's program.
int run(Context& context, const std::string& key, const std::vector<std::string>& args);
/// `workbook-tool verify starter NN`: the starter's checks fail, by assertion.
int verify_starter(Context& context, const std::string& key);
/// `workbook-tool verify diffs`: solutions differ from lessons only under TODO comments.
int verify_diffs(Context& context);

}  // namespace workbook

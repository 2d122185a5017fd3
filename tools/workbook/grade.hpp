// `./workbook grade`: marks for one student's checkout, or for a whole class.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "checker.hpp"
#include "grade_sandbox.hpp"
#include "render.hpp"

namespace workbook {

struct Context;

/// How to grade (the command line's options).
struct GradeOptions {
  std::string out;             ///< class: the folder for the summary and the JUnit files
  std::size_t jobs = 1;        ///< class: students graded at once
  SandboxLimits limits;        ///< as root: what each submission may use
  std::string compiler_cache;  ///< as root: the ccache folder warm_compiler_cache() filled
};

/// One student's marks.
struct GradedStudent {
  std::string name;                   ///< the checkout's folder name (as a file name)
  std::string folder;                 ///< the checkout (absolute when it exists)
  std::vector<LessonResult> results;  ///< every check of every lesson (also when `problem`)
  std::string problem;                ///< why it could not be built or checked at all ("": none)
  Paths paths;                        ///< how its files are shown
  double seconds = 0;                 ///< time to grade it
};

/// As root, with ccache installed: builds the instructor's own lessons (trusted code only: no
/// student's, no solution) in <build>/grade-base, ccache filling <build>/grade-cache, so that each
/// submission's build takes the library, the check harness and the precompiled headers from that
/// cache, read-only. Returns the cache folder, or "" (not root, no ccache, or the warm-up could not
/// configure: submissions then build everything).
std::string warm_compiler_cache(const Context& context);

/// Grades the checkout in `folder`, building in `work_dir` (as root: that folder also holds the
/// submission's private copy of its lessons, see Sandbox). Never throws: a checkout that cannot
/// be graded has `problem` set and every check failed with that reason.
GradedStudent grade_student(Context& context, const std::string& folder,
                            const std::string& work_dir, const GradeOptions& options);

/// `./workbook grade PATH [--junit FILE] [--grade-dir DIR]`: one checkout, a table of every check.
int grade(Context& context, const std::string& path, const std::string& junit,
          const std::string& grade_build_dir, const GradeOptions& options);

/// `./workbook grade DIR... --out FOLDER`: every checkout in DIR... (each a checkout or a folder
/// of checkouts), `jobs` at a time; writes summary.md, summary.csv and junit/<student>.xml.
int grade_class(Context& context, const std::vector<std::string>& folders,
                const GradeOptions& options);

/// The folders to grade in `folders`: each one that holds lessons/ is a checkout; one that does
/// not, but has a sub-folder that does, is a class (every sub-folder, hidden ones aside, is a
/// checkout); any other is graded as a checkout, so that its row says what is wrong with it.
std::vector<std::string> checkouts_in(const std::vector<std::string>& folders);

/// Builds the lessons in `lessons` (a student's checkout) in the grading tree `build_dir` and
/// runs every check (confined by `sandbox` when not null). A lesson that did not run all its
/// checks has each missing one as a failed check saying why (a compile error, a missing folder, a
/// crash), so every submission has the same checks. `problem` is set when the tree cannot be
/// configured; `paths` shows the student's files.
std::vector<LessonResult> grade_checkout(Context& context, const std::string& lessons,
                                         const std::string& build_dir, std::string& problem,
                                         Paths& paths, const Sandbox* sandbox = nullptr);

}  // namespace workbook

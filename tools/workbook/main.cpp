// workbook-tool: the student and instructor commands of ./workbook.
//
// The ./workbook script sets up the machine and the database, exports DATABASE_URL and
// TEST_DATABASE_URL, and hands these commands over:
//
//   ./workbook                     progress through the lessons and the next step
//   ./workbook check NN            every check of lesson NN (--solution: of its solution)
//   ./workbook list | hint NN [STEP] | watch | reset NN | run NN [args...]
//   ./workbook grade PATH          every check of a student's checkout (instructors)
//   ./workbook grade DIR... --out FOLDER   a whole class: a summary and a JUnit file each
//   ./workbook grade ... --lessons 01,02   only the lessons due so far
//
// Exit codes: see workbook::Exit in commands.hpp.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "checker.hpp"
#include "commands.hpp"
#include "process.hpp"

namespace {

// The build tree: --build-dir, else WORKBOOK_BUILD_DIR, else the tree this program was built
// in (it lives in <build>/tools/workbook/).
std::string default_build_dir() {
  if (const char* dir = std::getenv("WORKBOOK_BUILD_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (auto dir = self.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "workbook-tool.json")) return dir.string();
    }
  }
  return "build/dev";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "The hello_books workbook's student and instructor commands (run them as ./workbook ...).\n"
      "Without a command: build, check every lesson, show your progress and the next step."};
  app.name("workbook");
  std::string build_dir = default_build_dir();
  app.add_option("--build-dir", build_dir, "The CMake build tree (default: build/dev)");
  bool no_build = false;
  app.add_flag("--no-build", no_build,
               "Do not build: check what is built (the workbook's own tests use this)");
  app.require_subcommand(0, 1);
  app.fallthrough();

  std::string lesson;
  bool solution = false, all = false, yes = false;
  auto* check = app.add_subcommand("check", "Every check of one lesson, with every failure");
  check->add_option("lesson", lesson, "The lesson: 01, 1 or 01_create_db")->required();
  check->add_flag("--solution", solution, "Check the lesson's solution instead of your code");

  auto* list = app.add_subcommand("list", "The lessons, their files and where you stand");

  auto* hint = app.add_subcommand(
      "hint", "One more hint for a lesson each time you ask (the hints come from lessons.json)");
  hint->add_option("lesson", lesson, "The lesson")->required();
  std::string step;
  hint->add_option("step", step,
                   "The step of the lesson text: 2, your-turn (default: where the lesson's last "
                   "check stopped, else the first step with hints not seen yet)");
  hint->add_flag("--all", all, "Every hint at once");

  auto* watch = app.add_subcommand("watch", "Check again each time you save a file in lessons/");

  auto* reset = app.add_subcommand(
      "reset", "Put a lesson's starter back (asks first; keeps your files in .workbook/backup/)");
  reset->add_option("lesson", lesson, "The lesson")->required();
  reset->add_flag("-y,--yes", yes, "Do not ask");

  auto* run = app.add_subcommand("run", "Build and run a lesson's program: run 04 db upgrade");
  run->add_option("lesson", lesson, "The lesson")->required();

  std::vector<std::string> paths;
  std::string junit, grade_dir;
  workbook::GradeOptions grading;
  grading.jobs = std::max(1u, std::thread::hardware_concurrency() / 2);
  double check_timeout = 0;
  std::vector<std::string> graded_lessons;
  auto* grade = app.add_subcommand(
      "grade",
      "Instructors: check every lesson of a student's checkout, or of a whole class (never "
      "modifies them)");
  grade
      ->add_option("paths", paths,
                   "Student checkouts (folders with lessons/), or folders of checkouts")
      ->required();
  grade->add_option("--junit", junit,
                    "One checkout: also write the results as JUnit XML to this file");
  grade->add_option("--grade-dir", grade_dir,
                    "One checkout: the folder to build in (default: build/grade-<folder name>)");
  grade->add_option("--out", grading.out,
                    "A class: the folder for summary.md, summary.csv and junit/<student>.xml "
                    "(default: grades); given with one checkout, grades it as a class of one");
  grade
      ->add_option("-j,--jobs", grading.jobs,
                   "A class: students graded at once (default: half the cores, at least 1)")
      ->check(CLI::PositiveNumber);
  grade
      ->add_option("--lessons", graded_lessons,
                   "Grade only these lessons, e.g. --lessons 01,02,03,04 (the lessons due so "
                   "far; default: every lesson)")
      ->delimiter(',');
  grade
      ->add_option("--timeout", check_timeout,
                   "Seconds one check program may run before it is stopped (default: "
                   "WORKBOOK_CHECK_TIMEOUT, else 120)")
      ->check(CLI::PositiveNumber);
  grade
      ->add_option("--output-limit", grading.limits.output_limit,
                   "As root: bytes kept of each output stream of each program (default 1 MiB)")
      ->check(CLI::PositiveNumber);

  auto* verify = app.add_subcommand("verify", "For the workbook's own tests");
  verify->require_subcommand(1);
  auto* starter = verify->add_subcommand(
      "starter", "The lesson's checks fail on the starter, by assertion (not crash or error)");
  starter->add_option("lesson", lesson, "The lesson")->required();
  auto* diffs = verify->add_subcommand(
      "diffs", "Each solution differs from its lesson only right under TODO comments");
  auto* follow = app.add_subcommand(
      "follow-contents",
      "Before a build by Ninja alone (./workbook setup, test): forget objects built from other "
      "contents, and record the lessons' contents, so that checks rebuild nothing");
  follow->group("");  // not a student's command: ./workbook runs it

  // `run NN ...`: everything after the lesson belongs to the lesson's program, even --help.
  std::vector<std::string> program_args;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--build-dir") {
      ++i;
    } else if (word == "run") {
      if (i + 2 < argc) {
        program_args.assign(argv + i + 2, argv + argc);
        argc = i + 2;
      }
      break;
    } else if (word.empty() || word[0] != '-') {
      break;  // another command
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : workbook::kUsage;
  }
  workbook::install_interrupt_handler();

  try {
    workbook::Context context = workbook::Context::load(build_dir);
    if (no_build) context.options.build = false;
    if (*check) return workbook::check(context, lesson, solution);
    if (*list) return workbook::list(context);
    if (*hint) return workbook::hint(context, lesson, step, all);
    if (*watch) return workbook::watch(context);
    if (*reset) return workbook::reset(context, lesson, yes);
    if (*run) return workbook::run(context, lesson, program_args);
    if (*grade) {
      if (check_timeout > 0) context.options.timeout_seconds = static_cast<int>(check_timeout);
      if (!graded_lessons.empty()) context.catalog = context.catalog.only(graded_lessons);
      // One checkout (or one folder that is neither a checkout nor a class: its error).
      const bool one =
          paths.size() == 1 && grading.out.empty() && workbook::checkouts_in(paths) == paths;
      if (one) return workbook::grade(context, paths[0], junit, grade_dir, grading);
      if (!junit.empty() || !grade_dir.empty()) {
        throw std::invalid_argument(
            "--junit and --grade-dir are for one checkout; a class gets one JUnit file per "
            "student in --out FOLDER/junit/");
      }
      return workbook::grade_class(context, paths, grading);
    }
    if (*starter) return workbook::verify_starter(context, lesson);
    if (*diffs) return workbook::verify_diffs(context);
    if (*follow) {
      workbook::Checker(context.tree, context.options)
          .follow_contents_of(context.catalog.lessons());
      return workbook::kOk;
    }
    return workbook::progress(context);
  } catch (const std::invalid_argument& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "error: %s\n", e.what());
    return workbook::kUsage;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "error: %s\n", e.what());
    return workbook::kCrashed;
  }
}

#include "commands.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>

#include "command_text.hpp"
#include "junit.hpp"
#include "lines.hpp"
#include "process.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

std::string cache_value(const std::string& build_dir, const std::string& key) {
  try {
    for (const auto& line : split_lines(read_file(build_dir + "/CMakeCache.txt"))) {
      if (line.rfind(key + ":", 0) == 0) {
        const auto eq = line.find('=');
        return eq == std::string::npos ? "" : line.substr(eq + 1);
      }
    }
  } catch (const std::exception&) {
  }
  return "\x01";  // no cache, or no such entry
}

std::string safe_name(const std::string& text) {
  std::string name;
  for (char c : text)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return name.empty() ? "student" : name;
}

// Configures `build_dir` (when needed) as a build tree of the instructor's project whose lessons
// come from `lessons`. Returns "" or the error (and writes configure.log).
std::string configure_grade_tree(const Context& context, const std::string& lessons,
                                 const std::string& build_dir, const Sandbox* sandbox,
                                 bool compiler_cache = false,
                                 const std::vector<subprocess::EnvChange>& env = {}) {
  if (cache_value(build_dir, "WORKBOOK_LESSONS_DIR") == lessons &&
      fs::exists(build_dir + "/build.ninja")) {
    return "";
  }
  ProcessSpec configure;
  configure.argv = {"cmake",
                    "-S",
                    context.tree.source_dir,
                    "-B",
                    build_dir,
                    "-G",
                    "Ninja",
                    "-DCMAKE_BUILD_TYPE=Debug",
                    "-DWORKBOOK_LESSONS_DIR=" + lessons,
                    "-DWORKBOOK_SOLUTIONS_DIR=",
                    "-DWORKBOOK_DOCS=OFF",
                    "-DWORKBOOK_BENCH=OFF"};
  if (compiler_cache) configure.argv.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache");
  configure.env = env;
  configure.merge_output = true;
  if (sandbox != nullptr) sandbox->confine(configure);
  const ProcessResult result = run_process(configure);
  const std::string log_dir = sandbox != nullptr ? sandbox->state_dir() : build_dir;
  fs::create_directories(log_dir);
  write_file(log_dir + "/configure.log", result.out);
  if (result.ok()) return "";
  std::string text =
      "cmake could not configure the grading build; see " + log_dir + "/configure.log";
  for (const auto& line : cmake_errors(result.out)) text += "\n  " + line;
  return text;
}

// The names of a lesson's checks, known without compiling the student's code: the solution's
// check program in the instructor's build tree lists them (built first when needed). Empty when
// this tree has no solutions.
std::vector<std::string> check_names(const Context& context, const Lesson& lesson) {
  const std::string target = targets_of(lesson, Side::solution).checks;
  const auto program = context.tree.target_file(target);
  if (!program) return {};
  if (!fs::exists(*program)) {
    ProcessSpec build;
    build.argv = context.tree.build_command({target}, false);
    build.directory = context.tree.build_dir;
    build.merge_output = true;
    if (!run_process(build).ok()) return {};
  }
  ProcessSpec list;
  list.argv = {*program, "--list-test-names-only"};
  list.timeout_seconds = 60;
  std::vector<std::string> names;
  for (const auto& line : split_lines(run_process(list).out)) {
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

// Every check in `names` that did not run gets a failed check saying why (the lesson does not
// compile, is missing, or its check program died before it), so that every submission has the
// same number of checks.
void complete_checks(LessonResult& result, const std::vector<std::string>& names,
                     const Paths& paths) {
  Failure why;
  if (result.state == LessonResult::State::build_failed) {
    why.kind = Failure::Kind::build;
    why.message = "does not compile: " + build_error_summary(*result.build_error, paths);
  } else if (result.state == LessonResult::State::missing) {
    why.kind = Failure::Kind::missing;
    why.message = result.problem;
  } else {
    why.kind = Failure::Kind::crash;
    why.message = "did not run: " + (result.problem.empty()
                                         ? std::string("the check program stopped before it")
                                         : result.problem);
  }
  std::vector<Check> checks;
  for (const auto& name : names) {
    const auto ran = std::find_if(result.run.checks.begin(), result.run.checks.end(),
                                  [&](const Check& check) { return check.name == name; });
    if (ran != result.run.checks.end()) {
      checks.push_back(*ran);
      continue;
    }
    Check check;
    check.name = name;
    check.finished = true;
    check.failures.push_back(why);
    checks.push_back(check);
  }
  for (const auto& check : result.run.checks) {  // checks the manifest does not know (kept)
    if (std::find(names.begin(), names.end(), check.name) == names.end()) checks.push_back(check);
  }
  result.run.checks = std::move(checks);
  result.problem_counted = true;
}

// Every check of every lesson, failed because the checkout could not be graded at all.
std::vector<LessonResult> unchecked(const Context& context, const std::string& problem) {
  std::vector<LessonResult> results;
  for (const auto& lesson : context.catalog.lessons()) {
    LessonResult result;
    result.lesson = lesson;
    result.state = LessonResult::State::missing;
    result.problem = problem;
    complete_checks(result, check_names(context, lesson), context.paths);
    results.push_back(result);
  }
  return results;
}

struct Marks {
  int lessons_passed = 0;
  int checks_passed = 0;
  int checks_total = 0;
};

// The table: one row per check, and the marks.
std::string grade_table(const std::vector<LessonResult>& results, const Paths& paths,
                        const Style& style, Marks& marks) {
  std::string out;
  for (const auto& result : results) {
    marks.lessons_passed += result.passed() ? 1 : 0;
    std::string verdict = state_words(result);
    if (result.state == LessonResult::State::passed) verdict = "pass";
    out += style.bold("lesson " + result.lesson.number + "  " + result.lesson.title) + "  " +
           (result.passed() ? style.green(verdict) : style.red(verdict)) + "\n";
    if (result.run.checks.empty()) {  // no list of checks to fill in: one row for the lesson
      ++marks.checks_total;
      out += "  " + style.red("FAIL") + "  " +
             (result.state == LessonResult::State::build_failed
                  ? "build: " + build_error_summary(*result.build_error, paths)
                  : result.problem) +
             "\n\n";
      continue;
    }
    for (const auto& check : result.run.checks) {
      ++marks.checks_total;
      marks.checks_passed += check.passed ? 1 : 0;
      out += "  " + (check.passed ? style.green("pass") : style.red("FAIL")) + "  " + check.name +
             "\n";
      if (const Failure* failure = first_failure(check); failure && !check.passed) {
        out += "        " + style.dim(failure_summary(*failure, paths)) + "\n";
      }
    }
    if (!result.problem.empty() && !result.problem_counted) {
      ++marks.checks_total;
      out += "  " + style.red("FAIL") + "  " + result.problem + "\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::vector<LessonResult> grade_checkout(Context& context, const std::string& lessons,
                                         const std::string& build_dir, std::string& problem,
                                         Paths& paths, const Sandbox* sandbox) {
  problem = configure_grade_tree(context, lessons, build_dir, sandbox,
                                 sandbox != nullptr && sandbox->uses_compiler_cache());
  if (!problem.empty()) return {};
  Context graded = context;
  try {
    graded.tree = BuildTree::load(build_dir);
  } catch (const std::exception& e) {
    problem = e.what();
    return {};
  }
  graded.paths.lessons_dir = lessons;
  paths = graded.paths;
  CheckerOptions options = context.options;
  options.sandbox = sandbox;
  Checker checker(graded.tree, options);
  auto results = checker.check(context.catalog.lessons(), Side::lesson);
  for (auto& result : results) {
    if (!result.passed()) complete_checks(result, check_names(context, result.lesson), paths);
  }
  return results;
}

std::string warm_compiler_cache(const Context& context) {
  if (!Sandbox::wanted() || !subprocess::run(subprocess::command({"ccache", "--version"})).ok()) {
    return "";
  }
  const std::string cache = context.tree.build_dir + "/grade-cache";
  const std::string base = context.tree.build_dir + "/grade-base";
  fs::create_directories(cache);
  fs::create_directories(base);
  fs::permissions(cache, fs::perms(0755));
  // One warm-up at a time (graders and tests may start together); later ones find it built.
  FileLock lock(base + ".lock");
  auto env = compiler_cache_env(cache, base, false);
  env.emplace_back("CCACHE_UMASK", "022");  // readable by the submissions' users
  const std::string problem =
      configure_grade_tree(context, context.tree.source_dir + "/lessons", base, nullptr, true, env);
  if (problem.empty()) {
    ProcessSpec build;
    build.argv = {"cmake", "--build", base, "--target"};
    for (const auto& lesson : context.catalog.lessons()) {
      const LessonTargets targets = targets_of(lesson, Side::lesson);
      build.argv.push_back(targets.program);
      build.argv.push_back(targets.checks);
    }
    for (const char* word : {"--", "-k", "0"}) build.argv.push_back(word);
    build.merge_output = true;
    build.env = env;
    write_file(base + "/warm-up.log", run_process(build).out);
  }
  return problem.empty() ? cache : "";
}

GradedStudent grade_student(Context& context, const std::string& folder,
                            const std::string& work_dir, const GradeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  GradedStudent graded;
  graded.folder = folder;
  graded.name = safe_name(fs::path(folder).filename().string());
  const auto finish = [&] {
    if (graded.results.empty()) graded.results = unchecked(context, graded.problem);
    graded.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return graded;
  };
  std::error_code error;
  const fs::path student = fs::canonical(folder, error);
  if (error || !fs::is_directory(student)) {
    graded.problem = "there is no folder " + folder;
    return finish();
  }
  const fs::path lessons = student / "lessons";
  if (!fs::is_directory(lessons, error)) {
    graded.problem = "no lessons/ folder (not a workbook checkout)";
    return finish();
  }
  graded.folder = student.string();
  try {
    std::unique_ptr<Sandbox> sandbox;
    std::string lessons_dir = lessons.string();
    std::string build_dir = work_dir;
    if (Sandbox::wanted()) {
      sandbox = std::make_unique<Sandbox>(student.string(), work_dir, options.limits);
      if (!options.compiler_cache.empty()) sandbox->use_compiler_cache(options.compiler_cache);
      sandbox->stage_lessons(lessons_dir);
      lessons_dir = sandbox->lessons_dir();
      build_dir = sandbox->build_dir();
    }
    graded.results = grade_checkout(context, lessons_dir, build_dir, graded.problem, graded.paths,
                                    sandbox.get());
    if (sandbox) {
      if (const std::size_t left = sandbox->stop_processes(); left > 0) {
        graded.problem = std::to_string(left) + " of its processes could not be stopped";
      }
    }
  } catch (const std::exception& e) {
    graded.problem = std::string("could not be graded: ") + e.what();
    graded.results.clear();
  }
  if (!graded.results.empty() && !graded.problem.empty()) graded.results.clear();
  return finish();
}

int grade(Context& context, const std::string& path, const std::string& junit,
          const std::string& grade_build_dir, const GradeOptions& options) {
  const Style& style = context.style;
  std::error_code error;
  const fs::path student = fs::canonical(path, error);
  if (error || !fs::is_directory(student)) {
    error_line("there is no folder " + path + " to grade: give the path of a student's checkout");
    return kUsage;
  }
  const std::string lessons = (student / "lessons").string();
  if (!fs::is_directory(lessons)) {
    error_line(student.string() + " has no lessons/ folder: give the root of a student's checkout");
    return kUsage;
  }
  if (const auto problem = database_problem()) return report_database(*problem);

  const std::string build_dir =
      grade_build_dir.empty()
          ? context.tree.source_dir + "/build/grade-" + safe_name(student.filename().string())
          : fs::absolute(grade_build_dir).lexically_normal().string();
  print(style.bold("Grading " + student.string()) +
        "\n  build tree: " + context.paths.show(build_dir) + "\n  building and checking " +
        std::to_string(context.catalog.lessons().size()) + " lessons ...\n\n");
  std::fflush(stdout);

  GradeOptions grading = options;
  grading.compiler_cache = warm_compiler_cache(context);
  const GradedStudent graded = grade_student(context, student.string(), build_dir, grading);
  if (!graded.problem.empty()) {
    error_line(graded.problem);
    return kBuildFailed;
  }
  if (interrupted()) return kInterrupted;

  Marks marks;
  std::string out = grade_table(graded.results, graded.paths, style, marks);
  const bool all = marks.lessons_passed == static_cast<int>(graded.results.size());
  out += style.bold("Result: ") +
         (all ? style.green("every lesson passes") : style.red("not every lesson passes")) + ": " +
         std::to_string(marks.lessons_passed) + "/" + std::to_string(graded.results.size()) +
         " lessons, " + std::to_string(marks.checks_passed) + "/" +
         std::to_string(marks.checks_total) + " checks.\n";
  if (!junit.empty()) {
    try {
      write_file(junit, junit_xml(graded.results, student.string(), graded.paths));
      out += "JUnit XML: " + junit + "\n";
    } catch (const std::exception& e) {
      print(out);
      error_line(std::string(e.what()) + ": choose another --junit file");
      return kUsage;
    }
  }
  print(out);
  return all ? kOk : kNotDone;
}

}  // namespace workbook

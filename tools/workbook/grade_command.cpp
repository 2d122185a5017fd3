#include "commands.hpp"

#include <cctype>
#include <filesystem>

#include "junit.hpp"
#include "process.hpp"
#include "todo_diff.hpp"

#include "command_text.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

// grade

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

}  // namespace

int grade(Context& context, const std::string& path, const std::string& junit,
          const std::string& grade_build_dir) {
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
        "\n  build tree: " + context.paths.show(build_dir) + "\n");
  std::fflush(stdout);

  // A build tree of the instructor's project whose lessons come from the student's folder.
  if (cache_value(build_dir, "WORKBOOK_LESSONS_DIR") != lessons ||
      !fs::exists(build_dir + "/build.ninja")) {
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
    configure.merge_output = true;
    const ProcessResult result = run_process(configure);
    fs::create_directories(build_dir);
    write_file(build_dir + "/configure.log", result.out);
    if (!result.ok()) {
      error_line("cmake could not configure the grading build; see " + build_dir +
                 "/configure.log");
      for (const auto& line : cmake_errors(result.out))
        std::fprintf(stderr, "  %s\n", line.c_str());
      return kBuildFailed;
    }
  }
  Context graded = context;
  try {
    graded.tree = BuildTree::load(build_dir);
  } catch (const std::exception& e) {
    error_line(e.what());
    return kBuildFailed;
  }
  graded.paths.lessons_dir = lessons;
  print("  building and checking " + std::to_string(context.catalog.lessons().size()) +
        " lessons ...\n\n");
  std::fflush(stdout);

  Checker checker(graded.tree, context.options);
  const auto results = checker.check(context.catalog.lessons(), Side::lesson);
  if (interrupted()) return kInterrupted;

  // The table: one row per check.
  int lessons_passed = 0, checks_passed = 0, checks_total = 0;
  std::string out;
  for (const auto& result : results) {
    lessons_passed += result.passed() ? 1 : 0;
    std::string verdict = state_words(result);
    if (result.state == LessonResult::State::passed) verdict = "pass";
    out += style.bold("lesson " + result.lesson.number + "  " + result.lesson.title) + "  " +
           (result.passed() ? style.green(verdict) : style.red(verdict)) + "\n";
    if (result.state == LessonResult::State::build_failed) {
      ++checks_total;
      out += "  " + style.red("FAIL") +
             "  build: " + build_error_summary(*result.build_error, graded.paths) + "\n";
    } else if (result.state == LessonResult::State::missing) {
      ++checks_total;
      out += "  " + style.red("FAIL") + "  " + result.problem + "\n";
    }
    for (const auto& check : result.run.checks) {
      ++checks_total;
      checks_passed += check.passed ? 1 : 0;
      out += "  " + (check.passed ? style.green("pass") : style.red("FAIL")) + "  " + check.name +
             "\n";
      if (const Failure* failure = first_failure(check); failure && !check.passed) {
        out += "        " + style.dim(failure_summary(*failure, graded.paths)) + "\n";
      }
    }
    if (!result.problem.empty() && result.state != LessonResult::State::missing) {
      ++checks_total;
      out += "  " + style.red("FAIL") + "  " + result.problem + "\n";
    }
    out += "\n";
  }
  const bool all = lessons_passed == static_cast<int>(results.size());
  out += style.bold("Result: ") +
         (all ? style.green("every lesson passes") : style.red("not every lesson passes")) + ": " +
         std::to_string(lessons_passed) + "/" + std::to_string(results.size()) + " lessons, " +
         std::to_string(checks_passed) + "/" + std::to_string(checks_total) + " checks.\n";
  if (!junit.empty()) {
    try {
      write_file(junit, junit_xml(results, student.string(), graded.paths));
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

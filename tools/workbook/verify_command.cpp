#include "commands.hpp"

#include "todo_diff.hpp"

#include "command_text.hpp"

namespace workbook {

int verify_starter(Context& context, const std::string& key) {
  const Lesson& lesson = context.lesson(key);
  if (const auto problem = database_problem()) return report_database(*problem);
  Checker checker(context.tree, context.options);
  const auto result = checker.check({lesson}, Side::lesson).front();
  const int by_assertion = result.run.failures_of(Failure::Kind::assertion);
  const std::string shown = lesson_path(context, lesson);
  if (result.state == LessonResult::State::failed && by_assertion > 0) {
    print("ok: the checks of lesson " + lesson.number + " fail on the starter in " + shown + " (" +
          std::to_string(result.run.failed()) + " of " +
          plural(static_cast<int>(result.run.checks.size()), "check") + " fail; " +
          plural(by_assertion, "failed assertion") + ").\n");
    for (const auto& check : result.run.checks) {
      if (!check.passed && !check.failures.empty()) {
        print("  " + check.name + "\n    " +
              failure_summary(check.failures.front(), context.paths) + "\n");
      }
    }
    return kOk;
  }
  std::string why;
  switch (result.state) {
    case LessonResult::State::passed:
      why = "every check passes on " + shown +
            ": either the checks cannot fail, or the folder holds a solution rather than the "
            "starter (this test checks the starters as committed)";
      break;
    case LessonResult::State::failed:
      why =
          "its checks fail only by exceptions, never by an assertion: a check should say what "
          "it expected";
      break;
    case LessonResult::State::build_failed:
      why = "the starter does not compile: " +
            build_error_summary(*result.build_error, context.paths);
      break;
    case LessonResult::State::crashed:
    case LessonResult::State::missing:
      why = "the checks did not run to their end: " +
            (result.problem.empty() ? std::string("a check crashed or hung") : result.problem);
      break;
  }
  print(describe_problem(context, result, true));
  error_line("lesson " + lesson.number + "'s starter is not failing its checks cleanly: " + why);
  return kNotDone;
}

int verify_diffs(Context& context) {
  if (context.tree.solutions_dir.empty()) {
    error_line("this build has no solutions (WORKBOOK_SOLUTIONS_DIR is empty)");
    return kUsage;
  }
  int problems = 0;
  for (const auto& lesson : context.catalog.lessons()) {
    const std::string lesson_dir = context.tree.lessons_dir + "/" + lesson.directory;
    const std::string solution_dir = context.tree.solutions_dir + "/" + lesson.directory;
    const auto found = compare_folders(lesson_dir, solution_dir, lesson.generated);
    if (found.empty()) {
      print("ok: " + lesson.number + " " + lesson.directory +
            ": the solution changes only lines under TODO comments\n");
      continue;
    }
    for (const auto& problem : found) {
      ++problems;
      std::string where = relative_to(lesson_dir, context.tree.source_dir);
      if (!problem.file.empty()) where += "/" + problem.file;
      if (problem.line > 0) where += ":" + std::to_string(problem.line);
      print("FAIL: " + where + ": " + problem.message + "\n");
      for (const auto& line : problem.hunk) print("    " + line + "\n");
    }
  }
  if (problems > 0) {
    error_line(plural(problems, "difference") +
               " between lessons and solutions outside TODO places: put a TODO comment right "
               "above each place the student changes, and keep it in the solution");
    return kNotDone;
  }
  return kOk;
}

}  // namespace workbook

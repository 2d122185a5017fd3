#include "commands.hpp"

#include <algorithm>
#include <thread>

#include "process.hpp"

#include "command_text.hpp"

namespace workbook {

int check(Context& context, const std::string& key, bool solution) {
  const Lesson& lesson = context.lesson(key);
  if (const auto problem = database_problem()) return report_database(*problem);
  // One lesson: its checks run in a few processes at once (each has its own database).
  CheckerOptions options = context.options;
  options.shards = std::min(4u, std::max(2u, std::thread::hardware_concurrency() + 1));
  Checker checker(context.tree, options);
  const Side side = solution ? Side::solution : Side::lesson;
  const auto results = checker.check({lesson}, side);
  if (interrupted()) return kInterrupted;
  const LessonResult& result = results.front();
  if (!solution) save_progress(context, results);

  const Style& style = context.style;
  std::string out = lesson_heading(context, result) + "\n";
  const std::string rerun = "./workbook check " + lesson.number + (solution ? " --solution" : "");
  if (result.passed()) {
    out += describe_warnings(context, result);
    for (const auto& check : result.run.checks) out += check_line(style, check);
    out += "\n" +
           style.green(style.bold(
               "All " + plural(static_cast<int>(result.run.checks.size()), "check") +
               " pass: " + (solution ? "solution " : "lesson ") + lesson.number + " is done.")) +
           "\n";
    if (!solution) out += "  Next: ./workbook (your progress and the next lesson)\n";
  } else {
    out += describe_problem(context, result, true) + next_steps(context, result, rerun);
  }
  print(out);
  return exit_code_of(result);
}

}  // namespace workbook

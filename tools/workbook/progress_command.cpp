#include "commands.hpp"

#include <algorithm>

#include "command_text.hpp"
#include "process.hpp"

namespace workbook {

int progress(Context& context, bool watching) {
  if (const auto problem = database_problem()) return report_database(*problem);
  Checker checker(context.tree, context.options);
  const auto results = checker.check(context.catalog.lessons(), Side::lesson);
  if (interrupted()) return kInterrupted;
  save_progress(context, results);

  const Style& style = context.style;
  const int total = static_cast<int>(results.size());
  const int done = static_cast<int>(
      std::count_if(results.begin(), results.end(), [](const auto& r) { return r.passed(); }));
  const LessonResult* next = nullptr;
  for (const auto& result : results) {
    if (!result.passed()) {
      next = &result;
      break;
    }
  }

  std::size_t width = 0;
  for (const auto& result : results) width = std::max(width, result.lesson.title.size());
  std::string out =
      style.bold("hello_books workbook") + "\n\n  " + progress_bar(done, total, 24, style) + "\n\n";
  for (const auto& result : results) {
    const bool is_next = &result == next;
    std::string status = state_words(result);
    status = result.passed() ? style.green(status) : is_next ? style.yellow(status) : status;
    out += "  " + (result.passed() ? style.pass_mark() : style.fail_mark()) + " " +
           result.lesson.number + "  " + pad_right(result.lesson.title, width) + "  " + status +
           (is_next ? style.yellow(style.unicode ? "   ◀ next" : "   <- next") : "") + "\n";
  }
  out += "\n";

  if (next == nullptr) {
    out +=
        style.green(style.bold("All " + std::to_string(total) + " lessons are done. Well done!")) +
        "\n"
        "  Your app creates its databases, connects, maps Book to a table and versions its\n"
        "  schema with migrations. Try more models and more migrations in lessons/" +
        context.catalog.lessons().back().directory + "; ./workbook docs builds the guide.\n";
    print(out);
    return kOk;
  }
  out += lesson_heading(context, *next) + describe_problem(context, *next, false);
  out += next_steps(context, *next, watching ? "save a file: the checks run again" : "./workbook") +
         style.dim("          (every check of lesson " + next->lesson.number +
                   ", with all failures: ./workbook check " + next->lesson.number + ")") +
         "\n";
  if (!watching) {
    out += style.dim("  Tip: ./workbook watch checks again each time you save a file.") + "\n";
  }
  print(out);
  return kNotDone;
}

}  // namespace workbook

#include "command_text.hpp"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

namespace workbook {

// ---------------------------------------------------------------------------------------------
// Small helpers

void print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
}

void error_line(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "error: %s\n", message.c_str());
}

std::string pad_right(const std::string& text, std::size_t width) {
  // Titles are ASCII; count bytes.
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string lesson_path(const Context& context, const Lesson& lesson) {
  return context.paths.show(context.tree.lessons_dir + "/" + lesson.directory);
}

std::string files_to_edit(const Context& context, const Lesson& lesson) {
  std::string text;
  for (const auto& file : lesson.edit) {
    text += (text.empty() ? "" : ", ") + lesson_path(context, lesson) + "/" + file;
  }
  return text.empty() ? lesson_path(context, lesson) : text;
}

// Reports an unreachable database: one line and the fix. Returns kNoDatabase.
int report_database(const std::string& problem) {
  error_line("the checks need PostgreSQL, and " + problem);
  return kNoDatabase;
}

// The state of a lesson in a few words, for the lesson list.
std::string state_words(const LessonResult& result) {
  switch (result.state) {
    case LessonResult::State::passed:
      return "done";
    case LessonResult::State::failed:
      return std::to_string(result.run.passed()) + "/" + std::to_string(result.run.checks.size()) +
             " checks pass";
    case LessonResult::State::build_failed:
      return "does not compile";
    case LessonResult::State::crashed:
      return "checks crashed";
    case LessonResult::State::missing:
      return result.no_checks ? "no checks yet" : "missing";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// The progress file (.workbook/progress.json): the last known state of each lesson, for `list`.

void save_progress(const Context& context, const std::vector<LessonResult>& results) {
  const std::string path = context.state_dir + "/progress.json";
  nlohmann::json json = nlohmann::json::object();
  try {
    json = nlohmann::json::parse(read_file(path));
    if (!json.is_object()) json = nlohmann::json::object();
  } catch (const std::exception&) {  // missing or broken: start again
  }
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::localtime(&now));
  for (const auto& result : results) {
    if (result.side != Side::lesson) continue;
    json[result.lesson.number] = {
        {"state", state_words(result)}, {"done", result.passed()}, {"checked", when}};
  }
  try {
    write_file(path, json.dump(2) + "\n");
  } catch (const std::exception&) {  // a read-only checkout: progress is only a convenience
  }
}

// After a reset the last known state of the lesson no longer holds.
void forget_progress(const Context& context, const std::string& number) {
  const std::string path = context.state_dir + "/progress.json";
  try {
    auto json = nlohmann::json::parse(read_file(path));
    if (json.is_object() && json.erase(number) > 0) write_file(path, json.dump(2) + "\n");
  } catch (const std::exception&) {  // no progress file: nothing to forget
  }
}

// ---------------------------------------------------------------------------------------------
// Showing results

// The first failure of a check, or nullptr.
const Failure* first_failure(const Check& check) {
  return check.failures.empty() ? nullptr : &check.failures.front();
}

std::string check_line(const Style& style, const Check& check) {
  return "  " + (check.passed ? style.pass_mark() : style.fail_mark()) + " " + check.name + "\n";
}

// A failing check with its failures: all of them (verbose) or the first.
std::string describe_check(const Context& context, const Check& check, bool all_failures) {
  const Style& style = context.style;
  std::string out = "  " + style.fail_mark() + " " + style.bold(check.name) + "\n";
  const std::size_t count =
      all_failures ? check.failures.size() : std::min<std::size_t>(1, check.failures.size());
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += "\n";
    out += describe_failure(check.failures[i], context.paths, style, 4);
  }
  if (!all_failures && check.failures.size() > 1) {
    out += style.dim("    (" + plural(static_cast<int>(check.failures.size()) - 1, "more failure") +
                     " in this check)") +
           "\n";
  }
  if (all_failures && !check.out.empty()) out += "    output:\n" + indent_lines(check.out, 6, 20);
  if (all_failures && !check.err.empty()) out += "    errors:\n" + indent_lines(check.err, 6, 20);
  return out;
}

// What went wrong with a lesson that did not pass: the first (or every) failing check, the
// compile error, or why the checks could not run.
std::string describe_problem(const Context& context, const LessonResult& result, bool verbose) {
  const Style& style = context.style;
  std::string out;
  switch (result.state) {
    case LessonResult::State::passed:
      break;
    case LessonResult::State::build_failed: {
      const BuildError& error = *result.build_error;
      out += "  " + style.red("It does not compile yet") +
             (error.file.empty() ? "" : " (" + context.paths.show(error.file) + ")") + ":\n\n";
      out += describe_build_error(error, context.paths, style, 4);
      out += "\n" +
             style.dim("  The whole build log: " + context.paths.show(context.tree.build_dir) +
                       "/workbook-tool/build.log") +
             "\n";
      break;
    }
    case LessonResult::State::missing:
      out += "  " + style.red(result.problem) + "\n";
      break;
    case LessonResult::State::failed:
    case LessonResult::State::crashed: {
      const int total = static_cast<int>(result.run.checks.size());
      if (total > 0) {
        out += "  " + std::to_string(result.run.passed()) + " of " + plural(total, "check") +
               " pass" + (verbose ? "." : ". The first that fails:") + "\n\n";
      }
      if (verbose) {
        for (const auto& check : result.run.checks) {
          if (check.passed) out += check_line(style, check);
        }
        for (const auto& check : result.run.checks) {
          if (!check.passed) out += "\n" + describe_check(context, check, true);
        }
      } else if (const Check* check = result.run.first_failing()) {
        out += describe_check(context, *check, false);
      }
      if (!result.problem.empty()) {
        out += "\n  " + style.red(result.problem) + "\n";
        if (!result.program_output.empty()) {
          out += "  What the check program printed:\n" +
                 indent_lines(result.program_output, 4, verbose ? 40 : 12);
        }
      }
      break;
    }
  }
  return out;
}

// The next step for a lesson that is not done, ending with the command to run again.
std::string next_steps(const Context& context, const LessonResult& result,
                       const std::string& rerun) {
  const Style& style = context.style;
  const Lesson& lesson = result.lesson;
  std::string out = "\n" + style.bold("Next:") + "\n";
  const std::string text = lesson_path(context, lesson) + "/README.md";
  if (result.side == Side::solution) {
    out +=
        "  The solution fails its checks: fix solutions/" + lesson.directory + " or the checks.\n";
  } else if (result.state == LessonResult::State::build_failed) {
    const BuildError& error = *result.build_error;
    out +=
        "  fix     " +
        (error.file.empty() ? files_to_edit(context, lesson)
                            : context.paths.show(error.file) +
                                  (error.line > 0 ? ", line " + std::to_string(error.line) : "")) +
        "\n";
    out += "  read    " + text + "\n";
  } else if (result.state == LessonResult::State::missing) {
    out += "  restore ./workbook reset " + lesson.number + "   (puts the lesson's starter back)\n";
  } else {
    out += "  edit    " + files_to_edit(context, lesson) + "\n";
    out += "  read    " + text + "\n";
  }
  if (result.side == Side::lesson && !lesson.hints.empty()) {
    out += "  stuck?  ./workbook hint " + lesson.number + "\n";
  }
  out += "  rerun   " + style.bold(rerun) + "\n";
  return out;
}

std::string lesson_heading(const Context& context, const LessonResult& result) {
  const std::string who = result.side == Side::solution ? "Solution " : "Lesson ";
  return context.style.bold(who + result.lesson.number + ": " + result.lesson.title) + "  " +
         context.style.dim("(" +
                           (result.side == Side::solution ? "solutions/" + result.lesson.directory
                                                          : lesson_path(context, result.lesson)) +
                           ")") +
         "\n";
}

int exit_code_of(const LessonResult& result) {
  switch (result.state) {
    case LessonResult::State::passed:
      return kOk;
    case LessonResult::State::failed:
      return kNotDone;
    case LessonResult::State::build_failed:
      return kBuildFailed;
    case LessonResult::State::crashed:
    case LessonResult::State::missing:
      return kCrashed;
  }
  return kNotDone;
}

}  // namespace workbook

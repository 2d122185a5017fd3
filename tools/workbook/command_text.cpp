#include "command_text.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "lines.hpp"
#include "process.hpp"

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

std::string files_to_edit(const Context& context, const Lesson& lesson, const Check* failing) {
  // The checks' messages say "Edit lessons/<folder>/<path> (<part> in ...)" (lesson_check::fix),
  // in a FAIL's text or an INFO; <path> is a file or a folder (migrations/versions/).
  const std::string marker = "Edit lessons/" + lesson.directory + "/";
  std::vector<std::string> named;
  const auto collect = [&](const std::string& text) {
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
      const auto start = at + marker.size();
      const auto end = text.find(" (", start);
      if (end == std::string::npos || end == start) continue;
      const std::string path = text.substr(start, end - start);
      if (path.find_first_of(" \n") != std::string::npos) continue;  // not a path
      if (std::find(named.begin(), named.end(), path) == named.end()) named.push_back(path);
    }
  };
  // A program that stops at an unfinished part says "not done yet: <what>, <file> (step N)" or
  // "... in <file> (step N)" (workbook::NotDoneYet), which a check passes on: that file, when it
  // is one of the lesson's.
  const auto collect_unfinished = [&](const std::string& text) {
    for (const auto& file : lesson.edit) {
      for (const char* part : {" (step ", " (Your turn"}) {
        if (text.find(" " + file + part) != std::string::npos &&
            std::find(named.begin(), named.end(), file) == named.end()) {
          named.push_back(file);
        }
      }
    }
  };
  if (failing != nullptr) {
    for (const Failure& failure : failing->failures) {
      collect(failure.message);
      for (const std::string& info : failure.info) collect(info);
    }
    if (named.empty()) {
      for (const Failure& failure : failing->failures) {
        collect_unfinished(failure.message);
        for (const std::string& info : failure.info) collect_unfinished(info);
      }
    }
  }
  std::string text;
  for (const auto& path : named) {
    text += (text.empty() ? "" : ", ") + lesson_path(context, lesson) + "/" + path;
  }
  return text.empty() ? files_to_edit(context, lesson) : text;
}

// The texts of a failing check's failures: their messages and INFO lines.
std::vector<std::string> failure_texts(const Check& failing) {
  std::vector<std::string> texts;
  for (const Failure& failure : failing.failures) {
    texts.push_back(failure.message);
    texts.insert(texts.end(), failure.info.begin(), failure.info.end());
  }
  return texts;
}

std::vector<std::string> commands_to_run(const Lesson& lesson, const Check* failing) {
  // As the checks write them: "Make it with ./workbook run 06 db migrate -m \"adds Genre
  // model\", read it, apply it with ./workbook run 06 db upgrade (step 5)". A command ends,
  // outside quotes, at a comma, semicolon, parenthesis, newline or a full stop before a space.
  std::vector<std::string> commands;
  if (failing == nullptr) return commands;
  const std::string marker = "./workbook run " + lesson.number + " db ";
  for (const std::string& text : failure_texts(*failing)) {
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
      std::size_t end = at;
      bool quoted = false;
      for (; end < text.size(); ++end) {
        const char c = text[end];
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == ',' || c == ';' || c == '(' || c == ')' || c == '\n' || c == '`') break;
        if (c == '.' && (end + 1 == text.size() || text[end + 1] == ' ')) break;
      }
      std::string command = text.substr(at, end - at);
      while (!command.empty() && command.back() == ' ') command.pop_back();
      if (quoted || command.find("...") != std::string::npos) continue;  // not a whole command
      if (std::find(commands.begin(), commands.end(), command) == commands.end()) {
        commands.push_back(command);
      }
    }
  }
  return commands;
}

std::string step_argument(const std::string& step) {
  std::string word = step;
  std::replace(word.begin(), word.end(), ' ', '-');
  return word;
}

const HintStep* hint_step_of(const Lesson& lesson, const Check* failing) {
  if (failing == nullptr) return nullptr;
  // "step 3" names the hint step "3"; "your turn" itself.
  const auto step_named = [&](std::string name) {
    if (name.rfind("step ", 0) == 0) name.erase(0, 5);
    return lesson.hint_step(name);
  };
  // Checks are named "step 3: ..." or "your turn: ..."; messages say "(step 3 in ...)".
  const auto colon = failing->name.find(':');
  if (colon != std::string::npos) {
    if (const HintStep* step = step_named(failing->name.substr(0, colon))) return step;
  }
  for (const std::string& text : failure_texts(*failing)) {
    if (const auto at = text.find("step "); at != std::string::npos) {
      const auto end = text.find_first_not_of("0123456789", at + 5);
      if (const HintStep* step = step_named(text.substr(at, end - at))) return step;
    }
    if (text.find("Your turn") != std::string::npos) {
      if (const HintStep* step = step_named("your turn")) return step;
    }
  }
  return nullptr;
}

const HintStep* hint_step_at(const Lesson& lesson, const std::string& file, int line) {
  // The lesson files mark each part "TODO (step 6): ..." or "TODO (your turn): ...".
  const HintStep* found = nullptr;
  try {
    const std::vector<std::string> lines = split_lines(read_file(file));
    for (std::size_t i = 0; i < lines.size() && static_cast<int>(i) < line; ++i) {
      const auto at = lines[i].find("TODO (");
      if (at == std::string::npos) continue;
      const auto end = lines[i].find_first_of("):", at + 6);
      std::string name = lines[i].substr(at + 6, end == std::string::npos ? end : end - at - 6);
      if (name.rfind("step ", 0) == 0) name.erase(0, 5);
      if (const HintStep* step = lesson.hint_step(name)) found = step;
    }
  } catch (const std::exception&) {  // the file is gone: no step
  }
  return found;
}

const HintStep* hint_step_of(const LessonResult& result) {
  if (result.state != LessonResult::State::build_failed) {
    return hint_step_of(result.lesson, result.run.first_failing());
  }
  if (!result.build_error || result.build_error->fix_file().empty()) return nullptr;
  return hint_step_at(result.lesson, result.build_error->fix_file(),
                      result.build_error->fix_line());
}

std::string hint_command(const LessonResult& result) {
  const HintStep* step = hint_step_of(result);
  return "./workbook hint " + result.lesson.number + (step ? " " + step_argument(step->step) : "");
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
      return result.not_built ? "not built yet" : result.no_checks ? "no checks yet" : "missing";
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
    // Where `./workbook hint NN` starts: the step of the first failing check, or of the code
    // that does not compile.
    if (const HintStep* step = hint_step_of(result)) {
      json[result.lesson.number]["hint_step"] = step->step;
    }
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

// The failure's first line, at most about one screen line; "" without a message.
std::string reason_in_brief(const Failure& failure) {
  const auto lines = split_lines(failure.message);
  if (lines.empty()) return "";
  constexpr std::size_t kMost = 120;
  const std::string& text = lines.front();
  if (text.size() <= kMost) return text;
  std::size_t cut = kMost - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole chars
  return text.substr(0, cut) + "...";
}

std::string check_line(const Style& style, const Check& check) {
  return "  " + (check.passed ? style.pass_mark() : style.fail_mark()) + " " + check.name + "\n";
}

namespace {

// What a crash or a hang means, the likely cause in this lesson and where to look.
std::string explain_stop(const Context& context, const Lesson& lesson, const Failure& failure,
                         int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string meaning;
  if (failure.kind == Failure::Kind::crash) {
    meaning = subprocess::signal_meaning(failure.signal);
    if (meaning.empty()) meaning = "the program ended abruptly in the middle of this check.";
  } else {
    meaning =
        "the check did not finish: an endless loop, or waiting for something that never comes "
        "(a lock held by another connection, a transaction left open).";
  }
  std::string out = indent_lines("what it means: " + meaning, indent);
  if (!lesson.crash_hint.empty())
    out += indent_lines("likely here:   " + lesson.crash_hint, indent);
  out += pad + "where to look: the code of yours this check calls, in " +
         files_to_edit(context, lesson) + "\n";
  return out;
}

}  // namespace

std::string describe_check(const Context& context, const Lesson& lesson, const Check& check,
                           bool all_failures) {
  const Style& style = context.style;
  std::string out = "  " + style.fail_mark() + " " + style.bold(check.name) + "\n";
  // One block per cause: a failure that repeats an earlier one of this check (same text, e.g. in
  // a loop) is counted, not shown again.
  std::vector<const Failure*> shown;
  std::vector<int> repeats;
  for (const auto& failure : check.failures) {
    const auto same = std::find_if(shown.begin(), shown.end(), [&](const Failure* earlier) {
      return failure_cause(*earlier) == failure_cause(failure);
    });
    if (same != shown.end()) {
      ++repeats[static_cast<std::size_t>(same - shown.begin())];
    } else {
      shown.push_back(&failure);
      repeats.push_back(0);
    }
  }
  const std::size_t count = all_failures ? shown.size() : std::min<std::size_t>(1, shown.size());
  for (std::size_t i = 0; i < count; ++i) {
    const Failure& failure = *shown[i];
    if (i > 0) out += "\n";
    // The INFO messages once for a run of failures that share them.
    const bool same_info_next = i + 1 < count && shown[i + 1]->info == failure.info;
    out += describe_failure(failure, context.paths, style, 4, !same_info_next,
                            /*check_locations=*/false);
    if (repeats[i] > 0) {
      out += style.dim("    (the same failure " + plural(repeats[i], "more time") + ")") + "\n";
    }
    if (failure.kind == Failure::Kind::crash || failure.kind == Failure::Kind::timeout) {
      out += explain_stop(context, lesson, failure, 4);
    }
  }
  if (!all_failures && shown.size() > 1) {
    out += style.dim("    (" + plural(static_cast<int>(shown.size()) - 1, "more failure") +
                     " in this check)") +
           "\n";
  }
  if (all_failures && !check.out.empty()) out += "    output:\n" + indent_lines(check.out, 6, 20);
  if (all_failures && !check.err.empty()) out += "    errors:\n" + indent_lines(check.err, 6, 20);
  return out;
}

// What went wrong with a lesson that did not pass: the first (or every) failing check, the
// compile error, or why the checks could not run.
std::string describe_warnings(const Context& context, const LessonResult& result) {
  if (result.warnings.empty()) return "";
  std::string text;
  for (const auto& line : result.warnings) text += line + "\n";
  BuildError shown;
  shown.excerpt = result.warnings;
  return "  " + context.style.yellow("The compiler warns about your code") +
         " (the build goes on; a warning often points at a real mistake):\n" +
         describe_build_error(shown, context.paths, context.style, 4) + "\n";
}

std::string describe_problem(const Context& context, const LessonResult& result, bool verbose) {
  const Style& style = context.style;
  std::string out = describe_warnings(context, result);
  switch (result.state) {
    case LessonResult::State::passed:
      break;
    case LessonResult::State::build_failed: {
      const BuildError& error = *result.build_error;
      out += "  " + style.red("It does not compile yet") +
             (error.fix_file().empty() ? "" : " (" + context.paths.show(error.fix_file()) + ")") +
             ":\n\n";
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
        // One block per cause: a check that fails exactly like an earlier one (e.g. the same
        // "not done yet" in every check) gets one line.
        std::map<std::string, std::string> first_with;
        for (const auto& check : result.run.checks) {
          if (check.passed) continue;
          std::string causes;
          for (const auto& failure : check.failures) causes += failure_cause(failure) + "\n\n";
          const auto [earlier, fresh] = first_with.emplace(causes, check.name);
          if (fresh || check.failures.empty()) {
            out += "\n" + describe_check(context, result.lesson, check, true);
          } else {
            // Its reason in one line ("Not checked yet: Genre is not finished (step 1; ...)"),
            // not "fails the same way as step 2", which reads as "because of step 2".
            const std::string reason = reason_in_brief(check.failures.front());
            out += "\n  " + style.fail_mark() + " " + style.bold(check.name) + "\n    " +
                   style.dim(reason.empty() ? "fails the same way as \"" + earlier->second + "\""
                                            : reason) +
                   "\n";
          }
        }
      } else if (const Check* check = result.run.first_failing()) {
        out += describe_check(context, result.lesson, *check, false);
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
    out += "  fix     " +
           (error.fix_file().empty()
                ? files_to_edit(context, lesson)
                : context.paths.show(error.fix_file()) +
                      (error.fix_line() > 0 ? ", line " + std::to_string(error.fix_line()) : "")) +
           "\n";
    if (const std::string likely = lesson.compile_hint(error.message); !likely.empty()) {
      out += "  likely  " + likely + "\n";
    }
    out += "  read    " + text + "\n";
  } else if (result.state == LessonResult::State::missing) {
    out += "  restore ./workbook reset " + lesson.number + "   (puts the lesson's starter back)\n";
  } else {
    const Check* failing = result.run.first_failing();
    const std::string files = files_to_edit(context, lesson, failing);
    const std::vector<std::string> commands = commands_to_run(lesson, failing);
    // A failing check that asks for db commands and names no file of its own: the commands,
    // not every file of the lesson.
    if (commands.empty() || files != files_to_edit(context, lesson)) {
      out += "  edit    " + files + "\n";
    }
    if (!commands.empty()) {
      std::string run;
      for (const auto& command : commands) run += (run.empty() ? "" : ", then ") + command;
      out += "  run     " + run + "\n";
    }
    out += "  read    " + text + "\n";
  }
  if (result.side == Side::lesson && !lesson.hints.empty()) {
    out += "  stuck?  " + hint_command(result) + "\n";
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

// What the commands print and share (internal to tools/workbook/*_command.cpp): messages, the
// description of a lesson's result, the next step, and the progress file.
#pragma once

#include <string>
#include <vector>

#include "commands.hpp"

namespace workbook {

/// Writes `text` to stdout as it is.
void print(const std::string& text);
/// "error: <message>" on stderr (after flushing stdout).
void error_line(const std::string& message);
/// `text` padded with spaces to `width` bytes.
std::string pad_right(const std::string& text, std::size_t width);
/// The lesson's folder as a student types it: "lessons/03_models".
std::string lesson_path(const Context& context, const Lesson& lesson);
/// The files the student edits in `lesson`, comma-separated.
std::string files_to_edit(const Context& context, const Lesson& lesson);
/// The files the first failing check's messages ask to edit, or else all of them (as above).
std::string files_to_edit(const Context& context, const Lesson& lesson, const Check* failing);
/// The db commands (`./workbook run NN db ...`) the first failing check's messages ask for, in
/// the order they name them; empty when there is no failing check or it names none.
std::vector<std::string> commands_to_run(const Lesson& lesson, const Check* failing);
/// A hint step as the student types it: "2", "your-turn".
std::string step_argument(const std::string& step);
/// The hint step the failing check belongs to (its name "step 3: ...", or "step 3" or "Your
/// turn" in its messages), or nullptr when the lesson has no hints for it.
const HintStep* hint_step_of(const Lesson& lesson, const Check* failing);
/// The hint step of the part of `file` that `line` lies in: the last "TODO (step N" or
/// "TODO (your turn" comment above it; nullptr when there is none or no hints for it.
const HintStep* hint_step_at(const Lesson& lesson, const std::string& file, int line);
/// The hint step a lesson's result is waiting on: its first failing check's (hint_step_of), or
/// for code that does not compile, that of the line the error points at (hint_step_at).
const HintStep* hint_step_of(const LessonResult& result);
/// `./workbook hint NN STEP` with the step hint_step_of finds, else `./workbook hint NN`.
std::string hint_command(const LessonResult& result);
/// Reports an unreachable database: one line and the fix. Returns kNoDatabase.
int report_database(const std::string& problem);
/// The state of a lesson in a few words, for the lesson list.
std::string state_words(const LessonResult& result);

/// Records the lessons' states in .workbook/progress.json (for `list`).
void save_progress(const Context& context, const std::vector<LessonResult>& results);
/// After a reset the last known state of the lesson no longer holds.
void forget_progress(const Context& context, const std::string& number);

/// The first failure of a check, or nullptr.
const Failure* first_failure(const Check& check);
/// "  [x] name" for a check.
std::string check_line(const Style& style, const Check& check);
/// A failing check of `lesson` with its failures: all of them (verbose) or the first; one block
/// per cause; a crash or hang explained (what it means, the likely cause, where to look).
std::string describe_check(const Context& context, const Lesson& lesson, const Check& check,
                           bool all_failures);
/// What went wrong with a lesson that did not pass: the first (or every) failing check, the
/// compile error, or why the checks could not run.
std::string describe_problem(const Context& context, const LessonResult& result, bool verbose);
/// The next step for a lesson that is not done, ending with the command to run again.
std::string next_steps(const Context& context, const LessonResult& result,
                       const std::string& rerun);
/// The compiler's warnings about the lesson's files, if the last build printed any.
std::string describe_warnings(const Context& context, const LessonResult& result);
/// "Lesson 03: Your first model: Book  (lessons/03_models)".
std::string lesson_heading(const Context& context, const LessonResult& result);
/// The command's exit code for one lesson's result.
int exit_code_of(const LessonResult& result);

}  // namespace workbook

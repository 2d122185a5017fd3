// How results look on the terminal and in CI logs.
#pragma once

#include <string>
#include <vector>

#include "checker.hpp"
#include "results.hpp"

namespace workbook {

/// Colour and symbols. Colour only on a terminal and never with NO_COLOR; Unicode symbols only on
/// a terminal with a UTF-8 locale, plain ASCII everywhere else (CI logs, pipes, files).
struct Style {
  bool color = false;
  bool unicode = false;

  /// The style for stdout as it is now (isatty, NO_COLOR, TERM=dumb, the locale).
  static Style detect();

  std::string bold(const std::string& text) const;
  std::string dim(const std::string& text) const;
  std::string red(const std::string& text) const;
  std::string green(const std::string& text) const;
  std::string yellow(const std::string& text) const;

  std::string pass_mark() const;  ///< "✓" or "[x]"
  std::string fail_mark() const;  ///< "✗" or "[ ]"
};

/// "[########------------]  2/4 lessons done" (ASCII) or the same with block characters.
std::string progress_bar(int done, int total, int width, const Style& style);

/// Where file paths in messages are shown relative to (the project and the lessons' roots).
struct Paths {
  std::string source_dir;   ///< tests and the library: shown relative to it
  std::string lessons_dir;  ///< the student's lessons: shown as lessons/...
  /// `path` as a student would type it: "lessons/02_connect/app/app.cpp".
  std::string show(const std::string& path) const;
};

/// A failure in a few lines: where, what was checked, expected and actual values, the check's
/// INFO messages (unless `with_info` is false: the next failure shown has the same). Every line is
/// indented by `indent` spaces. The place in the check's own source is shown only with
/// `check_locations` (for instructors); a place in the student's lessons always is.
std::string describe_failure(const Failure& failure, const Paths& paths, const Style& style,
                             int indent, bool with_info = true, bool check_locations = true);

/// What a failure says, without where: two failures with the same text fail for the same cause.
std::string failure_cause(const Failure& failure);

/// A failure on one line (for tables and JUnit messages).
std::string failure_summary(const Failure& failure, const Paths& paths);

/// A compile error in a few lines: "lessons/02_connect/app/app.cpp:14:3: error: ..." and the
/// code around it.
std::string describe_build_error(const BuildError& error, const Paths& paths, const Style& style,
                                 int indent);

/// A compile error on one line.
std::string build_error_summary(const BuildError& error, const Paths& paths);

/// For `actual == expected` checks: splits Catch2's expansion into the actual (left) and the
/// expected (right) value. False when the expansion cannot be split unambiguously.
bool split_comparison(const std::string& expression, const std::string& expansion,
                      std::string& actual, std::string& expected);

/// The expected and actual values of a failed assertion, when they can be told apart: `a == b`
/// checks, and checks of a single truth value (CHECK(text.empty()): expected true, actual false;
/// CHECK_FALSE(app.testing()): expected false, actual true).
bool expected_and_actual(const Failure& failure, std::string& expected, std::string& actual);

/// `text` with every line prefixed by `indent` spaces; at most `max_lines` lines (then a note of
/// how many were left out).
std::string indent_lines(const std::string& text, int indent, std::size_t max_lines = 40);

/// "1 check" / "3 checks".
std::string plural(int count, const std::string& word);

}  // namespace workbook

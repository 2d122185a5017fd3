// The results of one run of a check program, read from the "workbook" Catch2 reporter's records
// (tests/support/workbook_reporter.hpp describes them).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace workbook {

/// One failed assertion, or an error, inside a check.
struct Failure {
  enum class Kind {
    assertion,  ///< a CHECK/REQUIRE/FAIL did not hold
    exception,  ///< an exception escaped the check's code
    crash,      ///< a fatal signal (segmentation fault, abort, ...)
    timeout,    ///< the check did not finish in time and was stopped
    build,      ///< it could not run: the lesson does not compile (grading)
    missing,    ///< it could not run: the lesson is missing (grading)
  };
  Kind kind = Kind::assertion;
  std::string file;
  int line = 0;
  std::string macro;                  ///< e.g. "REQUIRE"
  std::string expression;             ///< as written: "run.exit_code == 0"
  std::string expansion;              ///< with values: "2 == 0"
  std::string message;                ///< FAIL's text, or the exception's / signal's description
  std::vector<std::string> info;      ///< INFO messages in scope, outermost first
  std::vector<std::string> sections;  ///< SECTION names, outermost first
  bool negated = false;     ///< CHECK_FALSE / REQUIRE_FALSE: the expression had to be false
  bool after_line = false;  ///< no expression known: it happened after the assertion at `line`
  int signal = 0;           ///< for crashes: the signal that ended the check program, if known

  /// "REQUIRE( run.exit_code == 0 )", or "" when there is no expression.
  std::string written() const;
};

/// One check: a Catch2 test case.
struct Check {
  std::string name;
  std::string file;
  int line = 0;
  bool finished = false;  ///< false: it started but the program died (or hung) inside it
  bool passed = false;
  std::vector<Failure> failures;
  std::string out;  ///< what it printed on std::cout / std::cerr
  std::string err;
  double seconds = 0;
};

/// Everything one run of a check program told us.
struct CheckRun {
  std::vector<Check> checks;  ///< in the order they ran
  bool completed = false;     ///< the run reached its end record
  std::string program_error;  ///< set when the records are missing or unreadable

  /// Checks that passed.
  int passed() const;
  /// Checks that failed (for any reason).
  int failed() const;
  /// True when at least one check ran and every check passed.
  bool all_passed() const;
  /// The first check that did not pass, or nullptr.
  const Check* first_failing() const;
  /// The number of failures of `kind` over all checks.
  int failures_of(Failure::Kind kind) const;
};

/// Reads the reporter's JSON Lines. A missing end record leaves `completed` false (the program
/// died); a check that started but has no end record is returned unfinished. Lines that are not
/// valid JSON (e.g. half a line when the program was killed) end the reading.
CheckRun parse_records(const std::string& text);

/// The kind's name as the reporter writes it ("assertion", ...).
const char* kind_name(Failure::Kind kind);

}  // namespace workbook

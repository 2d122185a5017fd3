// The "workbook" Catch2 reporter: machine-readable results for ./workbook.
//
// Every test binary carries it (tests/CMakeLists.txt links it whole into test_support's users).
// `./workbook check NN` runs a check binary as `check_lessonNN --reporter workbook --out FILE`
// and reads FILE to show the student which check failed, with the expected and actual values.
#pragma once

namespace testing_support {

/// Name of the reporter, for `--reporter`.
///
/// The output is JSON Lines: one JSON object per line, flushed as soon as it is written (so a
/// check that crashes or hangs still leaves a record of what it was doing). Each object has a
/// `"type"`:
///
/// - `"run"`: the run starts. `name`: the binary's name.
/// - `"case-start"`: a test case starts. `name`.
/// - `"failure"`: a failed assertion or an error in a test case. `case` (test case name),
///   `sections` (the SECTION names from outer to inner), `file`, `line`, `after_line` (true: Catch2
///   knows no expression here, the failure came after the assertion at `line`: an exception or a
///   crash outside any assertion), `macro` (e.g. "REQUIRE"), `expression` (as written, e.g.
///   "book.to_string() == expected"), `negated` (true for CHECK_FALSE/REQUIRE_FALSE: the
///   expression had to be false), `expansion` (with values, e.g. "\"1: Dune\" == \"1: Dune.
///   Description: ...\""), `message` (FAIL's text or the exception's what()), `info` (the
///   INFO/CAPTURE messages in scope), `kind` and `result` (Catch2's ResultWas name). `kind` is one
///   of:
///   - `"assertion"`: an assertion did not hold (CHECK/REQUIRE/FAIL, a *_THROWS that did not
///     throw, a *_NOTHROW that threw);
///   - `"exception"`: an exception escaped the test code (or an assertion's expression);
///   - `"crash"`: a fatal signal (segmentation fault, abort, ...).
/// - `"case"`: a test case ended. `name`, `file`, `line`, `tags`, `passed` (bool), `assertions`
///   (`{"passed": n, "failed": n}`), `seconds`, and the test's captured `stdout` and `stderr`.
/// - `"end"`: the run ended. `cases` and `assertions` (`{"passed": n, "failed": n}`), `aborted`.
///
/// Strings are valid UTF-8: bytes that are not are replaced by U+FFFD (nlohmann-json's rule, the
/// repository's one: tools/support/utf8.hpp).
///
/// No Catch2 internals reach the records: the "{Unknown expression after the reported line}"
/// placeholder becomes an empty expression with `after_line`; the report Catch2 makes for an
/// assertion left by an exception it did not handle ("Exception translation was disabled by
/// CATCH_CONFIG_FAST_COMPILE") is dropped when another failure of the test case already says what
/// failed (one failure per cause) and otherwise explained; "{?}" (a value Catch2 cannot print)
/// is spelt out.
///
/// @code
/// // check_lesson03 --reporter workbook --out results.jsonl
/// {"type":"run","name":"check_lesson03"}
/// {"type":"case-start","name":"to_string gives <id>: <title>. Description: <description>"}
/// {"type":"failure","case":"to_string gives ...","kind":"assertion","macro":"CHECK", ...}
/// {"type":"case","name":"to_string gives ...","passed":false, ...}
/// {"type":"end","cases":{"passed":4,"failed":1}, ...}
/// @endcode
inline constexpr const char* kWorkbookReporterName = "workbook";

}  // namespace testing_support

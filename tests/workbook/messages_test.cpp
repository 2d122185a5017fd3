// Check messages (label workbook): what the tool shows of a failing check carries none of the
// checking framework's internals, shows one block per cause, and explains a crash.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "checker.hpp"
#include "command_text.hpp"
#include "render.hpp"
#include "test_database.hpp"
#include "utf8.hpp"
#include "workbook_testing.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using workbook::Failure;

using workbook_testing::check_named;
using workbook_testing::count_of;

namespace {

// What Catch2 would show if the reporter and the tool let it through.
const char* const kInternals[] = {"CATCH_CONFIG",
                                  "Exception translation",
                                  "{Unknown expression",
                                  "{?}",
                                  "Unknown exception",
                                  "!true",
                                  "!false",
                                  "!(",
                                  "values:   false",
                                  "values:   true"};

workbook::Lesson lesson() {
  workbook::Lesson lesson;
  lesson.number = "03";
  lesson.directory = "03_models";
  lesson.title = "Your first model: Book";
  lesson.edit = {"models/book.hpp", "main.cpp"};
  lesson.crash_hint = "a Book read after the vector that held it changed";
  return lesson;
}

workbook::Context context() {
  workbook::Context context;
  context.tree.build_dir = testing_support::scratch_directory();
  context.tree.source_dir = "/project";
  context.tree.lessons_dir = "/project/lessons";
  context.paths.source_dir = "/project";
  context.paths.lessons_dir = "/project/lessons";
  return context;
}

workbook::LessonResult run_fixture(bool crash) {
  if (crash) ::setenv("FIXTURE_CRASH", "1", 1);
  workbook::Context ctx = context();
  workbook::CheckerOptions options;
  options.shards = 1;
  workbook::Checker checker(ctx.tree, options);
  workbook::LessonResult result;
  result.lesson = lesson();
  result.state = workbook::LessonResult::State::failed;
  result.run = checker.run_checks(FIXTURE_MESSAGES, crash ? "messages_crash" : "messages",
                                  result.program_output, result.problem);
  ::unsetenv("FIXTURE_CRASH");
  return result;
}

// The block `describe_problem` shows for the check called `name` (up to the next check).
std::string block_of(const std::string& text, const std::string& name) {
  const auto start = text.find("[ ] " + name + "\n");
  if (start == std::string::npos) return "";
  const auto end = text.find("\n  [", start + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

TEST_CASE("no framework internals in records, in the check listing or in summaries", "[messages]") {
  const auto result = run_fixture(false);
  REQUIRE(result.problem.empty());
  REQUIRE(result.run.checks.size() == 14);
  const auto ctx = context();
  const std::string shown = workbook::describe_problem(ctx, result, true);
  for (const char* internal : kInternals) {
    INFO("shown:\n" << shown);
    CHECK_THAT(shown, !Contains(internal));
    for (const auto& check : result.run.checks) {
      for (const auto& failure : check.failures) {
        INFO(check.name);
        CHECK_THAT(failure.message, !Contains(internal));
        CHECK_THAT(failure.expression, !Contains(internal));
        CHECK_THAT(failure.expansion, !Contains(internal));
        CHECK_THAT(workbook::failure_summary(failure, ctx.paths), !Contains(internal));
      }
    }
  }
}

TEST_CASE("a failed assertion inside another one is one failure: the inner one", "[messages]") {
  const auto result = run_fixture(false);
  const auto& check = check_named(result.run, "an assertion inside another assertion fails");
  REQUIRE(check.failures.size() == 1);
  CHECK(check.failures[0].expression == "number > 0");
  CHECK(check.failures[0].expansion == "-1 > 0");
  CHECK(check.failures[0].kind == Failure::Kind::assertion);
}

TEST_CASE("an exception outside any assertion: what it said, and after which line", "[messages]") {
  const auto result = run_fixture(false);
  const auto& check = check_named(result.run, "an exception escapes after the last assertion");
  REQUIRE(check.failures.size() == 1);
  const Failure& failure = check.failures[0];
  CHECK(failure.kind == Failure::Kind::exception);
  CHECK(failure.after_line);
  CHECK(failure.expression.empty());
  CHECK(failure.message == "cannot connect to the database");
  const std::string shown = workbook::describe_failure(failure, context().paths, {}, 0);
  CHECK_THAT(shown, Contains("after "));
  CHECK_THAT(shown, Contains("fixture_messages.cpp:"));
  CHECK_THAT(shown, Contains("the check stopped: cannot connect to the database"));

  const auto& other = check_named(result.run, "an exception that is not a std::exception");
  REQUIRE(other.failures.size() == 1);
  CHECK_THAT(other.failures[0].message, Contains("not a std::exception"));
  const auto& fail = check_named(result.run, "FAIL whose message cannot be built");
  REQUIRE(fail.failures.size() == 1);
  CHECK(fail.failures[0].kind == Failure::Kind::exception);
  CHECK(fail.failures[0].message == "no text");
}

TEST_CASE("checks of one truth value show expected and actual", "[messages]") {
  const auto result = run_fixture(false);
  const auto paths = context().paths;
  const auto& negated = check_named(result.run, "CHECK_FALSE of a value that is true");
  REQUIRE(negated.failures.size() == 1);
  CHECK(negated.failures[0].written() == "CHECK_FALSE( testing )");
  const std::string shown = workbook::describe_failure(negated.failures[0], paths, {}, 0);
  CHECK_THAT(shown, Contains("expected: false\nactual:   true\n"));
  CHECK_THAT(workbook::failure_summary(negated.failures[0], paths),
             Contains("CHECK_FALSE( testing ): expected false, actual true"));

  const auto& plain = check_named(result.run, "CHECK of a value that is false");
  REQUIRE(plain.failures.size() == 1);
  CHECK_THAT(workbook::describe_failure(plain.failures[0], paths, {}, 0),
             Contains("expected: true\nactual:   false\n"));

  const auto& opaque = check_named(result.run, "a value the framework cannot print");
  REQUIRE(opaque.failures.size() == 1);
  CHECK_THAT(opaque.failures[0].expansion, Contains("(a value that cannot be printed)"));
}

TEST_CASE("one block per cause: repeats are counted, shared explanations shown once",
          "[messages]") {
  const auto result = run_fixture(false);
  const std::string shown = workbook::describe_problem(context(), result, true);
  INFO(shown);
  const std::string loop = block_of(shown, "the same failure three times in a loop");
  CHECK(count_of(loop, "every row must be empty") == 1);
  CHECK(count_of(loop, "failed:") == 1);
  CHECK_THAT(loop, Contains("(the same failure 2 more times)"));

  const std::string shared = block_of(shown, "two failures that share their explanation");
  CHECK(count_of(shared, "failed:") == 2);
  CHECK(count_of(shared, "a long explanation") == 1);

  // Once in the first check's block, once in brief on the second check's one line.
  CHECK(count_of(shown, "not done yet: Book::to_string()") == 2);
  // The second of two checks that fail alike: its reason in one line, not a second block.
  const std::string second = block_of(shown, "not done yet, second");
  CHECK_THAT(second, Contains("\n    not done yet: Book::to_string() in models/book.hpp"));
  CHECK(count_of(second, "failed:") == 0);

  // A reason longer than a line is cut to one, between whole UTF-8 characters.
  const std::string long_one = block_of(shown, "a long reason, second");
  const auto brief_at = long_one.find("\n    Not checked yet: ");
  REQUIRE(brief_at != std::string::npos);
  const std::string brief =
      long_one.substr(brief_at + 5, long_one.find('\n', brief_at + 1) - brief_at - 5);
  CHECK(brief.size() <= 120);
  CHECK(brief.size() > 100);
  CHECK_THAT(brief, EndsWith("\xC3\xA9..."));
  CHECK(text::valid_utf8(brief) == brief);
}

TEST_CASE("a crash is explained: what it means, the likely cause here, where to look",
          "[messages]") {
  const auto result = run_fixture(true);
  const auto& check = check_named(result.run, "a crash");
  REQUIRE_FALSE(check.passed);
  REQUIRE_FALSE(check.failures.empty());
  CHECK(check.failures.back().kind == Failure::Kind::crash);
  CHECK(check.failures.back().signal == 11);
  const std::string shown =
      workbook::describe_check(context(), lesson(), check, /*all_failures=*/true);
  INFO(shown);
  CHECK_THAT(shown, Contains("what it means: the program used memory it does not own"));
  CHECK_THAT(shown, Contains("likely here:   a Book read after the vector that held it changed"));
  CHECK_THAT(shown, Contains("where to look: the code of yours this check calls, in "
                             "lessons/03_models/models/book.hpp, lessons/03_models/main.cpp"));
}

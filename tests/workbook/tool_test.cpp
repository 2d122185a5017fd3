// Do not change this file: it checks the workbook tool's logic (label workbook).
//
// The "workbook" Catch2 reporter and the tool's reading of it (with a pretend check program,
// fixture_checks.cpp), the build-log reader, the lesson-vs-solution rule, hints, JUnit XML and
// the progress display.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "build_log.hpp"
#include "checker.hpp"
#include "hints.hpp"
#include "junit.hpp"
#include "lessons.hpp"
#include "render.hpp"
#include "results.hpp"
#include "source_record.hpp"
#include "test_database.hpp"
#include "todo_diff.hpp"
#include "workbook_testing.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using workbook::Failure;

using workbook_testing::check_named;

namespace {

// The name of the fixture's last check (full of characters Catch2 treats specially).
const char* const kAfterTheCrash =
    "a check after the one that dies, named with \"quotes\", [brackets], ~ * and \\";

// Runs the pretend check program through the tool, with FIXTURE_MODE=`mode`.
workbook::CheckRun run_fixture(const std::string& mode, std::string& problem,
                               int timeout_seconds = 60, std::size_t shards = 1) {
  if (mode.empty()) {
    ::unsetenv("FIXTURE_MODE");
  } else {
    ::setenv("FIXTURE_MODE", mode.c_str(), 1);
  }
  workbook::BuildTree tree;
  tree.build_dir = testing_support::scratch_directory();
  workbook::CheckerOptions options;
  options.timeout_seconds = timeout_seconds;
  options.shards = shards;
  workbook::Checker checker(tree, options);
  std::string output;
  auto run = checker.run_checks(FIXTURE_CHECKS, "fixture_" + mode, output, problem);
  ::unsetenv("FIXTURE_MODE");
  return run;
}

}  // namespace

TEST_CASE("the reporter records every check and each way a check fails", "[reporter]") {
  std::string problem;
  const auto run = run_fixture("", problem);
  REQUIRE(problem.empty());
  REQUIRE(run.completed);
  REQUIRE(run.checks.size() == 7);
  CHECK(run.passed() == 3);
  CHECK(run.failed() == 4);
  CHECK(run.first_failing()->name == "a comparison that fails");

  const auto& passing = check_named(run, "a check that passes");
  CHECK(passing.passed);
  CHECK(passing.finished);
  CHECK(passing.failures.empty());
  CHECK(passing.out == "printed by a passing check\n");
  CHECK_THAT(passing.file, EndsWith("fixture_checks.cpp"));
  CHECK(passing.line > 0);

  const auto& comparison = check_named(run, "a comparison that fails");
  REQUIRE(comparison.failures.size() == 1);  // the second CHECK passed
  const Failure& failed = comparison.failures.front();
  CHECK(failed.kind == Failure::Kind::assertion);
  CHECK(failed.macro == "CHECK");
  CHECK(failed.expression == "actual == expected");
  CHECK(failed.expansion == "\"1: Dune\" == \"1: Dune. Description: sand\"");
  CHECK(failed.written() == "CHECK( actual == expected )");
  CHECK(failed.info ==
        std::vector<std::string>{"Expected: to_string() gives the description too",
                                 "see lessons/03_models/README.md, step 3",
                                 "Edit lessons/01_first/models/book.hpp (step 3 in "
                                 "lessons/01_first/README.md), then run ./workbook check 01"});
  CHECK_THAT(failed.file, EndsWith("fixture_checks.cpp"));
  CHECK(failed.line > comparison.line);

  const auto& exception = check_named(run, "an exception escapes");
  REQUIRE(exception.failures.size() == 1);
  CHECK(exception.failures.front().kind == Failure::Kind::exception);
  CHECK(exception.failures.front().message == "cannot connect to PostgreSQL at nowhere:1");
  CHECK(exception.err == "printed on stderr before the exception\n");

  const auto& nothrow = check_named(run, "REQUIRE_NOTHROW fails");
  REQUIRE(nothrow.failures.size() == 1);
  CHECK(nothrow.failures.front().kind == Failure::Kind::assertion);
  CHECK(nothrow.failures.front().macro == "REQUIRE_NOTHROW");
  CHECK(nothrow.failures.front().message == "not done yet: Book::to_string()");

  const auto& sections = check_named(run, "a failure inside sections");
  REQUIRE(sections.failures.size() == 1);
  CHECK(sections.failures.front().sections == std::vector<std::string>{"outer", "inner"});
  CHECK(sections.failures.front().message == "the inner section fails");
  CHECK(sections.failures.front().kind == Failure::Kind::assertion);

  CHECK(run.failures_of(Failure::Kind::assertion) == 3);
  CHECK(run.failures_of(Failure::Kind::exception) == 1);
}

TEST_CASE("a check that crashes fails, and the checks after it still run", "[reporter]") {
  for (const std::string mode : {"segfault", "exit"}) {
    DYNAMIC_SECTION("FIXTURE_MODE=" << mode) {
      std::string problem;
      const auto run = run_fixture(mode, problem);
      CHECK(problem.empty());
      REQUIRE(run.checks.size() == 7);
      const auto& dies = check_named(run, "the program dies here");
      CHECK_FALSE(dies.passed);
      REQUIRE_FALSE(dies.failures.empty());
      CHECK(dies.failures.back().kind == Failure::Kind::crash);
      CHECK(check_named(run, kAfterTheCrash).passed);
      CHECK(run.failures_of(Failure::Kind::crash) == 1);
    }
  }
}

TEST_CASE("checks split over several processes come back whole and in order", "[reporter]") {
  std::string problem;
  const auto whole = run_fixture("segfault", problem, 60, 1);
  const auto split = run_fixture("segfault", problem, 60, 3);
  CHECK(problem.empty());
  REQUIRE(split.checks.size() == whole.checks.size());
  for (std::size_t i = 0; i < whole.checks.size(); ++i) {
    CHECK(split.checks[i].name == whole.checks[i].name);
    CHECK(split.checks[i].passed == whole.checks[i].passed);
    CHECK(split.checks[i].failures.size() == whole.checks[i].failures.size());
  }
  CHECK(split.completed);
  CHECK(split.failures_of(Failure::Kind::crash) == 1);
}

TEST_CASE("a check that hangs is stopped and the checks after it still run", "[reporter]") {
  std::string problem;
  const auto run = run_fixture("hang", problem, 3);
  REQUIRE(run.checks.size() == 7);
  const auto& hangs = check_named(run, "the program dies here");
  REQUIRE(hangs.failures.size() == 1);
  CHECK(hangs.failures.front().kind == Failure::Kind::timeout);
  CHECK_THAT(hangs.failures.front().message, Contains("3 seconds"));
  CHECK(check_named(run, kAfterTheCrash).passed);
}

TEST_CASE("reading reporter records: torn lines and missing end records", "[reporter]") {
  const std::string text =
      "{\"type\":\"run\",\"name\":\"x\"}\n"
      "{\"type\":\"case-start\",\"name\":\"first\"}\n"
      "{\"type\":\"case\",\"name\":\"first\",\"passed\":true}\n"
      "{\"type\":\"case-start\",\"name\":\"second\"}\n"
      "{\"type\":\"failure\",\"case\":\"second\",\"kind\":\"exception\",\"message\":\"boom\"}\n"
      "{\"type\":\"case\",\"na";  // the program was killed while writing
  const auto run = workbook::parse_records(text);
  CHECK_FALSE(run.completed);
  REQUIRE(run.checks.size() == 2);
  CHECK(run.checks[0].passed);
  CHECK_FALSE(run.checks[1].finished);
  REQUIRE(run.checks[1].failures.size() == 1);
  CHECK(run.checks[1].failures[0].message == "boom");
  CHECK_FALSE(run.all_passed());

  CHECK_FALSE(workbook::parse_records("").all_passed());  // no checks is not a pass
  CHECK(workbook::parse_records("{\"type\":\"case-start\",\"name\":\"a\"}\n"
                                "{\"type\":\"case\",\"name\":\"a\",\"passed\":true}\n"
                                "{\"type\":\"end\"}\n")
            .all_passed());
}

TEST_CASE("expected and actual values come from an `actual == expected` check", "[render]") {
  std::string actual, expected;
  REQUIRE(workbook::split_comparison("run.exit_code == 0", "2 == 0", actual, expected));
  CHECK(actual == "2");
  CHECK(expected == "0");
  REQUIRE(workbook::split_comparison("book.to_string() == text", "\"a b\"\n==\n\"a b c\"", actual,
                                     expected));
  CHECK(actual == "\"a b\"");
  CHECK(expected == "\"a b c\"");
  // Ambiguous or not an equality: no split.
  CHECK_FALSE(workbook::split_comparison("a == b", "\"x == y\" == \"z\"", actual, expected));
  CHECK_FALSE(workbook::split_comparison("a != b", "1 != 1", actual, expected));
  CHECK_FALSE(workbook::split_comparison("exists(name)", "false", actual, expected));

  Failure failure;
  failure.kind = Failure::Kind::assertion;
  failure.macro = "REQUIRE";
  failure.expression = "run.exit_code == 0";
  failure.expansion = "2 == 0";
  failure.file = "/project/tests/lessons/lesson01_check.cpp";
  failure.line = 72;
  failure.info = {"see lessons/01_create_db/README.md, step 2"};
  const workbook::Paths paths{"/project", "/project/lessons"};
  CHECK(workbook::describe_failure(failure, paths, workbook::Style{}, 2) ==
        "  at tests/lessons/lesson01_check.cpp:72\n"
        "  failed:   REQUIRE( run.exit_code == 0 )\n"
        "  expected: 0\n"
        "  actual:   2\n"
        "  see lessons/01_create_db/README.md, step 2\n");
  CHECK(workbook::failure_summary(failure, paths) ==
        "REQUIRE( run.exit_code == 0 ): expected 0, actual 2 "
        "(tests/lessons/lesson01_check.cpp:72)");
}

TEST_CASE("the progress bar, in ASCII for logs", "[render]") {
  const workbook::Style plain;
  CHECK(workbook::progress_bar(0, 4, 8, plain) == "[--------]  0/4 lessons done");
  CHECK(workbook::progress_bar(2, 4, 8, plain) == "[####----]  2/4 lessons done");
  CHECK(workbook::progress_bar(4, 4, 8, plain) == "[########]  4/4 lessons done");
  workbook::Style fancy;
  fancy.unicode = true;
  CHECK(workbook::progress_bar(1, 4, 4, fancy) == "█░░░  1/4 lessons done");
  workbook::Style colored;
  colored.color = true;
  CHECK(workbook::progress_bar(1, 2, 2, colored) == "[\x1b[32m#\x1b[0m-]  1/2 lessons done");
}

TEST_CASE("NO_COLOR and pipes give plain output", "[render]") {
  // The test's stdout is not a terminal under ctest: no colour, no Unicode.
  ::setenv("NO_COLOR", "1", 1);
  const auto style = workbook::Style::detect();
  ::unsetenv("NO_COLOR");
  CHECK_FALSE(style.color);
  CHECK(style.red("x") == "x");
  CHECK(style.pass_mark() == "[x]");
}

TEST_CASE("build logs: the first compiler error of the step that failed", "[build]") {
  const std::string log =
      "[1/6] Building CXX object lib/CMakeFiles/orm.dir/src/url.cpp.o\n"
      "FAILED: lessons/02_connect/CMakeFiles/lesson02_app.dir/app/app.cpp.o \n"
      "/usr/bin/c++ -I/p/lessons/02_connect -c /p/lessons/02_connect/app/app.cpp\n"
      "/p/lessons/02_connect/app/app.cpp: In function 'orm::App create_app()':\n"
      "/p/lessons/02_connect/app/app.cpp:14:3: error: 'foo' was not declared in this scope\n"
      "   14 |   foo();\n"
      "      |   ^~~\n"
      "/p/lessons/02_connect/app/app.cpp:20:1: error: expected ';' before '}' token\n"
      "[2/6] Building CXX object lessons/03_models/CMakeFiles/lesson03.dir/main.cpp.o\n"
      "FAILED: tests/lessons/check_lesson03 \n"
      ": && /usr/bin/c++ -g tests/lessons/CMakeFiles/check_lesson03.dir/x.o -o check_lesson03\n"
      "/usr/bin/ld: x.o: in function `main':\n"
      "/p/tests/lessons/lesson03_check.cpp:10: undefined reference to `Book::to_string() const'\n"
      "collect2: error: ld returned 1 exit status\n"
      "ninja: build stopped: subcommand failed.\n";
  const auto steps = workbook::failed_steps(log);
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].outputs == "lessons/02_connect/CMakeFiles/lesson02_app.dir/app/app.cpp.o ");

  const auto error = workbook::first_error(steps[0].lines);
  CHECK(error.file == "/p/lessons/02_connect/app/app.cpp");
  CHECK(error.line == 14);
  CHECK(error.column == 3);
  CHECK(error.message == "'foo' was not declared in this scope");
  CHECK(error.excerpt ==
        std::vector<std::string>{
            "/p/lessons/02_connect/app/app.cpp: In function 'orm::App create_app()':",
            "/p/lessons/02_connect/app/app.cpp:14:3: error: 'foo' was not declared "
            "in this scope",
            "   14 |   foo();", "      |   ^~~"});
  const workbook::Paths paths{"/p", "/p/lessons"};
  CHECK(workbook::build_error_summary(error, paths) ==
        "lessons/02_connect/app/app.cpp:14: 'foo' was not declared in this scope");

  const auto link = workbook::first_error(steps[1].lines);
  CHECK(link.message == "undefined reference to `Book::to_string() const'");

  // Which step belongs to which lesson: by the files in its errors, then by target names.
  CHECK(workbook::step_for_lesson(steps, "/p/lessons/02_connect", {"lesson02", "check_lesson02"}) ==
        &steps[0]);
  CHECK(workbook::step_for_lesson(steps, "/p/lessons/03_models", {"lesson03", "check_lesson03"}) ==
        &steps[1]);
  CHECK(workbook::step_for_lesson({}, "/p/lessons/03_models", {"lesson03"}) == nullptr);

  // Which lesson a step makes something for: by target names and output folders.
  CHECK(workbook::step_belongs_to(steps[0], {"lesson02"}, {}));
  CHECK_FALSE(workbook::step_belongs_to(steps[0], {"lesson03"}, {}));
  CHECK(workbook::step_belongs_to(steps[1], {"lesson03"}, {}));  // check_lesson03
  CHECK_FALSE(workbook::step_belongs_to(steps[1], {"lesson0"}, {}));
  const workbook::FailedStep program{"lessons/03_models/hello_books", {}};
  CHECK(workbook::step_belongs_to(program, {"lesson03"}, {"lessons/03_models/"}));
  CHECK_FALSE(workbook::step_belongs_to(program, {"lesson03"}, {"lessons/02_connect/"}));
  const workbook::FailedStep shared{"lib/CMakeFiles/orm.dir/src/url.cpp.o", {}};
  CHECK_FALSE(workbook::step_belongs_to(shared, {"lesson03"}, {"lessons/03_models/"}));
}

TEST_CASE("Ninja's own error is the build error, not its progress line", "[build]") {
  const std::vector<std::string> lines = {
      "[0/2] Re-checking globbed directories...",
      "ninja: error: rebuilding 'build.ninja': Error writing to build log: Permission denied"};
  const auto error = workbook::first_error(lines);
  CHECK(error.message == lines[1]);
  CHECK(error.excerpt == std::vector<std::string>{lines[1]});
  // Output with no error in it at all: its lines, without Ninja's progress.
  const auto other = workbook::first_error({"[1/3] Building CXX object a.o", "killed"});
  CHECK(other.message == "killed");
}

TEST_CASE("a CMake error is a build error too", "[build]") {
  const std::string log =
      "-- Configuring incomplete, errors occurred!\n"
      "CMake Error at lessons/03_models/CMakeLists.txt:2 (workbook_lesson):\n"
      "  Unknown arguments: PROGRAM_SOURCE\n"
      "\n";
  const auto lines = workbook::cmake_errors(log);
  REQUIRE_FALSE(lines.empty());
  const auto error = workbook::first_error(lines);
  CHECK(error.file == "lessons/03_models/CMakeLists.txt");
  CHECK(error.line == 2);
  CHECK(error.message == "Unknown arguments: PROGRAM_SOURCE");
}

TEST_CASE("hints come one more at a time, in the order of lessons.json", "[hints]") {
  const std::string path = testing_support::scratch_directory() + "/hints.json";
  {
    auto log = workbook::HintLog::load(path);
    CHECK(log.revealed("03") == 0);
    CHECK(log.reveal("03", 3, false) == 1);
    CHECK(log.reveal("03", 3, false) == 2);
    CHECK(log.reveal("01", 2, false) == 1);  // lessons are counted apart
    log.save();
  }
  auto log = workbook::HintLog::load(path);  // remembered between runs
  CHECK(log.revealed("03") == 2);
  CHECK(log.reveal("03", 3, false) == 3);
  CHECK(log.reveal("03", 3, false) == 3);    // never past the last
  CHECK(log.reveal("01", 2, true) == 2);     // --all
  CHECK(log.reveal("03:2", 2, false) == 1);  // a step of lesson 03
  CHECK(log.reveal("030:2", 2, false) == 1);
  log.forget("03");
  CHECK(log.revealed("03") == 0);
  CHECK(log.revealed("03:2") == 0);   // its steps go too
  CHECK(log.revealed("030:2") == 1);  // not another lesson's
}

TEST_CASE("lessons.json: hints grouped by step", "[lessons]") {
  const auto catalog = workbook::Catalog::parse(
      R"({"lessons": [{"number": "01", "directory": "01_create_db", "title": "Create",
        "program": "p", "hints": [{"step": "2", "hints": ["a", "b"]},
                                  {"step": "your turn", "hints": ["c"]}]}]})",
      "lessons.json");
  const workbook::Lesson& lesson = catalog.lessons().at(0);
  REQUIRE(lesson.hint_steps.size() == 2);
  CHECK(lesson.hint_steps[0].step == "2");
  CHECK(lesson.hint_steps[1].hints == std::vector<std::string>{"c"});
  CHECK(lesson.hints == std::vector<std::string>{"a", "b", "c"});  // all, step after step
  REQUIRE(lesson.hint_step("your-turn") != nullptr);
  CHECK(lesson.hint_step("Your Turn") == &lesson.hint_steps[1]);
  CHECK(lesson.hint_step("3") == nullptr);

  CHECK_THROWS_WITH(
      workbook::Catalog::parse(R"({"lessons": [{"number": "01", "directory": "d", "title": "t",
        "program": "p", "hints": [{"step": "2", "hints": []}]}]})",
                               "x.json"),
      "x.json, lesson 1: a hint step needs a \"step\" name and \"hints\"");
  CHECK_THROWS_WITH(
      workbook::Catalog::parse(R"({"lessons": [{"number": "01", "directory": "d", "title": "t",
        "program": "p", "hints": [3]}]})",
                               "x.json"),
      "x.json, lesson 1: \"hints\" must list strings or {\"step\": ..., \"hints\": [...]}");
}

TEST_CASE("lessons.json: lessons by number or folder, clear errors", "[lessons]") {
  const auto catalog = workbook::Catalog::parse(
      R"({"lessons": [
        {"number": "01", "directory": "01_create_db", "title": "Create", "program": "p",
         "edit": ["main.cpp"], "hints": ["a", "b"]},
        {"number": "03", "directory": "03_models", "title": "Models", "program": "q",
         "generated": ["migrations"]}]})",
      "lessons.json");
  REQUIRE(catalog.lessons().size() == 2);
  CHECK(catalog.find("3")->directory == "03_models");
  CHECK(catalog.find("03")->directory == "03_models");
  CHECK(catalog.find("03_models")->number == "03");
  CHECK(catalog.find("2") == nullptr);
  CHECK(catalog.find("x") == nullptr);
  CHECK(catalog.lessons()[0].hints == std::vector<std::string>{"a", "b"});
  CHECK(catalog.lessons()[1].generated == std::vector<std::string>{"migrations"});
  CHECK(catalog.numbers() == "01 or 03");

  // grade --lessons: a selection keeps the catalog's order, whatever order the keys come in.
  const auto due = catalog.only({"03_models", "1"});
  REQUIRE(due.lessons().size() == 2);
  CHECK(due.lessons()[0].number == "01");
  CHECK(due.lessons()[1].number == "03");
  CHECK(catalog.only({"3"}).numbers() == "03");
  CHECK_THROWS_AS(catalog.only({"01", "09"}), std::invalid_argument);
  CHECK_THROWS_WITH(catalog.only({"09"}),
                    "there is no lesson '09': use 01 or 03 (./workbook list shows them)");

  CHECK_THROWS_WITH(workbook::Catalog::parse("{", "x.json"), "x.json is not valid JSON");
  CHECK_THROWS_WITH(workbook::Catalog::parse(R"({"lessons": [{"number": "01"}]})", "x.json"),
                    Contains("\"directory\" is missing"));
}

TEST_CASE("a solution may change only what sits right under a TODO comment", "[diff]") {
  using Lines = std::vector<std::string>;
  const Lines lesson = {
      "void create() {",
      "  // TODO (step 2): replace the line below: connect to the server,",
      "  // then create the database.",
      "  throw NotDoneYet(\"create\");",
      "}",
      "int main() {",
      "  create();",
      "}",
  };
  Lines solution = lesson;
  solution[3] = "  orm::Server server{url};";
  solution.insert(solution.begin() + 4, "  server.create_database(name);");
  CHECK(workbook::misplaced_changes(lesson, solution, "main.cpp").empty());

  SECTION("a change elsewhere is reported, with its lines") {
    Lines changed = solution;
    changed[8] = "  return 0; }";
    const auto problems = workbook::misplaced_changes(lesson, changed, "main.cpp");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].file == "main.cpp");
    CHECK(problems[0].line == 8);
    CHECK(problems[0].hunk == Lines{"- }", "+   return 0; }"});
  }
  SECTION("removing the TODO comment is a change outside the TODO") {
    Lines changed = lesson;
    changed.erase(changed.begin() + 1, changed.begin() + 4);
    CHECK_FALSE(workbook::misplaced_changes(lesson, changed, "main.cpp").empty());
  }
  SECTION("a one-line TODO at the end of a code line counts") {
    const Lines with_code = {"int x = 0;  // TODO: the answer", "return x;"};
    CHECK(workbook::misplaced_changes(with_code, {"int x = 0;  // TODO: the answer", "return 42;"},
                                      "a.cpp")
              .empty());
  }
  SECTION("an added block counts when it can slide up to the TODO over equal lines") {
    // The diff may put the insertion after the blank line; it is the same as right below TODO.
    const Lines before = {"// TODO: add fields", "", "};"};
    const Lines after = {"// TODO: add fields", "", "int id;", "", "};"};
    CHECK(workbook::misplaced_changes(before, after, "book.hpp").empty());
  }
  SECTION("a change in the first line has nothing above it") {
    CHECK_FALSE(workbook::misplaced_changes({"a", "b"}, {"x", "b"}, "f").empty());
  }
}

TEST_CASE("lesson and solution folders hold the same files", "[diff]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(testing_support::scratch_directory()) / "folders";
  fs::remove_all(root);
  workbook::write_file((root / "lesson/main.cpp").string(), "// TODO: x\nint a;\n");
  workbook::write_file((root / "solution/main.cpp").string(), "// TODO: x\nint b;\n");
  workbook::write_file((root / "lesson/README.md").string(), "text\n");  // not compared
  workbook::write_file((root / "solution/migrations/versions/1_a.cpp").string(), "generated\n");
  const std::string lesson = (root / "lesson").string(), solution = (root / "solution").string();
  CHECK(workbook::compare_folders(lesson, solution, {"migrations"}).empty());

  const auto problems = workbook::compare_folders(lesson, solution, {});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].file == "migrations/versions/1_a.cpp");
  CHECK_THAT(problems[0].message, Contains("not in the lesson"));

  workbook::write_file((root / "lesson/models/book.hpp").string(), "struct Book {};\n");
  const auto missing = workbook::compare_folders(lesson, solution, {"migrations"});
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].file == "models/book.hpp");
  CHECK_THAT(missing[0].message, Contains("not in the solution"));
}

TEST_CASE("JUnit XML: a suite per lesson, failures and errors apart", "[junit]") {
  workbook::LessonResult passed;
  passed.lesson.number = "01";
  passed.lesson.title = "Create <the> databases";
  passed.state = workbook::LessonResult::State::passed;
  passed.folder = "/student/lessons/01_create_db";
  passed.run.completed = true;
  passed.run.checks = {{"creates both", "f.cpp", 1, true, true, {}, "", "", 0.5}};

  workbook::LessonResult failed;
  failed.lesson.number = "02";
  failed.state = workbook::LessonResult::State::failed;
  Failure assertion;
  assertion.macro = "CHECK";
  assertion.expression = "name == \"x\"";
  assertion.expansion = "\"y\" == \"x\"";
  Failure thrown;
  thrown.kind = Failure::Kind::exception;
  thrown.message = "no <server> & no luck";
  failed.run.checks = {{"names \"x\"", "f.cpp", 2, true, false, {assertion}, "", "", 0.25},
                       {"throws", "f.cpp", 3, true, false, {thrown}, "", "", 0.125}};

  workbook::LessonResult broken;
  broken.lesson.number = "03";
  broken.state = workbook::LessonResult::State::build_failed;
  broken.build_error =
      workbook::BuildError{"/student/lessons/03_models/models/book.hpp", 7,  1, "expected ';'",
                           {"book.hpp:7:1: error: expected ';'"},        {}, 0};

  const workbook::Paths paths{"/project", "/student/lessons"};
  const std::string xml = workbook::junit_xml({passed, failed, broken}, "alice & bob", paths);
  CHECK_THAT(xml, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
                             "name=\"alice &amp; bob\" tests=\"4\" failures=\"1\" errors=\"2\""));
  CHECK_THAT(xml, Contains("<testsuite name=\"lesson01\" tests=\"1\" failures=\"0\" errors=\"0\""));
  CHECK_THAT(xml, Contains("<property name=\"title\" value=\"Create &lt;the&gt; databases\"/>"));
  CHECK_THAT(xml, Contains("<testcase classname=\"lesson01\" name=\"creates both\" "
                           "time=\"0.500\"/>"));
  CHECK_THAT(xml, Contains("<testsuite name=\"lesson02\" tests=\"2\" failures=\"1\" errors=\"1\""));
  CHECK_THAT(xml, Contains("name=\"names &quot;x&quot;\""));
  CHECK_THAT(xml, Contains("<failure type=\"assertion\" message=\"CHECK( name == &quot;x&quot; ): "
                           "expected &quot;x&quot;, actual &quot;y&quot;\">"));
  CHECK_THAT(xml, Contains("<error type=\"exception\" message=\"exception: no &lt;server&gt; "
                           "&amp; no luck\">"));
  CHECK_THAT(xml, Contains("<testsuite name=\"lesson03\" tests=\"1\" failures=\"0\" errors=\"1\""));
  CHECK_THAT(xml, Contains("<testcase classname=\"lesson03\" name=\"build\" time=\"0\">\n"
                           "      <error type=\"build\" message=\"does not compile: "
                           "lessons/03_models/models/book.hpp:7: expected &apos;;&apos;\">"));
  CHECK_THAT(xml, EndsWith("</testsuites>\n"));

  CHECK(workbook::xml_escape("a\x01z\xff") == "az\xef\xbf\xbd");  // forbidden and broken bytes
}

TEST_CASE("a compile error inside the library or a system header points at the student's line",
          "[build]") {
  const std::vector<std::string> own{"/p/lessons"};
  const workbook::Paths paths{"/p", "/p/lessons"};
  SECTION("a template instantiated from the student's line: g++'s \"required from here\"") {
    const std::vector<std::string> lines{
        "In file included from /usr/include/c++/12/algorithm:61,",
        "                 from /p/lessons/03_models/main.cpp:1:",
        "/usr/include/c++/12/bits/stl_algo.h: In instantiation of 'void std::__sort(...)':",
        "/usr/include/c++/12/bits/stl_algo.h:4820:18:   required from 'void std::sort(...)'",
        "/p/lessons/03_models/main.cpp:9:12:   required from here",
        "/usr/include/c++/12/bits/stl_algo.h:1938:50: error: no match for 'operator-'",
        " 1938 |     std::__lg(__last - __first) * 2,"};
    const auto error = workbook::first_error(lines, own);
    CHECK(error.file == "/usr/include/c++/12/bits/stl_algo.h");
    CHECK(error.own_file == "/p/lessons/03_models/main.cpp");
    CHECK(error.own_line == 9);
    CHECK(error.fix_file() == "/p/lessons/03_models/main.cpp");
    CHECK(error.fix_line() == 9);
    CHECK(workbook::build_error_summary(error, paths) ==
          "lessons/03_models/main.cpp:9: no match for 'operator-' (reported in "
          "/usr/include/c++/12/bits/stl_algo.h)");
    const std::string shown = workbook::describe_build_error(error, paths, {}, 0);
    CHECK_THAT(shown, Contains("lessons/03_models/main.cpp:9:12:   required from here"));
    CHECK_THAT(shown, Contains("your line lessons/03_models/main.cpp:9 leads there: fix it there"));
  }
  SECTION("the library's header, instantiated through two of the student's lines") {
    const std::vector<std::string> lines{
        "/p/lib/include/orm/session.hpp: In instantiation of 'void orm::Session::add(T&)':",
        "/p/lessons/03_models/app/store.hpp:12:5:   required from 'void store(T&)'",
        "/p/lessons/03_models/main.cpp:20:8:   required from here",
        "/p/lib/include/orm/session.hpp:40:5: error: 'fields' is not a member of 'Book'"};
    const auto error = workbook::first_error(lines, own);
    CHECK(error.own_file == "/p/lessons/03_models/main.cpp");  // the line that started it
    CHECK(error.own_line == 20);
  }
  SECTION("a header the student includes, with no template in between") {
    const std::vector<std::string> lines{
        "In file included from /p/lib/include/orm/orm.hpp:3,",
        "                 from /p/lessons/02_connect/app/app.hpp:4,",
        "                 from /p/lessons/02_connect/app/app.cpp:1:",
        "/p/lib/include/orm/model.hpp:7:1: error: expected unqualified-id before 'namespace'"};
    const auto error = workbook::first_error(lines, own);
    CHECK(error.own_file == "/p/lessons/02_connect/app/app.hpp");  // the innermost of theirs
    CHECK(error.own_line == 4);
  }
  SECTION("an error in the student's own file needs nothing more") {
    const std::vector<std::string> lines{
        "/p/lessons/02_connect/app/app.cpp:14:3: error: 'foo' was not declared in this scope"};
    const auto error = workbook::first_error(lines, own);
    CHECK(error.own_file.empty());
    CHECK(error.fix_file() == "/p/lessons/02_connect/app/app.cpp");
    CHECK_THAT(workbook::describe_build_error(error, paths, {}, 0), !Contains("fix it there"));
  }
}

TEST_CASE("build logs: the compiler's warnings about a lesson's files", "[build]") {
  const std::string log =
      "[1/3] Building CXX object lessons/01_create_db/CMakeFiles/lesson01.dir/main.cpp.o\n"
      "/p/lessons/01_create_db/main.cpp: In function 'int main()':\n"
      "/p/lessons/01_create_db/main.cpp:7:7: warning: unused variable 'unused' "
      "[-Wunused-variable]\n"
      "    7 |   int unused = 1;\n"
      "      |       ^~~~~~\n"
      "[2/3] Building CXX object lib/CMakeFiles/orm.dir/src/url.cpp.o\n"
      "/p/lib/src/url.cpp:3:1: warning: not the student's\n"
      "[3/3] Linking CXX executable lessons/01_create_db/create_databases\n";
  CHECK(workbook::warnings_in(log, "/p/lessons/01_create_db") ==
        std::vector<std::string>{"/p/lessons/01_create_db/main.cpp:7:7: warning: unused variable "
                                 "'unused' [-Wunused-variable]",
                                 "    7 |   int unused = 1;", "      |       ^~~~~~"});
  CHECK(workbook::warnings_in(log, "/p/lessons/02_connect").empty());
  CHECK(workbook::warnings_in(log, "/p/lessons/01_create_db", 0).empty());
}

TEST_CASE("content, not file times, decides which lessons are compiled again", "[build]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(testing_support::scratch_directory()) / "sources";
  fs::remove_all(root);
  const std::string folder = (root / "lessons/03_models").string();
  const std::string objects = (root / "build/CMakeFiles").string();
  const std::string record = (root / "build/sources.json").string();
  const std::string object = objects + "/lesson03.dir/main.cpp.o";
  const std::vector<workbook::LessonSources> lessons{{folder, {objects}}};
  const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 20);
  auto write = [&](const std::string& name, const std::string& text, bool old) {
    workbook::write_file(folder + "/" + name, text);
    if (old) fs::last_write_time(folder + "/" + name, old_time);  // as cp -a or tar leaves it
  };
  auto built = [&] { workbook::write_file(object, "object"); };
  write("main.cpp", "int main() { return 1; }\n", false);
  write("CMakeLists.txt", "workbook_lesson(PROGRAM_SOURCES main.cpp)\n", false);
  built();

  // No record yet: nothing is known about the objects, so they go.
  auto stale = workbook::forget_stale_objects(record, lessons);
  CHECK(stale.folders == std::vector<std::string>{folder});
  CHECK_FALSE(fs::exists(object));
  built();

  // The same content with an old time (touch -d 2000-01-01): nothing to do.
  write("main.cpp", "int main() { return 1; }\n", true);
  stale = workbook::forget_stale_objects(record, lessons);
  CHECK(stale.folders.empty());
  CHECK(fs::exists(object));

  // Other content with an old time (a solved copy put over with cp -a): compiled again.
  write("main.cpp", "int main() { return 0; }\n", true);
  stale = workbook::forget_stale_objects(record, lessons);
  CHECK(stale.folders == std::vector<std::string>{folder});
  CHECK_FALSE(stale.cmake_lists);
  CHECK_FALSE(fs::exists(object));
  built();

  // An edit saved now: Ninja sees its time, nothing to remove.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write("main.cpp", "int main() { return 2; }\n", false);
  stale = workbook::forget_stale_objects(record, lessons);
  CHECK(stale.folders.empty());
  CHECK(fs::exists(object));

  // A new file with an old time, and a CMakeLists.txt changed with an old time.
  write("helper.hpp", "#pragma once\n", true);
  write("CMakeLists.txt", "workbook_lesson(PROGRAM_SOURCES main.cpp helper.cpp)\n", true);
  stale = workbook::forget_stale_objects(record, lessons);
  CHECK(stale.folders == std::vector<std::string>{folder});
  CHECK(stale.cmake_lists);
  CHECK_FALSE(fs::exists(object));
}

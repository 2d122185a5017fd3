// Do not change this file: it is a pretend check program for the workbook tool's tests
// (tool_test.cpp). Each test case fails (or crashes, or hangs) in one known way, so the tests
// can compare what the "workbook" reporter wrote and what the tool read with what happened.
//
// FIXTURE_MODE chooses how the test case "the program dies here" behaves:
//   unset: it passes;  "segfault": raise(SIGSEGV);  "exit": _exit(3);  "hang": sleep.
// FIXTURE_MODE=all-pass makes every check pass (a finished lesson); FIXTURE_MODE=revision-folder
// makes "a comparison that fails" name a folder to edit (migrations/versions/) instead of a file,
// FIXTURE_MODE=not-finished makes it pass on what an unfinished program says, and
// FIXTURE_MODE=run-command makes it ask for two db commands and name no file.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

std::string mode() {
  const char* value = std::getenv("FIXTURE_MODE");
  return value == nullptr ? "" : value;
}

bool all_pass() {
  return mode() == "all-pass";
}

}  // namespace

TEST_CASE("a check that passes", "[fixture]") {
  std::cout << "printed by a passing check\n";
  CHECK(1 + 1 == 2);
}

TEST_CASE("a comparison that fails", "[fixture]") {
  if (all_pass()) return;
  const std::string actual = "1: Dune";
  const std::string expected = "1: Dune. Description: sand";
  INFO("Expected: to_string() gives the description too");
  INFO("see lessons/03_models/README.md, step 3");
  // As lesson_check::fix says it: `Next:` then names this file, not every file of the lesson.
  if (mode() == "not-finished") {
    FAIL(
        "hello_books is not finished yet. It says:\n    not done yet: save the books in "
        "main.cpp (step 3), see lessons/01_first/README.md\nWrite that part first, then run "
        "./workbook check 01");
  }
  if (mode() == "run-command") {
    FAIL(
        "Your migrations: there is no revision yet. Make it with ./workbook run 01 db migrate -m "
        "\"adds Book model, at last\", read it, apply it with ./workbook run 01 db upgrade (step "
        "3). Then run ./workbook check 01");
  }
  const std::string to_edit =
      mode() == "revision-folder" ? "migrations/versions/" : "models/book.hpp";
  INFO("Edit lessons/01_first/" + to_edit +
       " (step 3 in lessons/01_first/README.md), then run ./workbook check 01");
  CHECK(actual == expected);
  CHECK(2 + 2 == 4);
}

TEST_CASE("an exception escapes", "[fixture]") {
  if (all_pass()) return;
  std::cerr << "printed on stderr before the exception\n";
  throw std::runtime_error("cannot connect to PostgreSQL at nowhere:1");
}

TEST_CASE("REQUIRE_NOTHROW fails", "[fixture]") {
  if (all_pass()) return;
  REQUIRE_NOTHROW(throw std::logic_error("not done yet: Book::to_string()"));
}

TEST_CASE("a failure inside sections", "[fixture]") {
  if (all_pass()) return;
  SECTION("outer") {
    SECTION("inner") {
      FAIL("the inner section fails");
    }
  }
}

TEST_CASE("the program dies here", "[fixture]") {
  const std::string how = mode();
  if (how == "segfault") ::raise(SIGSEGV);
  if (how == "exit") ::_exit(3);
  if (how == "hang") ::sleep(600);
  CHECK(true);
}

// Its name has every character Catch2 treats specially in test names.
TEST_CASE("a check after the one that dies, named with \"quotes\", [brackets], ~ * and \\",
          "[fixture]") {
  CHECK(std::string("ok") == "ok");
}

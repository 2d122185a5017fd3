// Do not change this file: it is a pretend check program for the workbook tool's tests
// (tool_test.cpp). Each test case fails (or crashes, or hangs) in one known way, so the tests
// can compare what the "workbook" reporter wrote and what the tool read with what happened.
//
// FIXTURE_MODE chooses how the test case "the program dies here" behaves:
//   unset: it passes;  "segfault": raise(SIGSEGV);  "exit": _exit(3);  "hang": sleep.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

TEST_CASE("a check that passes", "[fixture]") {
  std::cout << "printed by a passing check\n";
  CHECK(1 + 1 == 2);
}

TEST_CASE("a comparison that fails", "[fixture]") {
  const std::string actual = "1: Dune";
  const std::string expected = "1: Dune. Description: sand";
  INFO("Expected: to_string() gives the description too");
  INFO("see lessons/03_models/README.md, step 3");
  CHECK(actual == expected);
  CHECK(2 + 2 == 4);
}

TEST_CASE("an exception escapes", "[fixture]") {
  std::cerr << "printed on stderr before the exception\n";
  throw std::runtime_error("cannot connect to PostgreSQL at nowhere:1");
}

TEST_CASE("REQUIRE_NOTHROW fails", "[fixture]") {
  REQUIRE_NOTHROW(throw std::logic_error("not done yet: Book::to_string()"));
}

TEST_CASE("a failure inside sections", "[fixture]") {
  SECTION("outer") {
    SECTION("inner") {
      FAIL("the inner section fails");
    }
  }
}

TEST_CASE("the program dies here", "[fixture]") {
  const char* mode = std::getenv("FIXTURE_MODE");
  const std::string how = mode == nullptr ? "" : mode;
  if (how == "segfault") ::raise(SIGSEGV);
  if (how == "exit") ::_exit(3);
  if (how == "hang") ::sleep(600);
  CHECK(true);
}

TEST_CASE("a check after the one that dies", "[fixture]") {
  CHECK(std::string("ok") == "ok");
}

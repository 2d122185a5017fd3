// A pretend check program for the tool's message tests (messages_test.cpp): each test case fails
// in a way where Catch2, left alone, would show its own internals or repeat itself.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A helper with its own REQUIRE, called inside another assertion's expression.
bool require_positive(int number) {
  REQUIRE(number > 0);
  return true;
}

// A type Catch2 cannot print.
struct Opaque {
  int value;
  bool operator==(const Opaque& other) const { return value == other.value; }
};

std::string throws_while_printing() {
  throw std::runtime_error("no text");
}

}  // namespace

TEST_CASE("an assertion inside another assertion fails", "[messages]") {
  CHECK(require_positive(-1));
}

TEST_CASE("an exception escapes after the last assertion", "[messages]") {
  CHECK(1 + 1 == 2);
  throw std::runtime_error("cannot connect to the database");
}

TEST_CASE("CHECK_FALSE of a value that is true", "[messages]") {
  const bool testing = std::getenv("PATH") != nullptr;
  CHECK_FALSE(testing);
}

TEST_CASE("CHECK of a value that is false", "[messages]") {
  const std::string err = "something on stderr";
  CHECK(err.empty());
}

TEST_CASE("a value the framework cannot print", "[messages]") {
  CHECK(Opaque{1} == Opaque{2});
}

TEST_CASE("an exception that is not a std::exception", "[messages]") {
  throw 42;
}

TEST_CASE("FAIL whose message cannot be built", "[messages]") {
  FAIL("the message: " << throws_while_printing());
}

TEST_CASE("the same failure three times in a loop", "[messages]") {
  const std::vector<std::string> rows{"a", "b", "c"};
  INFO("every row must be empty");
  for (const auto& row : rows) CHECK(row.empty());
}

TEST_CASE("two failures that share their explanation", "[messages]") {
  INFO("a long explanation of what the check runs and what it expects, with the output");
  CHECK(std::string("1: Dune") == "1: Dune. Description: sand");
  CHECK(std::string("2: Emma") == "2: Emma. Description: (none)");
}

TEST_CASE("not done yet, first", "[messages]") {
  throw std::logic_error("not done yet: Book::to_string() in models/book.hpp");
}

TEST_CASE("not done yet, second", "[messages]") {
  throw std::logic_error("not done yet: Book::to_string() in models/book.hpp");
}

namespace {

// A reason longer than a screen line, in letters of two bytes each in UTF-8.
std::string long_reason() {
  std::string reason = "Not checked yet: x";          // 18 bytes: byte 117 falls inside a letter
  for (int i = 0; i < 60; ++i) reason += "\xC3\xA9";  // é
  return reason;
}

}  // namespace

TEST_CASE("a long reason, first", "[messages]") {
  throw std::logic_error(long_reason());
}

TEST_CASE("a long reason, second", "[messages]") {
  throw std::logic_error(long_reason());
}

TEST_CASE("a crash", "[messages]") {
  if (std::getenv("FIXTURE_CRASH") != nullptr) ::raise(SIGSEGV);
  CHECK(true);
}

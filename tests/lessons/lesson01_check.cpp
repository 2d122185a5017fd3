// Do not change this file: it checks your work on lesson 01 (label lesson01). Run it with
// ./workbook check 01.
//
// It runs your create_databases program with DATABASE_URL and TEST_DATABASE_URL pointed at two
// fresh database names (so your own hello_books databases are never touched), and looks at what
// the program did on the server and what it printed.
#include <catch2/catch.hpp>

#include <string>

#include "lesson_check.hpp"
#include "orm/server.hpp"
#include "test_database.hpp"

using Catch::Matchers::Contains;
using lesson_check::ProgramRun;

namespace {

// Two database names of this check run; the test harness drops them when the run ends.
struct Names {
  std::string development = testing_support::scratch_database_name("dev");
  std::string test = testing_support::scratch_database_name("test");

  Names() {
    lesson_check::require_server();
    drop_if_exists(development);
    drop_if_exists(test);
  }
  // Earlier checks of this run may have made them.
  static void drop_if_exists(const std::string& name) {
    orm::Server(testing_support::server_url()).drop_database(name, true);
  }
  std::string url(const std::string& name) const {
    return testing_support::server_url().with_database(name).uri_with_password();
  }
  ProgramRun run_program() const {
    return lesson_check::run_program(
        LESSON_PROGRAM, {}, {{"DATABASE_URL", url(development)}, {"TEST_DATABASE_URL", url(test)}});
  }
};

// The line of the program's output that names `database` ("" when there is none).
std::string line_about(const ProgramRun& run, const std::string& database) {
  const auto lines = lesson_check::lines_with(run.out, database);
  return lines.empty() ? std::string() : lines.front();
}

// A one-line error: one line on stderr, nothing on stdout is required.
void check_one_line_error(const ProgramRun& run) {
  CHECK(run.exit_code != 0);
  CHECK(!run.timed_out);
  CHECK(run.exit_code < 128);  // an error message, not a crash
  CHECK(run.err_lines().size() == 1);
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson01]") {
  lesson_check::require_server();
}

TEST_CASE("create_databases creates both databases and says it created them", "[lesson01]") {
  const Names names;
  const ProgramRun run = names.run_program();
  INFO(run.describe());
  INFO(
      "Expected: exit code 0, both databases created, and one output line for each, e.g.\n"
      "    Created database "
      << names.development << "\n    Created database " << names.test);
  INFO(SEE_STEP(2));
  REQUIRE(run.exit_code == 0);
  CHECK(lesson_check::database_exists(names.development));
  CHECK(lesson_check::database_exists(names.test));
  CHECK_THAT(line_about(run, names.development), Contains("created", Catch::CaseSensitive::No));
  CHECK_THAT(line_about(run, names.test), Contains("created", Catch::CaseSensitive::No));
  CHECK(run.err.empty());
}

TEST_CASE("a second run changes nothing and says the databases exist", "[lesson01]") {
  const Names names;
  const ProgramRun first = names.run_program();
  {
    INFO(first.describe());
    INFO(SEE_STEP(2));
    REQUIRE(first.exit_code == 0);
  }
  const ProgramRun second = names.run_program();
  INFO(
      "The program must be safe to run again: the second run finds both databases there, "
      "leaves them alone, exits with 0 and says so, e.g.\n    Database "
      << names.development << " already exists");
  INFO(second.describe());
  INFO(SEE_STEP(2));
  REQUIRE(second.exit_code == 0);
  CHECK(lesson_check::database_exists(names.development));
  CHECK(lesson_check::database_exists(names.test));
  CHECK_THAT(line_about(second, names.development), Contains("exists", Catch::CaseSensitive::No));
  CHECK_THAT(line_about(second, names.test), Contains("exists", Catch::CaseSensitive::No));
  CHECK_THAT(line_about(second, names.development), !Contains("created", Catch::CaseSensitive::No));
  CHECK_THAT(line_about(second, names.test), !Contains("created", Catch::CaseSensitive::No));
  CHECK(second.err.empty());
}

TEST_CASE("when one database exists, create_databases creates only the other", "[lesson01]") {
  const Names names;
  orm::Server(testing_support::server_url()).create_database(names.development);
  const ProgramRun run = names.run_program();
  INFO(run.describe());
  INFO("Expected: " << names.development << " already existed, so the output says it exists, and "
                    << names.test << " was created, so the output says created.");
  INFO(SEE_STEP(2));
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(line_about(run, names.development), Contains("exists", Catch::CaseSensitive::No));
  CHECK_THAT(line_about(run, names.test), Contains("created", Catch::CaseSensitive::No));
  CHECK(lesson_check::database_exists(names.test));
}

TEST_CASE("with the server down, create_databases prints a one-line error and fails",
          "[lesson01]") {
  lesson_check::require_server();
  const std::string nowhere = lesson_check::unreachable_url("hello_books_development");
  const auto url = orm::DatabaseUrl::parse(nowhere);
  const ProgramRun run = lesson_check::run_program(
      LESSON_PROGRAM, {},
      {{"DATABASE_URL", nowhere},
       {"TEST_DATABASE_URL", url.with_database("hello_books_test").uri_with_password()}});
  INFO(run.describe());
  INFO("Expected: a non-zero exit code and ONE line on stderr that names the server ("
       << url.server() << "), e.g.\n    create_databases: cannot connect to PostgreSQL at "
       << url.server() << " (...): is the server running? ...");
  INFO(SEE_STEP(2));
  check_one_line_error(run);
  CHECK_THAT(run.err, Contains(url.server()));
}

TEST_CASE("with a wrong password, create_databases prints a one-line error without the password",
          "[lesson01]") {
  const Names names;
  const std::string password = "not-the-password-42";
  const auto& server = testing_support::server_url();
  const ProgramRun run = lesson_check::run_program(
      LESSON_PROGRAM, {},
      {{"DATABASE_URL",
        lesson_check::url_with_password(server.with_database(names.development), password)},
       {"TEST_DATABASE_URL",
        lesson_check::url_with_password(server.with_database(names.test), password)}});
  INFO(run.describe());
  INFO(
      "Expected: a non-zero exit code and ONE line on stderr that says the password is wrong, "
      "and never the password itself.");
  INFO(SEE_STEP(2));
  check_one_line_error(run);
  CHECK_THAT(run.err, Contains("password", Catch::CaseSensitive::No));
  CHECK_THAT(run.err, !Contains(password));
  CHECK_THAT(run.out, !Contains(password));
  CHECK_FALSE(lesson_check::database_exists(names.development));
}

// Do not change this file: it checks your work on lesson 01 (label lesson01). Run it with
// ./workbook check 01.
//
// It runs your create_databases program with DATABASE_URL and TEST_DATABASE_URL pointed at
// fresh database names of its own (so your own hello_books databases are never touched), and
// looks at what the program did on the server and what it printed.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lesson_check.hpp"
#include "orm/server.hpp"
#include "test_database.hpp"

using lesson_check::fix;
using lesson_check::ProgramRun;

namespace {

const char* const kProgram = "create_databases";

orm::Server server() {
  return orm::Server(testing_support::server_url());
}

// Database names of this check run; the test harness drops them when the run ends.
struct Names {
  std::string development = testing_support::scratch_database_name("dev");
  std::string test = testing_support::scratch_database_name("test");
  std::string extra = testing_support::scratch_database_name("extra");

  Names() {
    lesson_check::require_server();
    for (const auto* name : {&development, &test, &extra}) drop_if_exists(*name);
  }
  // Earlier checks of this run may have made them.
  static void drop_if_exists(const std::string& name) { server().drop_database(name, true); }
  // Creates `name` as the program would, but in the harness's fast scratch space (a database
  // the program makes itself lands on disk, where each costs 200-500 ms).
  static void create(std::string_view suffix) { testing_support::scratch_database(suffix); }
  static std::string url(const std::string& name) {
    return testing_support::server_url().with_database(name).uri_with_password();
  }
  ProgramRun run_program(const std::vector<std::string>& arguments = {}) const {
    return lesson_check::run_program(
        LESSON_PROGRAM, arguments,
        {{"DATABASE_URL", url(development)}, {"TEST_DATABASE_URL", url(test)}});
  }
};

// The line of the program's output that names `database` ("" when there is none).
std::string line_about(const ProgramRun& run, const std::string& database) {
  const auto lines = lesson_check::lines_with(run.out, database);
  return lines.empty() ? std::string() : lines.front();
}

bool says(const std::string& line, const std::string& word) {
  std::string lower;
  for (const char c : line) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(word) != std::string::npos;
}

// Fails when the program stopped at an unfinished step (`primary`: this check explains it), or
// did not exit with 0.
void require_clean_run(const ProgramRun& run, const std::string& part, bool primary = false) {
  if (run.not_done()) {
    FAIL(lesson_check::not_finished(run, kProgram, primary)
         << (primary ? "\n(The checks run your program with database names of their own, like "
                       "the one above, so your hello_books databases are never touched.)"
                     : ""));
  }
  if (run.exit_code != 0) {
    FAIL(kProgram << " failed where it should have succeeded.\n"
                  << run.describe() << fix("main.cpp", part));
  }
}

// The lines about each database must say `word` ("created", "exists"): one failure for all.
void check_lines(const ProgramRun& run,
                 const std::vector<std::pair<std::string, std::string>>& want,
                 const std::string& part) {
  std::string problems;
  for (const auto& [name, word] : want) {
    const std::string line = line_about(run, name);
    if (says(line, word)) continue;
    problems +=
        "    about " + name + ": " + (line.empty() ? "no line" : "\"" + line + "\"") +
        "; expected \"" +
        (word == "created" ? "Created database " + name : "Database " + name + " already exists") +
        "\"\n";
  }
  if (problems.empty()) return;
  FAIL_CHECK("The output does not say what happened to each database:\n"
             << problems
             << "(Your program learns which happened from what the server's create call "
                "returns.)\n"
             << run.describe() << fix("main.cpp", part));
}

// A one-line error: a non-zero exit code (not a crash) and one line on stderr.
void check_one_line_error(const ProgramRun& run, const std::string& expected,
                          const std::string& part = "step 2") {
  if (run.not_done()) FAIL(lesson_check::not_finished(run, kProgram));
  if (run.exit_code == 0 || run.exit_code >= 128 || run.timed_out || run.err_lines().size() != 1) {
    FAIL("Expected: " << expected << "\n"
                      << run.describe()
                      << "main() turns an exception into that one line: let the library's "
                         "exception reach it (do not catch it in create_database()), and print "
                         "only on success. "
                      << fix("main.cpp", part));
  }
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson01]") {
  lesson_check::require_server();
}

TEST_CASE("create_databases creates both databases and says it created them", "[lesson01]") {
  const Names names;
  const ProgramRun run = names.run_program();
  require_clean_run(run, "step 2", true);
  for (const auto* name : {&names.development, &names.test}) {
    if (!lesson_check::database_exists(*name)) {
      FAIL("The program exited with 0 but did not create " << *name << ".\n"
                                                           << run.describe()
                                                           << fix("main.cpp", "step 2"));
    }
  }
  check_lines(run, {{names.development, "created"}, {names.test, "created"}}, "step 2");
  if (!run.err.empty()) {
    FAIL_CHECK("A run that succeeds prints nothing on stderr (graders read it).\n"
               << run.describe() << fix("main.cpp", "step 2"));
  }
}

TEST_CASE("a second run changes nothing and says the databases exist", "[lesson01]") {
  const Names names;
  Names::create("dev");  // as the first run left them
  Names::create("test");
  const ProgramRun second = names.run_program();
  require_clean_run(second, "step 2");
  check_lines(second, {{names.development, "exists"}, {names.test, "exists"}}, "step 2");
}

TEST_CASE("when one database exists, create_databases creates only the other", "[lesson01]") {
  const Names names;
  Names::create("dev");
  const ProgramRun run = names.run_program();
  require_clean_run(run, "step 2");
  check_lines(run, {{names.development, "exists"}, {names.test, "created"}}, "step 2");
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
  check_one_line_error(run, "a non-zero exit code and ONE line on stderr that names the server (" +
                                url.server() + "), e.g. create_databases: cannot connect to " +
                                "PostgreSQL at " + url.server() + " (...)");
  if (run.err.find(url.server()) == std::string::npos) {
    FAIL("The error line does not name the server, " << url.server() << ".\n"
                                                     << run.describe()
                                                     << fix("main.cpp", "step 2"));
  }
}

TEST_CASE("with a wrong password, create_databases prints a one-line error without the password",
          "[lesson01]") {
  const Names names;
  const std::string password = "not-the-password-42";
  const auto& url = testing_support::server_url();
  const ProgramRun run = lesson_check::run_program(
      LESSON_PROGRAM, {},
      {{"DATABASE_URL",
        lesson_check::url_with_password(url.with_database(names.development), password)},
       {"TEST_DATABASE_URL",
        lesson_check::url_with_password(url.with_database(names.test), password)}});
  check_one_line_error(run,
                       "a non-zero exit code and ONE line on stderr that says the password "
                       "is wrong");
  if (run.err.find(password) != std::string::npos || run.out.find(password) != std::string::npos) {
    FAIL(
        "The program printed the password. Never print a URL as it is: print "
        "url.masked(), or let the library's error message speak. "
        << fix("main.cpp", "step 2"));
  }
  if (!says(run.err, "password")) {
    FAIL("The error line does not say that the password is wrong.\n"
         << run.describe() << fix("main.cpp", "step 2"));
  }
}

TEST_CASE("your turn: create_databases NAME also creates NAME, once", "[lesson01]") {
  const Names names;
  Names::create("dev");  // this check is about NAME: the other two are there already
  Names::create("test");
  const ProgramRun first = names.run_program({names.extra});
  require_clean_run(first, "Your turn");
  if (!lesson_check::database_exists(names.extra)) {
    FAIL("./workbook run 01 " << names.extra << " must also create " << names.extra
                              << ", on the server in DATABASE_URL; it did not.\n"
                              << first.describe() << fix("main.cpp", "Your turn"));
  }
  check_lines(first, {{names.extra, "created"}}, "Your turn");
  const ProgramRun second = names.run_program({names.extra});
  require_clean_run(second, "Your turn");
  check_lines(second, {{names.extra, "exists"}}, "Your turn");
}

TEST_CASE("your turn: a name PostgreSQL cannot take stops the program before it creates anything",
          "[lesson01]") {
  const Names names;
  const std::string too_long = names.extra + "_" + std::string(64, 'x');  // names: 63 bytes
  const ProgramRun run = names.run_program({names.extra, too_long});
  // PostgreSQL cuts a long name to 63 bytes; clean up if the program created that.
  Names::drop_if_exists(too_long.substr(0, 63));

  if (run.not_done()) FAIL(lesson_check::not_finished(run, kProgram));
  std::vector<std::string> created;
  for (const auto* name : {&names.development, &names.test, &names.extra}) {
    if (lesson_check::database_exists(*name)) created.push_back(*name);
  }
  if (run.exit_code == 0) {
    FAIL("With the names " << names.extra << " and a name of " << too_long.size()
                           << " bytes (PostgreSQL allows 63), the program must stop with an "
                              "error; it exited with 0"
                           << (lesson_check::database_exists(names.extra)
                                   ? ".\n"
                                   : ": it seems to ignore the names on its command line.\n")
                           << run.describe() << fix("main.cpp", "Your turn"));
  }
  if (!created.empty()) {
    std::string list;
    for (const auto& name : created) list += " " + name;
    FAIL("The program stopped, but only after creating" << list
                                                        << ". Check every name before creating "
                                                           "any database.\n"
                                                        << run.describe()
                                                        << fix("main.cpp", "Your turn"));
  }
  check_one_line_error(run, "a non-zero exit code and ONE line on stderr about the name",
                       "Your turn");
}

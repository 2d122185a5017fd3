// Do not change this file: it checks your work on lesson 02 (label lesson02). Run it with
// ./workbook check 02.
//
// It calls your create_app() with different configurations and environment variables, and runs
// your hello_books program against a test database of its own.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "app/app.hpp"
#include "lesson_check.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"
#include "workbook/not_done.hpp"

using lesson_check::fix;
using lesson_check::ScopedEnv;

namespace {

// The lesson's your turn invites the student to keep HELLO_BOOKS_DATABASE set in the shell: the
// checks start without it (and so do the programs they run), and the your-turn checks set it
// themselves.
[[maybe_unused]] const bool hello_books_database_unset = ::unsetenv("HELLO_BOOKS_DATABASE") == 0;

// Another URL on the test server, to tell the configuration sources apart. It carries a
// password (which the workbook's own server does not ask for), so that an app that kept the
// masked URL instead of the real one is told apart from one that kept the URL.
std::string other_url(const std::string& database) {
  return testing_support::url_with_unused_password(
      testing_support::server_url().with_database(database), "unused-pw-4711");
}

// The part of the lesson text that writes the branch create_app() takes.
std::string part_for(const std::optional<orm::TestConfig>& test_config) {
  return test_config ? "step 3" : "step 2";
}

// create_app(test_config), or a failure that says why there is no app. The `primary` check of
// a step explains an unfinished step in full; the others say they wait for it.
orm::App make_app(const std::optional<orm::TestConfig>& test_config = std::nullopt,
                  bool primary = false) {
  const std::string call = test_config ? "create_app(orm::TestConfig{...})" : "create_app()";
  try {
    return create_app(test_config);
  } catch (const workbook::NotDoneYet& e) {
    if (!primary) {
      FAIL("Not checked yet: " << call << " is not finished (" << part_for(test_config)
                               << "; see the check \""
                               << (test_config ? "create_app(orm::TestConfig{}) is a testing app "
                                                 "on TEST_DATABASE_URL"
                                               : "create_app() uses DATABASE_URL when it is set")
                               << "\").");
    }
    FAIL(call << " is not finished yet. It says:\n    " << e.what()
              << "\nWrite that part first, then run " << lesson_check::rerun()
              << lesson_check::stuck_for(e.what()));
  } catch (const std::exception& e) {
    FAIL(call << " threw instead of returning the app:\n    " << e.what() << "\n"
              << fix("app/app.cpp", part_for(test_config)));
  }
  throw std::logic_error("unreachable");
}

// The app's database must be `expected` (a URL); says which source create_app() used instead.
void require_database(const orm::App& app, const std::string& expected, const std::string& why,
                      const std::string& part) {
  const auto want = orm::DatabaseUrl::parse(expected);
  // The whole URL, password included (a URL copied from masked() has lost it); shown masked.
  if (app.database_url().uri_with_password() == want.uri_with_password()) return;
  if (app.database_url().masked() == want.masked()) {
    FAIL(why << "\n    The URL is right but its password is not: a URL made from masked() "
                "holds *** instead of the password. Keep the full URL (uri_with_password()).\n"
             << fix("app/app.cpp", part));
  }
  FAIL(why << "\n    expected: " << want.masked()
           << "\n    actual:   " << app.database_url().masked() << "\n"
           << fix("app/app.cpp", part));
}

// Whether the app is a testing app: checked once for each kind of app (the other checks of the
// same branch check only its URL, so a missing flag fails once).
void require_testing(const orm::App& app, bool testing) {
  if (app.testing() == testing) return;
  FAIL((testing ? "The app made with a test config must be a testing app (app.testing() is "
                  "false): the app must know it runs tests."
                : "The app made without a test config must not be a testing app (app.testing() "
                  "is true).")
       << "\n"
       << fix("app/app.cpp", testing ? "step 3" : "step 2"));
}

// Checks that need create_app() to honour DATABASE_URL wait for step 2 instead of blaming
// their own part.
void require_step2(const std::string& database_url) {
  const ScopedEnv variable("DATABASE_URL", database_url);
  const orm::App app = make_app();
  if (app.database_url().masked() != orm::DatabaseUrl::parse(database_url).masked()) {
    FAIL(
        "Not checked yet: create_app() does not use DATABASE_URL (step 2; see the check "
        "\"create_app() uses DATABASE_URL when it is set\"). Finish step 2, then run "
        << lesson_check::rerun());
  }
}

// The same for the checks that need create_app(orm::TestConfig{}) to honour TEST_DATABASE_URL.
void require_step3(const std::string& test_database_url) {
  const ScopedEnv variable("TEST_DATABASE_URL", test_database_url);
  const orm::App app = make_app(orm::TestConfig{});
  if (app.database_url().masked() != orm::DatabaseUrl::parse(test_database_url).masked()) {
    FAIL(
        "Not checked yet: create_app(orm::TestConfig{}) does not use TEST_DATABASE_URL (step 3; "
        "see the check \"create_app(orm::TestConfig{}) is a testing app on TEST_DATABASE_URL\"). "
        "Finish step 3, then run "
        << lesson_check::rerun());
  }
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson02]") {
  lesson_check::require_server();
}

TEST_CASE("create_app() uses DATABASE_URL when it is set", "[lesson02]") {
  lesson_check::require_server();
  const std::string url = other_url("hello_books_from_environment");
  const ScopedEnv database_url("DATABASE_URL", url);
  const orm::App app = make_app(std::nullopt, true);
  require_database(app, url,
                   "DATABASE_URL is set, so create_app() must use it (the way another machine "
                   "points the program at its own server).",
                   "step 2");
  require_testing(app, false);
}

TEST_CASE("create_app() without DATABASE_URL uses the default development URL", "[lesson02]") {
  lesson_check::require_server();
  const ScopedEnv database_url("DATABASE_URL", std::nullopt);
  const ScopedEnv test_database_url("TEST_DATABASE_URL", other_url("not_this_one_test"));
  const orm::App app = make_app();
  require_database(app, kDefaultDatabaseUrl,
                   "DATABASE_URL is not set, so create_app() must use kDefaultDatabaseUrl from "
                   "app/app.hpp.",
                   "step 2");
}

TEST_CASE("create_app(orm::TestConfig{}) is a testing app on TEST_DATABASE_URL", "[lesson02]") {
  lesson_check::require_server();
  const std::string url = other_url("hello_books_from_test_env");
  const ScopedEnv database_url("DATABASE_URL", other_url("not_this_one_development"));
  const ScopedEnv test_database_url("TEST_DATABASE_URL", url);
  const orm::App app = make_app(orm::TestConfig{}, true);
  require_database(app, url,
                   "The test config names no database and TEST_DATABASE_URL is set, so the test "
                   "app must use TEST_DATABASE_URL (never DATABASE_URL).",
                   "step 3");
  require_testing(app, true);
}

TEST_CASE("create_app(orm::TestConfig{}) without TEST_DATABASE_URL uses the default test URL",
          "[lesson02]") {
  lesson_check::require_server();
  const ScopedEnv database_url("DATABASE_URL", other_url("not_this_one_development"));
  const ScopedEnv test_database_url("TEST_DATABASE_URL", std::nullopt);
  const orm::App app = make_app(orm::TestConfig{});
  require_database(app, kDefaultTestDatabaseUrl,
                   "Neither the test config nor TEST_DATABASE_URL names a database, so the test "
                   "app must use kDefaultTestDatabaseUrl from app/app.hpp (never DATABASE_URL).",
                   "step 3");
}

TEST_CASE("create_app(orm::TestConfig{url}) uses the URL it is given", "[lesson02]") {
  lesson_check::require_server();
  const std::string url = other_url("hello_books_given_test");
  const ScopedEnv test_database_url("TEST_DATABASE_URL", other_url("not_this_one_test"));
  const orm::App app = make_app(orm::TestConfig{url});
  require_database(app, url, "The test config names a database, so it wins over TEST_DATABASE_URL.",
                   "step 3");
}

TEST_CASE("the test app connects to its database", "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  orm::App app = make_app(orm::TestConfig{});
  require_database(app, test_database.uri_with_password(),
                   "TEST_DATABASE_URL names this check's own database; the test app must use it.",
                   "step 3");
  try {
    orm::Session session = app.session();
    const auto name = session.execute("SELECT current_database()")[0][0].as<std::string>();
    if (name != test_database.database()) {
      FAIL("The test app is connected to " << name << ", not to " << test_database.database()
                                           << ".\n"
                                           << fix("app/app.cpp", "step 3"));
    }
  } catch (const std::exception& e) {
    FAIL("The test app could not reach its database:\n    " << e.what() << "\n"
                                                            << fix("app/app.cpp", "step 3"));
  }
}

TEST_CASE("hello_books prints the masked URL, the database name and the server version",
          "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  require_step2(test_database.uri_with_password());
  orm::Database db(test_database);
  const std::string version = db.server_version();
  // With a password in the URL (the workbook's own server does not ask for it), so that it shows
  // when the URL is printed unmasked.
  const auto url = orm::DatabaseUrl::parse(
      testing_support::url_with_unused_password(test_database, "unused-pw-4711"));
  const auto run =
      lesson_check::run_program(LESSON_PROGRAM, {}, {{"DATABASE_URL", url.uri_with_password()}});
  if (run.not_done()) FAIL(lesson_check::not_finished(run, "hello_books", true));
  const std::string expected = "hello_books is connected to " + url.masked() +
                               "\ndatabase: " + test_database.database() + "\nserver: PostgreSQL " +
                               version + "\n";
  if (run.exit_code != 0 || run.out != expected || !run.err.empty()) {
    FAIL("Expected exit code 0, nothing on stderr, and exactly these three lines:\n"
         << lesson_check::lines_of(expected).at(0) << "\n"
         << lesson_check::lines_of(expected).at(1) << "\n"
         << lesson_check::lines_of(expected).at(2) << "\n"
         << run.describe()
         << (run.out.find(url.uri_with_password()) != std::string::npos
                 ? "It printed the password: print the masked URL. "
                 : "")
         << fix("main.cpp", "step 4"));
  }
}

TEST_CASE("hello_books with a wrong password prints one line without the password", "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  const std::string password = "not-the-password-42";
  const std::string wrong = lesson_check::url_with_password(test_database, password);
  require_step2(wrong);
  const auto run = lesson_check::run_program(LESSON_PROGRAM, {}, {{"DATABASE_URL", wrong}});
  if (run.not_done()) FAIL(lesson_check::not_finished(run, "hello_books"));
  if (run.out.find(password) != std::string::npos || run.err.find(password) != std::string::npos) {
    FAIL("With a wrong password in DATABASE_URL the program printed the password.\n"
         << "Print only the masked URL; the library's error messages never hold it. "
         << fix("main.cpp", "step 4"));
  }
  if (run.exit_code == 0) {
    FAIL(
        "With a wrong password in DATABASE_URL the program exited with 0: it never talked to the "
        "server. Ask the server (its version) before printing anything.\n"
        << run.describe() << fix("main.cpp", "step 4"));
  }
  if (run.out.find("connected to") != std::string::npos) {
    FAIL(
        "With a wrong password the program still printed that it is connected, before the "
        "connection failed. Ask the server first, keep its answer, then print.\n"
        << run.describe() << fix("main.cpp", "step 4"));
  }
  if (run.exit_code >= 128 || run.err_lines().size() != 1 ||
      run.err.find("password") == std::string::npos) {
    FAIL(
        "Expected a non-zero exit code and ONE line on stderr that says the password is wrong "
        "(main()'s catch prints the library's message).\n"
        << run.describe() << fix("main.cpp", "step 4"));
  }
}

TEST_CASE("your turn: HELLO_BOOKS_DATABASE picks the development database, same server",
          "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  const std::string url = other_url("hello_books_from_environment");
  require_step2(url);  // a wrong step 2 is not a wrong Your turn
  {
    const ScopedEnv picked("HELLO_BOOKS_DATABASE", "hello_books_picked");
    const ScopedEnv database_url("DATABASE_URL", std::nullopt);
    const orm::App app = make_app();
    require_database(
        app,
        orm::DatabaseUrl::parse(kDefaultDatabaseUrl)
            .with_database("hello_books_picked")
            .uri_with_password(),
        "HELLO_BOOKS_DATABASE=hello_books_picked is set and DATABASE_URL is not: the app must use "
        "hello_books_picked on the default URL's server, as its user.",
        "Your turn");
  }
  // On DATABASE_URL's server, with its password: the app really reaches the database it names.
  const ScopedEnv picked("HELLO_BOOKS_DATABASE", test_database.database());
  const ScopedEnv database_url("DATABASE_URL", url);
  orm::App app = make_app();
  require_database(
      app, orm::DatabaseUrl::parse(url).with_database(test_database.database()).uri_with_password(),
      "HELLO_BOOKS_DATABASE and DATABASE_URL are set: the app must use the database "
      "HELLO_BOOKS_DATABASE names, on DATABASE_URL's server, as its user.",
      "Your turn");
  try {
    orm::Session session = app.session();
    session.execute("SELECT 1");
  } catch (const std::exception& e) {
    FAIL("The app made with HELLO_BOOKS_DATABASE cannot reach its database:\n    "
         << e.what() << "\n"
         << fix("app/app.cpp", "Your turn"));
  }
}

TEST_CASE("your turn: the testing app ignores HELLO_BOOKS_DATABASE", "[lesson02]") {
  lesson_check::require_server();
  const std::string url = other_url("hello_books_from_test_env");
  require_step3(url);
  const ScopedEnv picked("HELLO_BOOKS_DATABASE", "hello_books_picked");
  const ScopedEnv test_database_url("TEST_DATABASE_URL", url);
  const orm::App app = make_app(orm::TestConfig{});
  require_database(app, url,
                   "HELLO_BOOKS_DATABASE is set, but the test app must ignore it and use "
                   "TEST_DATABASE_URL: a forgotten variable must never send the tests to other "
                   "data.",
                   "Your turn");
}

TEST_CASE("your turn: a HELLO_BOOKS_DATABASE PostgreSQL cannot take is a one-line error",
          "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  const std::string too_long(70, 'x');
  const ScopedEnv database_url("DATABASE_URL", test_database.uri_with_password());
  {
    const ScopedEnv picked("HELLO_BOOKS_DATABASE", too_long);
    bool config_error = false;
    try {
      const orm::App app = create_app();
      if (app.database_url().database() == test_database.database()) {
        FAIL(
            "Not checked yet: create_app() ignores HELLO_BOOKS_DATABASE (see the check \"your "
            "turn: HELLO_BOOKS_DATABASE picks the development database, same server\").");
      }
    } catch (const orm::ConfigError&) {
      config_error = true;
    } catch (const workbook::NotDoneYet&) {
      FAIL(
          "Not checked yet: create_app() is not finished (step 2; see the check "
          "\"create_app() uses DATABASE_URL when it is set\").");
    } catch (const std::exception& e) {
      FAIL("create_app() threw something else than orm::ConfigError:\n    "
           << e.what() << "\n"
           << fix("app/app.cpp", "Your turn"));
    }
    if (!config_error) {
      FAIL(
          "HELLO_BOOKS_DATABASE is a name of 70 bytes (PostgreSQL allows 63): create_app() must "
          "throw orm::ConfigError, before anything connects.\n"
          << fix("app/app.cpp", "Your turn"));
    }
  }
  const auto run = lesson_check::run_program(
      LESSON_PROGRAM, {},
      {{"DATABASE_URL", test_database.uri_with_password()}, {"HELLO_BOOKS_DATABASE", too_long}});
  if (run.exit_code == 0 || run.exit_code >= 128 || run.err_lines().size() != 1 ||
      !run.out.empty()) {
    FAIL(
        "Expected: a non-zero exit code, nothing on stdout and ONE line on stderr about the "
        "name.\n"
        << run.describe() << fix("main.cpp", "step 4"));
  }
}

// Do not change this file: it checks your work on lesson 02 (label lesson02). Run it with
// ./workbook check 02.
//
// It calls your create_app() with different configurations and environment variables, and runs
// your hello_books program against a test database of its own.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "app/app.hpp"
#include "lesson_check.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using Catch::Matchers::Contains;
using lesson_check::ScopedEnv;

namespace {

// Another URL on the test server, to tell the configuration sources apart.
std::string other_url(const std::string& database) {
  return testing_support::server_url().with_database(database).uri_with_password();
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson02]") {
  lesson_check::require_server();
}

TEST_CASE("create_app() uses DATABASE_URL when it is set", "[lesson02]") {
  lesson_check::require_server();
  const ScopedEnv database_url("DATABASE_URL", other_url("hello_books_from_environment"));
  INFO("DATABASE_URL is set to .../hello_books_from_environment: create_app() must use it.");
  INFO(SEE_STEP(2));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app()));
  CHECK(app->database_url().database() == "hello_books_from_environment");
  CHECK_FALSE(app->testing());
}

TEST_CASE("create_app() without DATABASE_URL uses hello_books_development on the workbook's server",
          "[lesson02]") {
  lesson_check::require_server();
  const ScopedEnv database_url("DATABASE_URL", std::nullopt);
  const ScopedEnv test_database_url("TEST_DATABASE_URL", other_url("not_this_one_test"));
  INFO("DATABASE_URL is not set: create_app() must use kDefaultDatabaseUrl, "
       << kDefaultDatabaseUrl);
  INFO(SEE_STEP(2));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app()));
  CHECK(app->database_url().masked() == orm::DatabaseUrl::parse(kDefaultDatabaseUrl).masked());
  CHECK(app->database_url().database() == "hello_books_development");
  CHECK(app->database_url().user() == "postgres");
  CHECK_FALSE(app->database_url().has_password());
  CHECK_FALSE(app->testing());
}

TEST_CASE("create_app(orm::TestConfig{}) is a testing app on TEST_DATABASE_URL", "[lesson02]") {
  lesson_check::require_server();
  const ScopedEnv database_url("DATABASE_URL", other_url("not_this_one_development"));
  const ScopedEnv test_database_url("TEST_DATABASE_URL", other_url("hello_books_from_test_env"));
  INFO(
      "TEST_DATABASE_URL is set to .../hello_books_from_test_env: a test config with an empty "
      "database_url must use it, and the app is a testing app (config.testing = true).");
  INFO(SEE_STEP(3));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app(orm::TestConfig{})));
  CHECK(app->database_url().database() == "hello_books_from_test_env");
  CHECK(app->testing());
}

TEST_CASE("create_app(orm::TestConfig{}) without TEST_DATABASE_URL uses hello_books_test",
          "[lesson02]") {
  lesson_check::require_server();
  const ScopedEnv database_url("DATABASE_URL", other_url("not_this_one_development"));
  const ScopedEnv test_database_url("TEST_DATABASE_URL", std::nullopt);
  INFO("TEST_DATABASE_URL is not set: the test app must use kDefaultTestDatabaseUrl, "
       << kDefaultTestDatabaseUrl << " (never DATABASE_URL).");
  INFO(SEE_STEP(3));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app(orm::TestConfig{})));
  CHECK(app->database_url().masked() == orm::DatabaseUrl::parse(kDefaultTestDatabaseUrl).masked());
  CHECK(app->database_url().database() == "hello_books_test");
  CHECK(app->testing());
}

TEST_CASE("create_app(orm::TestConfig{url}) uses the URL it is given", "[lesson02]") {
  lesson_check::require_server();
  const ScopedEnv test_database_url("TEST_DATABASE_URL", other_url("not_this_one_test"));
  INFO("A test config with a database_url wins over TEST_DATABASE_URL.");
  INFO(SEE_STEP(3));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app(orm::TestConfig{other_url("hello_books_given_test")})));
  CHECK(app->database_url().database() == "hello_books_given_test");
  CHECK(app->testing());
}

TEST_CASE("the test app connects to its database", "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  INFO("TEST_DATABASE_URL names this check's own database, " << test_database.database()
                                                             << "; the test app must reach it.");
  INFO(SEE_STEP(3));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app(orm::TestConfig{})));
  REQUIRE(app->database_url().database() == test_database.database());
  CHECK_FALSE(app->db().server_version().empty());
  orm::Session session = app->session();
  CHECK(session.execute("SELECT current_database()")[0][0].as<std::string>() ==
        test_database.database());
}

TEST_CASE("hello_books prints the masked URL, the database name and the server version",
          "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  orm::Database db(test_database);
  const std::string version = db.server_version();
  // With a password in the URL (the workbook's own server does not ask for it), so that it shows
  // when the URL is printed unmasked.
  const auto url = orm::DatabaseUrl::parse(
      testing_support::url_with_unused_password(test_database, "unused-pw-4711"));
  const auto run =
      lesson_check::run_program(LESSON_PROGRAM, {}, {{"DATABASE_URL", url.uri_with_password()}});
  INFO(run.describe());
  INFO("Expected exit code 0 and these three lines:\n    hello_books is connected to "
       << url.masked() << "\n    database: " << test_database.database()
       << "\n    server: PostgreSQL " << version);
  INFO(SEE_STEP(4));
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Contains("hello_books is connected to " + url.masked()));
  CHECK_THAT(run.out, Contains("database: " + test_database.database()));
  CHECK_THAT(run.out, Contains("server: PostgreSQL " + version));
  CHECK_THAT(run.out, !Contains(url.uri_with_password()));
  CHECK(run.err.empty());
}

TEST_CASE("hello_books with a wrong password prints one line without the password", "[lesson02]") {
  const orm::DatabaseUrl& test_database = testing_support::test_database();
  const std::string password = "not-the-password-42";
  const auto run = lesson_check::run_program(
      LESSON_PROGRAM, {},
      {{"DATABASE_URL", lesson_check::url_with_password(test_database, password)}});
  INFO(run.describe());
  INFO(
      "Expected: a non-zero exit code and ONE line on stderr that says the password is wrong, "
      "never the password itself. create_app() must take DATABASE_URL.");
  INFO(SEE_STEP(4));
  CHECK(run.exit_code != 0);
  CHECK(run.exit_code < 128);
  CHECK(run.err_lines().size() == 1);
  CHECK_THAT(run.err, Contains("password", Catch::CaseSensitive::No));
  CHECK_THAT(run.err, !Contains(password));
  CHECK_THAT(run.out, !Contains(password));
  CHECK_THAT(run.out, !Contains("connected to"));  // connect first, then say so
}

// Do not change this file: it checks the orm library (label: lib).
//
// Connection URLs: parsed by libpq, the SQLAlchemy form accepted, bad ones refused with one line
// that never contains the password.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "orm/app.hpp"
#include "orm/errors.hpp"
#include "orm/url.hpp"

using orm::DatabaseUrl;

namespace {

// The message of the ConfigError that parsing `uri` throws.
std::string parse_error(const std::string& uri) {
  try {
    DatabaseUrl::parse(uri);
  } catch (const orm::ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError for " << uri);
  return {};
}

}  // namespace

TEST_CASE("the classic connection string parses into its parts", "[url]") {
  auto url =
      DatabaseUrl::parse("postgresql://postgres:postgres@localhost:5432/hello_books_development");
  CHECK(url.user() == "postgres");
  CHECK(url.host() == "localhost");
  CHECK(url.port() == 5432);
  CHECK(url.database() == "hello_books_development");
  CHECK(url.has_password());
  CHECK(url.server() == "localhost:5432");
}

TEST_CASE("the SQLAlchemy form with +driver is accepted", "[url]") {
  auto url = DatabaseUrl::parse(
      "postgresql+psycopg2://postgres:postgres@localhost:5432/hello_books_development");
  CHECK(url.database() == "hello_books_development");
  CHECK(url.masked() == "postgresql://postgres:***@localhost:5432/hello_books_development");
  CHECK(DatabaseUrl::parse("postgres://u@h/db").database() == "db");
}

TEST_CASE("the masked form hides the password, the secret form keeps it", "[url]") {
  auto url = DatabaseUrl::parse(
      "postgresql://postgres:p%40ss%20w0rd@db.example:6543/books?"
      "sslmode=disable&application_name=hb");
  // Other options follow in libpq's keyword order.
  CHECK(url.masked() ==
        "postgresql://postgres:***@db.example:6543/books?application_name=hb&sslmode=disable");
  CHECK(url.to_string() == url.masked());
  CHECK(url.uri_with_password().find("p%40ss%20w0rd") != std::string::npos);
  CHECK(DatabaseUrl::parse(url.uri_with_password()).conninfo() == url.conninfo());
  CHECK(url.scrub("failed for p@ss w0rd here") == "failed for *** here");
}

TEST_CASE("a URL without a password prints without one", "[url]") {
  CHECK(DatabaseUrl::parse("postgresql://alice@localhost/x").masked() ==
        "postgresql://alice@localhost/x");
  CHECK_FALSE(DatabaseUrl::parse("postgresql://alice@localhost/x").has_password());
}

TEST_CASE("with_database keeps the server and credentials", "[url]") {
  auto url = DatabaseUrl::parse("postgresql://postgres:pw@localhost:55432/hello_books_development");
  auto admin = url.with_database("postgres");
  CHECK(admin.database() == "postgres");
  CHECK(admin.port() == 55432);
  CHECK(admin.masked() == "postgresql://postgres:***@localhost:55432/postgres");
  CHECK(url.database() == "hello_books_development");
}

TEST_CASE("other schemes are refused with the expected shape", "[url][errors]") {
  const auto message = parse_error("mysql://root:hunter2@localhost/books");
  CHECK_THAT(message, Catch::StartsWith("unsupported URL scheme 'mysql'"));
  CHECK_THAT(message, Catch::Contains("postgresql://user:password@host:port/dbname"));
  CHECK(message.find("hunter2") == std::string::npos);
}

TEST_CASE("text that is not a URL is refused without echoing it", "[url][errors]") {
  const auto message = parse_error("host=localhost password=hunter2");
  CHECK_THAT(message, Catch::StartsWith("not a connection URL"));
  CHECK(message.find("hunter2") == std::string::npos);
}

TEST_CASE("a port that is not a number in range is refused", "[url][errors]") {
  CHECK_THAT(parse_error("postgresql+psycopg2://postgres:hunter2@localhost:notaport/x"),
             Catch::Contains("invalid port 'notaport'") && Catch::Contains("1 to 65535"));
  CHECK_THAT(parse_error("postgresql://postgres:hunter2@localhost:70000/x"),
             Catch::Contains("invalid port '70000'"));
  CHECK_THAT(parse_error("postgresql://postgres:hunter2@localhost:0/x"),
             Catch::Contains("invalid port '0'"));
  CHECK(parse_error("postgresql://postgres:hunter2@localhost:notaport/x").find("hunter2") ==
        std::string::npos);
}

TEST_CASE("libpq's own parse errors are passed on without the password", "[url][errors]") {
  const auto message = parse_error("postgresql://postgres:hunter2@localhost/x?nonsense=1");
  CHECK_THAT(message, Catch::StartsWith("invalid connection URL"));
  CHECK_THAT(message, Catch::Contains("nonsense"));
  CHECK(message.find("hunter2") == std::string::npos);
  // libpq quotes the offending token, here the password itself: it must be scrubbed.
  const auto encoding = parse_error("postgresql://postgres:hunter%zz@localhost/x");
  CHECK_THAT(encoding, Catch::Contains("percent"));
  CHECK(encoding.find("hunter") == std::string::npos);
  CHECK(encoding.find('\n') == std::string::npos);
}

TEST_CASE("bad database names in a URL are refused", "[url][errors]") {
  CHECK_THAT(parse_error("postgresql://u:p@h/" + std::string(70, 'a')),
             Catch::Contains("at most 63"));
}

TEST_CASE("env_or reads the environment with a fallback", "[url]") {
  ::setenv("ORM_TEST_VARIABLE", "from env", 1);
  CHECK(orm::env_or("ORM_TEST_VARIABLE", "fallback") == "from env");
  ::setenv("ORM_TEST_VARIABLE", "", 1);
  CHECK(orm::env_or("ORM_TEST_VARIABLE", "fallback") == "fallback");
  ::unsetenv("ORM_TEST_VARIABLE");
  CHECK(orm::env_or("ORM_TEST_VARIABLE", "fallback") == "fallback");
}

TEST_CASE("an App validates its URL when it is made", "[url][app]") {
  orm::Config config;
  config.database_url = "postgresql://postgres:hunter2@localhost:5432/hello_books_development";
  orm::App app(config);
  CHECK(app.database_url().database() == "hello_books_development");
  CHECK_FALSE(app.testing());
  CHECK_FALSE(app.db().connected());  // nothing is opened before it is needed

  config.database_url = "postgresql://postgres:hunter2@localhost:x/y";
  CHECK_THROWS_AS(orm::App(config), orm::ConfigError);
}

// Do not change this file: it checks the orm library (label: lib).
//
// orm::Server: create, drop and list databases through the maintenance database, with clear
// errors for a server that is down, a wrong password and bad names.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>

#include "orm/database.hpp"
#include "orm/errors.hpp"
#include "orm/server.hpp"
#include "test_database.hpp"

using testing_support::scratch_database_name;
using testing_support::server_url;

TEST_CASE("a server creates, finds, queries and drops a database", "[server]") {
  orm::Server server(server_url());
  const std::string name = scratch_database_name("server");
  server.drop_database(name);

  CHECK_FALSE(server.database_exists(name));
  CHECK(server.create_database(name));
  CHECK(server.database_exists(name));
  CHECK_FALSE(server.create_database(name));  // if-not-exists semantics: a second call is fine

  orm::Database db(server_url().with_database(name));
  pqxx::nontransaction tx(db.connection());
  CHECK(tx.exec1("SELECT current_database()")[0].as<std::string>() == name);
  CHECK(tx.exec1("SELECT 6 * 7")[0].as<int>() == 42);
  tx.commit();
  db.disconnect();

  CHECK(server.drop_database(name));
  CHECK_FALSE(server.database_exists(name));
  CHECK_FALSE(server.drop_database(name));
}

TEST_CASE("database names are quoted, so unusual valid names work", "[server]") {
  orm::Server server(server_url());
  const std::string name = scratch_database_name("Odd \"name\"; DROP");
  CHECK(server.create_database(name));
  CHECK(server.database_exists(name));
  CHECK(server.databases(name).size() == 1);
  CHECK(server.drop_database(name));
}

TEST_CASE("invalid database names are refused before reaching the server", "[server]") {
  orm::Server server(server_url());
  CHECK_THROWS_WITH(server.create_database(""), Catch::Contains("the database name is empty"));
  CHECK_THROWS_WITH(server.create_database(std::string(64, 'x')), Catch::Contains("at most 63"));
  CHECK_THROWS_AS(server.create_database(std::string("a\0b", 3)), orm::ConfigError);
}

TEST_CASE("a server that is not running gives one clear line", "[server][errors]") {
  // Port 1 on localhost: nothing listens there.
  auto url = orm::DatabaseUrl::parse("postgresql://postgres:s3cret-pw@127.0.0.1:1/postgres");
  orm::Server server(url);
  try {
    server.database_exists("hello_books_development");
    FAIL("expected a ConnectionError");
  } catch (const orm::ConnectionError& e) {
    const std::string message = e.what();
    CHECK(e.reason() == orm::ConnectionError::Reason::server_unreachable);
    CHECK(message ==
          "cannot connect to PostgreSQL at 127.0.0.1:1 (no server answers there): is the server "
          "running? In this workbook: ./workbook db start");
    CHECK(message.find("s3cret-pw") == std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("a wrong password gives one clear line without the password", "[server][errors]") {
  auto url = server_url();
  auto wrong = orm::DatabaseUrl::parse(
      testing_support::wrong_password_url(url.with_database("postgres"), "not-the-password"));
  orm::Server server(wrong);
  try {
    server.databases();
    FAIL("expected a ConnectionError");
  } catch (const orm::ConnectionError& e) {
    const std::string message = e.what();
    CHECK(e.reason() == orm::ConnectionError::Reason::authentication);
    CHECK_THAT(message, Catch::Contains("wrong password"));
    CHECK(message.find("not-the-password") == std::string::npos);
  }
}

TEST_CASE("a missing database is named, with the fix", "[server][errors]") {
  orm::Database db(server_url().with_database(scratch_database_name("never_created")));
  try {
    db.connection();
    FAIL("expected a ConnectionError");
  } catch (const orm::ConnectionError& e) {
    CHECK(e.reason() == orm::ConnectionError::Reason::database_missing);
    CHECK_THAT(e.what(), Catch::Contains("does not exist") && Catch::Contains("CREATE DATABASE"));
  }
}

TEST_CASE("a host name that does not resolve is named as such", "[server][errors]") {
  orm::Server server(orm::DatabaseUrl::parse("postgresql://postgres:Pw_4711@nosuchhost.invalid/x"));
  try {
    server.databases();
    FAIL("expected a ConnectionError");
  } catch (const orm::ConnectionError& e) {
    CHECK(e.reason() == orm::ConnectionError::Reason::server_unreachable);
    CHECK(std::string(e.what()) ==
          "cannot connect to PostgreSQL at nosuchhost.invalid:5432: the host name "
          "\"nosuchhost.invalid\" is not known; check the host in the connection URL");
  }
}

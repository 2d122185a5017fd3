// Do not change this file: it checks the orm library (label: lib).
//
// Database errors carry the SQLSTATE and a readable one-line message; a failed commit leaves
// nothing behind; a dropped connection is reported as such. No message contains the password.
// orm::failure_class sorts failures by type and SQLSTATE (tests/security/locale_test.cpp shows
// that it and the messages do not change with the language of libpq and the server).
#include <catch2/catch.hpp>

#include <pqxx/except>
#include <pqxx/nontransaction>

#include <stdexcept>
#include <string>

#include <unistd.h>

#include "orm/orm.hpp"
#include "test_database.hpp"
#include "test_models.hpp"

using models::Book;
using models::Everything;
using models::with_code;

TEST_CASE_METHOD(models::TablesFixture, "a unique violation names the column and the value",
                 "[errors]") {
  orm::Session session(db);
  Everything first = with_code("dup");
  session.add(first);
  session.commit();

  Everything again = with_code("dup");
  try {
    session.add(again);  // the INSERT is sent now
    FAIL("expected a DatabaseError");
  } catch (const orm::DatabaseError& e) {
    CHECK(e.sqlstate() == "23505");
    // Built from the key PostgreSQL reports, "(code)=(dup)", which no translation changes.
    CHECK(std::string(e.what()) ==
          "unique violation: a row with code = 'dup' already exists; use that row, or a different "
          "code (SQLSTATE 23505)");
    CHECK(orm::failure_class(e) == orm::FailureClass::statement_failed);
  }
  CHECK(again.id == 0);  // the failed insert wrote no key
  CHECK(session.query<Everything>().count() == 1);
  // Nothing was lost with the failed statement (it was the transaction's first), so the
  // session goes on without a rollback().
  Everything other = with_code("other");
  session.add(other);
  session.commit();
  CHECK(session.query<Everything>().count() == 2);
}

TEST_CASE_METHOD(models::TablesFixture, "a failing statement rolls back the whole transaction",
                 "[errors]") {
  orm::Session session(db);
  std::vector<Everything> good = {with_code("a"), with_code("b")};
  Book book;
  book.title = "kept out";
  session.add_all(good);
  session.add(book);
  Everything clash = with_code("a");
  CHECK_THROWS_AS(session.add(clash), orm::DatabaseError);
  // The keys written by the adds stay (the session keeps no pointer to the objects); their rows
  // are gone, and the session says so until rollback().
  CHECK(good[0].id == 1);
  CHECK(book.id == 1);
  CHECK_THROWS_WITH(session.commit(), Catch::Contains("call session.rollback()"));
  session.rollback();
  CHECK(session.query<Everything>().count() == 0);
  CHECK(session.query<Book>().count() == 0);
  // The session is usable again.
  session.add(good[0]);
  session.commit();
  CHECK(session.query<Everything>().count() == 1);
}

TEST_CASE_METHOD(models::TablesFixture, "a missing table says how to create it", "[errors]") {
  orm::drop_all(db, metadata);
  orm::Session session(db);
  try {
    session.all<Book>();
    FAIL("expected a DatabaseError");
  } catch (const orm::DatabaseError& e) {
    CHECK(e.sqlstate() == "42P01");
    CHECK_THAT(e.what(), Catch::StartsWith("relation \"books\" does not exist") &&
                             Catch::Contains("create_all") && Catch::Contains("migrations"));
  }
}

TEST_CASE_METHOD(models::TablesFixture, "raw SQL errors carry their SQLSTATE", "[errors]") {
  orm::Session session(db);
  try {
    session.execute("SELECT 1/0");
    FAIL("expected a DatabaseError");
  } catch (const orm::DatabaseError& e) {
    CHECK(e.sqlstate() == "22012");
    CHECK(std::string(e.what()) == "division by zero (SQLSTATE 22012)");
  }
  CHECK_THROWS_WITH(session.execute("SELEC 1"),
                    Catch::Contains("syntax error") && Catch::Contains("42601"));
}

TEST_CASE_METHOD(models::TablesFixture, "a NOT NULL violation is reported with its column",
                 "[errors]") {
  orm::Session session(db);
  CHECK_THROWS_WITH(session.execute("INSERT INTO books (title) VALUES (NULL)"),
                    Catch::Contains("\"title\"") && Catch::Contains("23502"));
}

TEST_CASE_METHOD(models::TablesFixture,
                 "a dropped connection is reported, and the next use reconnects", "[errors]") {
  orm::Session session(db);
  Book book;
  book.title = "before";
  session.add(book);
  session.commit();

  {  // The server ends our backend, as on a restart.
    orm::Database admin(testing_support::test_database());
    pqxx::nontransaction tx(admin.connection());
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  }
  try {
    session.all<Book>();
    FAIL("expected a ConnectionError");
  } catch (const orm::ConnectionError& e) {
    CHECK(e.reason() == orm::ConnectionError::Reason::connection_lost);
    CHECK(orm::failure_class(e) == orm::FailureClass::connection_lost);
    CHECK(std::string(e.what()) ==
          "lost the connection to PostgreSQL at " + testing_support::server_url().server() +
              ": the server stopped or restarted, or the network dropped it; start it and retry");
    CHECK(std::string(e.what()).find(testing_support::server_url().uri_with_password()) ==
          std::string::npos);
  }
  CHECK(session.all<Book>().size() == 1);
}

TEST_CASE("error messages never contain the password", "[errors]") {
  const std::string password = "Very$ecret-42";
  const auto server = testing_support::server_url();
  auto url = orm::DatabaseUrl::parse(
      testing_support::wrong_password_url(server.with_database("hello_books_nope"), password));
  for (auto attempt : {0, 1}) {
    try {
      orm::Database db(attempt == 0 ? url : url.with_database("postgres"));
      db.connection();
      FAIL("expected a ConnectionError");
    } catch (const orm::Error& e) {
      CHECK(std::string(e.what()).find(password) == std::string::npos);
      CHECK(std::string(e.what()).find("Very") == std::string::npos);
    }
  }
}

TEST_CASE_METHOD(models::TablesFixture,
                 "a unique key with an expression or a parenthesis in its value is named whole",
                 "[errors]") {
  orm::Session session(db);
  session.execute("CREATE UNIQUE INDEX books_lower_title ON books (lower(title))");
  session.execute("INSERT INTO books (title) VALUES ('Dune (1965)')");
  try {
    session.execute("INSERT INTO books (title) VALUES ('DUNE (1965)')");
    FAIL("expected a DatabaseError");
  } catch (const orm::DatabaseError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("unique violation: a row with lower(title) = "
                                           "'dune (1965)' already exists"));
  }
}

TEST_CASE_METHOD(models::TablesFixture,
                 "a unique key of several columns is named as the combination that repeats",
                 "[errors]") {
  orm::Session session(db);
  session.execute("CREATE TABLE pairs (a integer, b text, UNIQUE (a, b))");
  session.execute("INSERT INTO pairs VALUES (1, 'x, y'), (1, 'z')");
  try {
    session.execute("INSERT INTO pairs VALUES (1, 'x, y')");
    FAIL("expected a DatabaseError");
  } catch (const orm::DatabaseError& e) {
    CHECK(e.sqlstate() == "23505");
    CHECK_THAT(e.what(), Catch::StartsWith("unique violation: a row with (a, b) = (1, x, y) "
                                           "already exists; the combination must be new, not "
                                           "each value"));
  }
}

TEST_CASE_METHOD(models::TablesFixture, "failure_class sorts server errors by SQLSTATE",
                 "[errors]") {
  orm::Session session(db);
  const auto class_of = [&](const std::string& sql) {
    try {
      session.execute(sql);
    } catch (const std::exception& e) {
      return orm::failure_class(e);
    }
    FAIL("expected " << sql << " to fail");
    return orm::FailureClass::other;
  };
  using orm::FailureClass;
  CHECK(class_of("SELECT 1/0") == FailureClass::statement_failed);
  CHECK(class_of("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$") ==
        FailureClass::transaction_conflict);
  try {
    session.execute("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$");
  } catch (const orm::DatabaseError& e) {
    CHECK(std::string(e.what()) == "conflict (SQLSTATE 40001)");
  }

  CHECK(class_of("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$") ==
        FailureClass::transaction_conflict);
  session.execute("SET statement_timeout = 1");  // this session's connection only
  CHECK(class_of("SELECT pg_sleep(5)") == FailureClass::canceled);
  session.execute("SET statement_timeout = 0");
  CHECK(class_of("DO $$ BEGIN RAISE EXCEPTION 'no lock' USING ERRCODE = '55P03'; END $$") ==
        FailureClass::canceled);
  try {
    session.execute("SELECT 1/0");
  } catch (const std::exception& e) {
    CHECK(orm::sqlstate_of(e) == "22012");
  }
}

TEST_CASE("failure_class sorts libpqxx's exceptions by type and SQLSTATE", "[errors]") {
  using orm::FailureClass;
  CHECK(orm::failure_class(pqxx::sql_error("x", "SELECT", "23505")) ==
        FailureClass::statement_failed);
  CHECK(orm::failure_class(pqxx::sql_error("x", "SELECT", "08006")) ==
        FailureClass::connection_lost);
  CHECK(orm::failure_class(pqxx::sql_error("x", "SELECT", "57P01")) ==
        FailureClass::connection_lost);
  CHECK(orm::failure_class(pqxx::sql_error("x", "SELECT", "57014")) == FailureClass::canceled);
  CHECK(orm::failure_class(pqxx::broken_connection("x")) == FailureClass::connection_lost);
  CHECK(orm::failure_class(pqxx::in_doubt_error("x")) == FailureClass::commit_in_doubt);
  CHECK(orm::failure_class(orm::ConfigError("x")) == FailureClass::invalid_settings);
  CHECK(orm::failure_class(orm::DatabaseError("23502", "x")) == FailureClass::statement_failed);
  CHECK(orm::failure_class(std::runtime_error("relation does not exist")) == FailureClass::other);
  CHECK(orm::failure_class(pqxx::serialization_failure("x")) == FailureClass::transaction_conflict);
  CHECK(orm::failure_class(pqxx::deadlock_detected("x")) == FailureClass::transaction_conflict);
  CHECK(orm::sqlstate_of(pqxx::sql_error("x", "SELECT", "42P01")) == "42P01");
  // libpqxx 6.4 throws these without a SQLSTATE: their type gives it.
  CHECK(orm::sqlstate_of(pqxx::insufficient_privilege("x", "SELECT")) == "42501");
  CHECK(orm::sqlstate_of(pqxx::serialization_failure("x")) == "40001");
  CHECK(orm::sqlstate_of(pqxx::deadlock_detected("x")) == "40P01");
  CHECK(orm::sqlstate_of(std::runtime_error("SQLSTATE 42P01")).empty());
}

TEST_CASE("failure_class tells a server that is not there from a lost connection", "[errors]") {
  orm::Database nowhere(orm::DatabaseUrl::parse("postgresql://u:Pw_123@127.0.0.1:1/x"));
  try {
    nowhere.connection();
    FAIL("expected a ConnectionError");
  } catch (const orm::ConnectionError& e) {
    CHECK(orm::failure_class(e) == orm::FailureClass::cannot_connect);
    CHECK(e.reason() == orm::ConnectionError::Reason::server_unreachable);
  }
}

TEST_CASE_METHOD(models::TablesFixture, "a missing privilege keeps its SQLSTATE and gets its fix",
                 "[errors]") {
  // libpqxx 6.4 throws 42501 without its SQLSTATE; orm::DatabaseError has it.
  orm::Session session(db);
  const std::string role = "hb_no_rights_" + std::to_string(::getpid());
  session.execute("CREATE ROLE " + role + " NOLOGIN");
  session.execute("SET ROLE " + role);
  try {
    session.all<Book>();
    FAIL("expected a DatabaseError");
  } catch (const orm::DatabaseError& e) {
    CHECK(e.sqlstate() == "42501");
    CHECK_THAT(e.what(), Catch::EndsWith(": connect as a user with this privilege (e.g. postgres) "
                                         "(SQLSTATE 42501)"));
  }
  session.execute("RESET ROLE");
  session.execute("DROP ROLE " + role);
}

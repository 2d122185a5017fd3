// Do not change this file: it checks the orm library (label: lib).
//
// Database errors carry the SQLSTATE and a readable one-line message; a failed commit leaves
// nothing behind; a dropped connection is reported as such. No message contains the password.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>

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
    CHECK_THAT(e.what(),
               Catch::StartsWith("unique violation: a row with code = 'dup' already exists"));
    CHECK_THAT(e.what(),
               Catch::Contains("everything_code_key") && Catch::EndsWith("(SQLSTATE 23505)"));
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
    CHECK_THAT(e.what(), Catch::StartsWith("lost the connection to PostgreSQL at"));
    CHECK(std::string(e.what()).find(testing_support::server_url().uri_with_password()) ==
          std::string::npos);
  }
  CHECK(session.all<Book>().size() == 1);
}

TEST_CASE("error messages never contain the password", "[errors]") {
  const std::string password = "Very$ecret-42";
  const auto server = testing_support::server_url();
  auto url = orm::DatabaseUrl::parse("postgresql://" + server.user() + ":" + password + "@" +
                                     server.host() + ":" + std::to_string(server.port()) +
                                     "/hello_books_nope");
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

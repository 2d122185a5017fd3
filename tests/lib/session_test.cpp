// Do not change this file: it checks the orm library (label: lib).
//
// Sessions: add (keys at once), commit, get, all, queries, update, remove, rollback, raw SQL; the
// session keeps no pointer to your objects, and never outlives what it works on.
#include <catch2/catch.hpp>

#include <pqxx/result>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "orm/orm.hpp"
#include "test_database.hpp"
#include "test_models.hpp"

using models::Book;
using models::Everything;
using models::with_code;

namespace {

Book make_book(std::string title, std::optional<std::string> description = std::nullopt) {
  Book book;
  book.title = std::move(title);
  book.description = std::move(description);
  return book;
}

// Rows of books committed by anyone, seen from a connection of its own.
long committed_books(orm::Database& db) {
  orm::Database other(db.url());
  orm::Session reader(other);
  return reader.execute("SELECT count(*) FROM books")[0][0].as<long>();
}

}  // namespace

TEST_CASE_METHOD(models::TablesFixture, "add writes the key into the object at once", "[session]") {
  orm::Session session(db);
  Book ocean = make_book("Ocean Book", "watr 4evr");
  Book sky = make_book("Sky Book");
  session.add(ocean);
  CHECK(ocean.id == 1);  // before commit: the INSERT has been sent
  session.add(sky);
  CHECK(sky.id == 2);
  CHECK(session.pending() == 0);  // nothing waits: adds are sent at once
  CHECK(committed_books(db) == 0);
  session.commit();
  CHECK(committed_books(db) == 2);
  CHECK(ocean.id == 1);
  CHECK(sky.id == 2);

  Book third = make_book("Third");
  session.add(third);
  session.commit();
  CHECK(third.id == 3);
}

TEST_CASE_METHOD(models::TablesFixture, "get returns the stored row or nothing", "[session]") {
  orm::Session session(db);
  Book book = make_book("Ocean Book", "watr 4evr");
  session.add(book);
  session.commit();

  auto loaded = session.get<Book>(book.id);
  REQUIRE(loaded);
  CHECK(loaded->id == book.id);
  CHECK(loaded->title == "Ocean Book");
  CHECK(loaded->description == std::optional<std::string>("watr 4evr"));
  CHECK_FALSE(session.get<Book>(999));
}

TEST_CASE_METHOD(models::TablesFixture, "add_all sends many rows and all loads them back",
                 "[session]") {
  orm::Session session(db);
  std::vector<Book> books;
  for (int i = 0; i < 1000; ++i) books.push_back(make_book("Book " + std::to_string(i)));
  session.add_all(books);
  for (int i = 0; i < 1000; ++i) REQUIRE(books[i].id == i + 1);  // before commit
  session.commit();
  for (int i = 0; i < 1000; ++i) REQUIRE(books[i].id == i + 1);

  auto all = session.all<Book>();
  REQUIRE(all.size() == 1000);
  CHECK(session.query<Book>().count() == 1000);
}

TEST_CASE_METHOD(models::TablesFixture,
                 "add_all keeps the objects' order when some carry their own key", "[session]") {
  orm::Session session(db);
  std::list<Book> books;  // any container that can be read twice
  books.push_back(make_book("first"));
  books.push_back(make_book("second"));
  Book own = make_book("own key");
  own.id = 500;
  books.push_back(own);
  books.push_back(make_book("fourth"));
  session.add_all(books);
  session.commit();
  std::vector<int> ids;
  for (const Book& book : books) ids.push_back(book.id);
  CHECK(ids == std::vector<int>{1, 2, 500, 3});
  for (const Book& book : books) CHECK(session.get<Book>(book.id)->title == book.title);
  std::vector<Book> none;
  session.add_all(none);  // nothing to send
  CHECK(session.query<Book>().count() == 4);
}

TEST_CASE_METHOD(models::TablesFixture, "queries filter, order and limit", "[session][query]") {
  orm::Session session(db);
  std::vector<Book> books = {make_book("B", "second"), make_book("A", "first"), make_book("C")};
  session.add_all(books);
  session.commit();

  auto by_title = session.query<Book>().order_by(&Book::title).all();
  REQUIRE(by_title.size() == 3);
  CHECK(by_title[0].title == "A");
  CHECK(by_title[2].title == "C");

  auto newest = session.query<Book>().order_by(&Book::id, orm::Order::desc).limit(1).all();
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].title == "C");

  auto a = session.query<Book>().filter_by(&Book::title, "A").first();
  REQUIRE(a);
  CHECK(a->description == std::optional<std::string>("first"));
  CHECK(session.query<Book>().filter_by(&Book::description, std::nullopt).count() == 1);
  CHECK(session.query<Book>().filter_by(&Book::title, "nope").count() == 0);
  CHECK_FALSE(session.query<Book>().filter_by(&Book::title, "nope").first());
}

TEST_CASE_METHOD(models::TablesFixture,
                 "a query runs again, a copy keeps its own conditions, first() keeps the offset",
                 "[session][query]") {
  orm::Session session(db);
  std::vector<Book> books = {make_book("A", "x"), make_book("B", "x"), make_book("C")};
  session.add_all(books);
  session.commit();

  auto described = session.query<Book>().filter_by(&Book::description, "x");
  CHECK(described.count() == 2);
  CHECK(described.count() == 2);  // its parameters are still there the second time

  auto only_b = described;  // a copy: conditions added to it stay its own
  only_b.filter_by(&Book::title, "B");
  CHECK(only_b.count() == 1);
  CHECK(described.count() == 2);

  // first() asks for one row, after the offset; the query's own limit is back afterwards.
  auto sorted = session.query<Book>().order_by(&Book::title).limit(3).offset(1);
  const auto second = sorted.first();
  REQUIRE(second);
  CHECK(second->title == "B");
  CHECK(sorted.all().size() == 2);
}

TEST_CASE_METHOD(models::TablesFixture, "update and remove change the stored rows", "[session]") {
  orm::Session session(db);
  Book book = make_book("Old title");
  session.add(book);
  session.commit();

  book.title = "New title";
  book.description = "now described";
  session.update(book);
  CHECK(session.pending() == 1);
  session.commit();
  CHECK(session.pending() == 0);
  CHECK(session.get<Book>(book.id)->title == "New title");

  session.remove(book);
  session.commit();
  CHECK_FALSE(session.get<Book>(book.id));

  CHECK_THROWS_WITH(
      [&] {
        session.remove(book);
        session.commit();
      }(),
      Catch::Contains("no row of books has id"));
}

TEST_CASE_METHOD(models::TablesFixture, "update copies the object when called", "[session]") {
  orm::Session session(db);
  Book book = make_book("first");
  session.add(book);
  session.commit();
  book.title = "second";
  session.update(book);
  book.title = "changed after update(), never sent";
  CHECK(session.get<Book>(book.id)->title == "second");  // the query sends the update first
  CHECK(session.pending() == 0);
  session.commit();
  CHECK(session.get<Book>(book.id)->title == "second");
}

TEST_CASE_METHOD(models::TablesFixture, "flush sends pending work inside the transaction",
                 "[session]") {
  orm::Session session(db);
  Book book = make_book("kept");
  session.add(book);
  session.commit();
  book.title = "renamed";
  session.update(book);
  session.flush();
  CHECK(session.pending() == 0);
  CHECK(session.get<Book>(book.id)->title == "renamed");  // visible in the transaction
  session.rollback();
  CHECK(session.get<Book>(book.id)->title == "kept");
}

TEST_CASE_METHOD(models::TablesFixture, "rollback undoes the rows and keeps the written keys",
                 "[session]") {
  orm::Session session(db);
  Book kept = make_book("kept");
  session.add(kept);
  session.commit();

  Book dropped = make_book("dropped");
  session.add(dropped);
  CHECK(dropped.id == 2);
  CHECK(session.query<Book>().count() == 2);  // visible inside the transaction
  session.rollback();
  CHECK(dropped.id == 2);  // the session holds no pointer to it: the key stays...
  CHECK(session.query<Book>().count() == 1);  // ...but the row is gone
  CHECK_FALSE(session.get<Book>(2));

  // Keys are not handed out again: a new book gets 3, the old object goes in under 2 again.
  Book next = make_book("next");
  session.add(next);
  CHECK(next.id == 3);
  session.add(dropped);
  session.commit();
  CHECK(session.get<Book>(2)->title == "dropped");

  Book pending = make_book("pending");
  session.add(pending);
  pending.title = "renamed";
  session.update(pending);
  session.remove(kept);
  CHECK(session.pending() == 2);
  session.rollback();
  CHECK(session.pending() == 0);
  CHECK(session.query<Book>().count() == 3);
  CHECK(session.get<Book>(kept.id));
}

// The session used to keep pointers to added objects until commit. Each of the next three read
// freed memory then at the query's autoflush (AddressSanitizer: stack-use-after-scope,
// heap-use-after-free; without it, garbage rows or a crash).
TEST_CASE_METHOD(models::TablesFixture, "a vector of added objects may end before commit",
                 "[session][memory]") {
  orm::Session session(db);
  {
    std::vector<Book> books = {make_book("in a vector that ends"), make_book("second")};
    session.add_all(books);
  }
  CHECK(session.query<Book>().count() == 2);
  session.commit();
  CHECK(committed_books(db) == 2);
  CHECK(session.get<Book>(2)->title == "second");
}

TEST_CASE_METHOD(models::TablesFixture, "an added object may end before commit",
                 "[session][memory]") {
  orm::Session session(db);
  {
    Book book = make_book("ends before commit");
    session.add(book);
  }
  {
    auto heap = std::make_unique<Book>(make_book("freed before the query"));
    session.add(*heap);
    heap->title = "changed after add";
    session.update(*heap);
  }
  CHECK(session.query<Book>().count() == 2);  // the query sends what is pending
  session.commit();
  CHECK(committed_books(db) == 2);
  CHECK(session.query<Book>().filter_by(&Book::title, "changed after add").count() == 1);
}

TEST_CASE_METHOD(models::TablesFixture, "a vector may reallocate after add", "[session][memory]") {
  orm::Session session(db);
  std::vector<Book> growing;
  growing.push_back(make_book("vector grows after add"));
  session.add(growing[0]);
  for (int i = 0; i < 100; ++i) growing.push_back(make_book("filler " + std::to_string(i)));
  CHECK(session.query<Book>().count() == 1);
  session.commit();
  CHECK(committed_books(db) == 1);
  CHECK(growing[0].id == 1);
  CHECK(session.get<Book>(1)->title == "vector grows after add");
}

TEST_CASE_METHOD(models::TablesFixture, "a session may outlive its Database; queries not",
                 "[session][memory]") {
  std::optional<orm::Session> session;
  Book book = make_book("outlives");
  {
    orm::Database short_lived(db.url());
    session.emplace(short_lived);
    session->add(book);
  }  // the Database object ends; the session keeps the connection
  session->commit();
  CHECK(session->get<Book>(book.id)->title == "outlives");

  auto query = session->query<Book>();
  session.reset();
  CHECK_THROWS_WITH(query.count(), Catch::Contains("session has ended"));

  orm::Session first(db);
  orm::Session moved(std::move(first));
  CHECK_THROWS_WITH(first.all<Book>(), Catch::Contains("moved from"));
  CHECK(moved.all<Book>().size() == 1);
}

TEST_CASE_METHOD(models::TablesFixture,
                 "a failure that undid earlier work blocks the session until rollback",
                 "[session][errors]") {
  orm::Session session(db);
  Book book = make_book("lost by the failure");
  session.add(book);
  Everything first = with_code("a");
  session.add(first);
  Everything clash = with_code("a");
  CHECK_THROWS_AS(session.add(clash), orm::DatabaseError);
  // The failure rolled the transaction back, book included: a commit now would store nothing
  // of it, so it is refused, as is any other work, until rollback().
  CHECK_THROWS_WITH(session.commit(), Catch::Contains("call session.rollback()") &&
                                          Catch::Contains("unique violation"));
  CHECK_THROWS_WITH(session.add(book), Catch::Contains("call session.rollback()"));
  CHECK_THROWS_WITH(session.all<Book>(), Catch::Contains("call session.rollback()"));
  session.rollback();
  CHECK(session.query<Book>().count() == 0);
  session.add(book);
  session.commit();
  CHECK(committed_books(db) == 1);

  // The same for a pending update that a failing query takes down with it.
  book.title = "renamed";
  session.update(book);
  CHECK_THROWS_AS(session.execute("SELECT 1/0"), orm::DatabaseError);
  CHECK_THROWS_WITH(session.commit(), Catch::Contains("call session.rollback()"));
  session.rollback();
  CHECK(session.get<Book>(book.id)->title == "lost by the failure");
}

TEST_CASE_METHOD(models::TablesFixture, "one transaction per connection at a time",
                 "[session][errors]") {
  orm::Session writer(db);
  Book book = make_book("open transaction");
  writer.add(book);
  orm::Session reader(db);
  CHECK_THROWS_WITH(reader.all<Book>(), Catch::Contains("another session has a transaction open"));
  CHECK_THROWS_WITH(db.connection(), Catch::Contains("commit() or rollback() it"));
  CHECK_THROWS_AS(orm::create_all(db, metadata), orm::Error);
  writer.commit();
  CHECK(reader.all<Book>().size() == 1);
  CHECK_NOTHROW(db.connection());
}

TEST_CASE_METHOD(models::TablesFixture, "a transaction on a closed connection is reported",
                 "[session][errors]") {
  orm::Session session(db);
  Book book = make_book("on the old connection");
  session.add(book);
  db.disconnect();
  CHECK_THROWS_WITH(session.all<Book>(), Catch::Contains("work since the last commit is gone"));
  CHECK_THROWS_WITH(session.commit(), Catch::Contains("call session.rollback()"));
  session.rollback();
  CHECK(session.all<Book>().empty());  // reconnected; nothing was committed

  session.add(book);
  db.disconnect();
  CHECK_THROWS_WITH(session.commit(), Catch::Contains("work since the last commit is gone"));
  session.add(book);  // a commit that threw needs no rollback(): it said nothing was kept
  session.commit();
  CHECK(committed_books(db) == 1);
}

TEST_CASE_METHOD(models::TablesFixture, "raw SQL binds parameters", "[session][sql]") {
  orm::Session session(db);
  Book book = make_book("Robert'); DROP TABLE books;--");
  session.add(book);
  session.commit();
  auto rows = session.execute("SELECT count(*) FROM books WHERE title = $1", book.title);
  CHECK(rows[0][0].as<int>() == 1);
  auto none = session.execute("SELECT $1::text IS NULL, $2::int + 1", std::nullopt, 41);
  CHECK(none[0][0].as<bool>());
  CHECK(none[0][1].as<int>() == 42);
}

TEST_CASE_METHOD(models::TablesFixture, "raw SQL runs in the open transaction", "[session][sql]") {
  orm::Session session(db);
  Book book = make_book("in the transaction");
  session.add(book);
  CHECK(session.execute("SELECT count(*) FROM books")[0][0].as<int>() == 1);
  session.rollback();
  CHECK(session.execute("SELECT count(*) FROM books")[0][0].as<int>() == 0);
}

namespace {
// The lines of the statement log at `path` ("" when there is none).
std::vector<std::string> log_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool starts_with(const std::string& text, const std::string& start) {
  return text.rfind(start, 0) == 0;
}
}  // namespace

TEST_CASE_METHOD(models::TablesFixture,
                 "ORM_STATEMENT_LOG gets one line per statement sent, transactions or not",
                 "[session]") {
  const std::string log = testing_support::scratch_directory() + "/statements.log";
  std::filesystem::remove(log);
  orm::Session session(db);
  Book before = make_book("Before");
  session.add(before);  // not logged: the variable is not set yet
  session.commit();

  ::setenv("ORM_STATEMENT_LOG", log.c_str(), 1);
  Book ocean = make_book("Ocean Book", "two\nlines");
  session.add(ocean);                  // 1: INSERT, in a transaction
  session.commit();                    // not logged
  CHECK(session.get<Book>(ocean.id));  // 2: SELECT, on its own
  CHECK(session.query<Book>().filter_by(&Book::title, "Ocean Book").all().size() == 1);  // 3
  for (int id = 1; id <= 3; ++id) static_cast<void>(session.get<Book>(id));  // 4-6: N+1 shape
  session.execute("SELECT count(*)\nFROM books");                            // 7: raw SQL, one line
  ::unsetenv("ORM_STATEMENT_LOG");
  static_cast<void>(session.get<Book>(ocean.id));  // not logged any more

  const auto lines = log_lines(log);
  INFO("the log:\n"
       << [&] {
            std::string all;
            for (const auto& line : lines) all += line + "\n";
            return all;
          }());
  REQUIRE(lines.size() == 7);
  CHECK(starts_with(lines[0], "INSERT INTO "));
  for (std::size_t i = 1; i < 6; ++i) CHECK(starts_with(lines[i], "SELECT "));
  CHECK(lines[6] == "SELECT count(*) FROM books");
  for (const auto& line : lines) {
    CHECK_FALSE(starts_with(line, "BEGIN"));
    CHECK_FALSE(starts_with(line, "COMMIT"));
    CHECK(line.find("Ocean Book") == std::string::npos);  // values are parameters, never logged
  }
}

TEST_CASE_METHOD(models::TablesFixture,
                 "an ORM_STATEMENT_LOG that cannot be written is named, and nothing is sent",
                 "[session][errors]") {
  orm::Session session(db);
  const std::string missing = testing_support::scratch_directory() + "/no/such/folder/log";
  ::setenv("ORM_STATEMENT_LOG", missing.c_str(), 1);
  Book book = make_book("Not stored");
  std::string message;
  try {
    session.add(book);
  } catch (const orm::ConfigError& e) {
    message = e.what();
  }
  ::unsetenv("ORM_STATEMENT_LOG");
  CHECK(message == "ORM_STATEMENT_LOG names a file that cannot be written (" + missing +
                       ": No such file or directory): give a file in a folder you can write to, "
                       "or unset it");
  session.add(book);  // the session is still usable
  session.commit();
  CHECK(committed_books(db) == 1);
}

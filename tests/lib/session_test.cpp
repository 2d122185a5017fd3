// Do not change this file: it checks the orm library (label: lib).
//
// Sessions: add, commit, ids filled in, get, all, queries, update, remove, rollback, raw SQL.
#include <catch2/catch.hpp>

#include "orm/orm.hpp"
#include "test_database.hpp"
#include "test_models.hpp"

using models::Book;

namespace {

Book make_book(std::string title, std::optional<std::string> description = std::nullopt) {
  Book book;
  book.title = std::move(title);
  book.description = std::move(description);
  return book;
}

}  // namespace

TEST_CASE_METHOD(models::TablesFixture, "commit fills autoincrement ids into the objects",
                 "[session]") {
  orm::Session session(db);
  Book ocean = make_book("Ocean Book", "watr 4evr");
  Book sky = make_book("Sky Book");
  session.add(ocean);
  session.add(sky);
  CHECK(ocean.id == 0);
  CHECK(session.pending() == 1);  // two adds to one table: one statement
  session.commit();
  CHECK(ocean.id == 1);
  CHECK(sky.id == 2);
  CHECK(session.pending() == 0);

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
  session.commit();
  for (int i = 0; i < 1000; ++i) REQUIRE(books[i].id == i + 1);

  auto all = session.all<Book>();
  REQUIRE(all.size() == 1000);
  CHECK(session.query<Book>().count() == 1000);
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

TEST_CASE_METHOD(models::TablesFixture, "update and remove change the stored rows", "[session]") {
  orm::Session session(db);
  Book book = make_book("Old title");
  session.add(book);
  session.commit();

  book.title = "New title";
  book.description = "now described";
  session.update(book);
  session.commit();
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

TEST_CASE_METHOD(models::TablesFixture, "rollback forgets pending work and resets ids",
                 "[session]") {
  orm::Session session(db);
  Book kept = make_book("kept");
  session.add(kept);
  session.commit();

  Book dropped = make_book("dropped");
  session.add(dropped);
  session.flush();
  CHECK(dropped.id == 2);
  CHECK(session.query<Book>().count() == 2);  // visible inside the transaction
  session.rollback();
  CHECK(dropped.id == 0);
  CHECK(session.query<Book>().count() == 1);
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

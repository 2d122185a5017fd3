// Do not change this file: it checks your work on lesson 03 (label lesson03). Run it with
// ./workbook check 03.
//
// It checks your Book model (table, columns, to_string), saves and loads books with it in a test
// database of its own, checks that create_app() registers it, and runs your hello_books program
// against a fresh database.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "app/app.hpp"
#include "lesson_check.hpp"
#include "models/book.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using Catch::Matchers::Contains;

namespace {

// A test database with an empty books table made from your model.
struct BooksTable {
  BooksTable() : db((lesson_check::require_server(), testing_support::test_database())) {
    INFO("Your Book model must be complete to make its table; " SEE_STEP(2));
    REQUIRE_NOTHROW(metadata.add<Book>());
    orm::drop_all(db, metadata);
    orm::create_all(db, metadata);
  }
  orm::Database db;
  orm::Metadata metadata;
};

Book make_book(std::string title, std::optional<std::string> description) {
  Book book;
  book.title = std::move(title);
  book.description = std::move(description);
  return book;
}

// One column as PostgreSQL describes it.
struct LiveColumn {
  std::string name;
  std::string type;
  bool nullable;
  bool identity;
};

std::vector<LiveColumn> live_columns(orm::Database& db, const std::string& table) {
  orm::Session session(db);
  std::vector<LiveColumn> columns;
  for (const auto& row : session.execute(
           "SELECT column_name, format_type(a.atttypid, a.atttypmod), is_nullable = 'YES', "
           "is_identity = 'YES' FROM information_schema.columns c JOIN pg_attribute a ON "
           "a.attrelid = to_regclass(c.table_name) AND a.attname = c.column_name "
           "WHERE c.table_schema = 'public' AND c.table_name = $1 ORDER BY c.ordinal_position",
           table)) {
    columns.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(), row[3].as<bool>()});
  }
  return columns;
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson03]") {
  lesson_check::require_server();
}

TEST_CASE("Book's table is called books", "[lesson03]") {
  INFO("Expected in models/book.hpp: static constexpr const char* table = \"books\";");
  INFO(SEE_STEP(1));
  CHECK(std::string(Book::table) == "books");
}

TEST_CASE("Book lists the columns id, title and description", "[lesson03]") {
  INFO(
      "fields() must list the three members: v(id, \"id\", orm::primary_key); v(title, "
      "\"title\"); v(description, \"description\");");
  INFO(SEE_STEP(2));
  REQUIRE_NOTHROW(orm::table_info<Book>());
  const orm::TableInfo& table = orm::table_info<Book>();
  std::vector<std::string> names;
  for (const auto& column : table.columns) names.push_back(column.name);
  CHECK(names == std::vector<std::string>{"id", "title", "description"});
  CHECK(orm::column_of(&Book::id).name == "id");
  CHECK(orm::column_of(&Book::title).name == "title");
  CHECK(orm::column_of(&Book::description).name == "description");
}

TEST_CASE("Book's columns have the right types, key and nullability", "[lesson03]") {
  INFO(
      "id: integer primary key, numbered by the database; title: text, NOT NULL; "
      "description: text that may be NULL");
  INFO(SEE_STEP(2));
  REQUIRE_NOTHROW(orm::table_info<Book>());
  const orm::ColumnInfo& id = orm::column_of(&Book::id);
  CHECK(id.sql_type == "integer");
  CHECK(id.primary_key);
  CHECK(id.autoincrement);
  CHECK_FALSE(id.nullable);
  const orm::ColumnInfo& title = orm::column_of(&Book::title);
  CHECK(title.sql_type == "text");
  CHECK_FALSE(title.nullable);
  CHECK_FALSE(title.primary_key);
  const orm::ColumnInfo& description = orm::column_of(&Book::description);
  CHECK(description.sql_type == "text");
  CHECK(description.nullable);
  CHECK_FALSE(description.primary_key);
}

TEST_CASE("to_string gives \"<id>: <title>. Description: <description>\"", "[lesson03]") {
  INFO(
      "Expected exactly: std::to_string(id) + \": \" + title + \". Description: \" + "
      "description.value_or(\"(none)\")");
  INFO(SEE_STEP(3));
  Book ocean = make_book("Ocean Book", "watr 4evr");
  ocean.id = 1;
  CHECK(ocean.to_string() == "1: Ocean Book. Description: watr 4evr");
  Book sky = make_book("Sky Book", std::nullopt);
  sky.id = 12;
  CHECK(sky.to_string() == "12: Sky Book. Description: (none)");
}

TEST_CASE("create_app() registers Book in the app's metadata", "[lesson03]") {
  lesson_check::require_server();
  INFO(
      "create_app() must call app->metadata().add<Book>(); so that create_all makes the books "
      "table");
  INFO(SEE_STEP(4));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app(orm::TestConfig{})));
  const orm::TableInfo* books = app->metadata().find("books");
  const bool books_is_registered = books != nullptr;
  REQUIRE(books_is_registered);
  CHECK(books == &orm::table_info<Book>());
}

TEST_CASE("create_all makes the books table from the app's metadata", "[lesson03]") {
  lesson_check::require_server();
  INFO(
      "Expected in the database: books(id integer NOT NULL identity primary key, title text NOT "
      "NULL, description text)");
  INFO(SEE_STEP(4));
  std::optional<orm::App> app;
  REQUIRE_NOTHROW(app.emplace(create_app(orm::TestConfig{})));
  orm::drop_all(app->db(), app->metadata());
  orm::create_all(app->db(), app->metadata());
  const auto columns = live_columns(app->db(), "books");
  REQUIRE(columns.size() == 3);
  CHECK(columns[0].name == "id");
  CHECK(columns[0].type == "integer");
  CHECK_FALSE(columns[0].nullable);
  CHECK(columns[0].identity);
  CHECK(columns[1].name == "title");
  CHECK(columns[1].type == "text");
  CHECK_FALSE(columns[1].nullable);
  CHECK(columns[2].name == "description");
  CHECK(columns[2].type == "text");
  CHECK(columns[2].nullable);
}

TEST_CASE_METHOD(BooksTable, "commit fills in the ids, and get/all read the books back",
                 "[lesson03]") {
  INFO(
      "A Book object is a row: after session.add(book) and session.commit() the database has "
      "numbered it (book.id 1, 2, ...) and session.get<Book>(id) / session.all<Book>() load it.");
  INFO(SEE_STEP(2));
  orm::Session session(db);
  Book ocean = make_book("Ocean Book", "watr 4evr");
  Book sky = make_book("Sky Book", std::nullopt);
  session.add(ocean);
  session.add(sky);
  session.commit();
  CHECK(ocean.id == 1);
  CHECK(sky.id == 2);

  orm::Session reader(db);
  const auto loaded = reader.get<Book>(ocean.id);
  REQUIRE(loaded.has_value());
  CHECK(loaded->title == "Ocean Book");
  CHECK(loaded->description == std::optional<std::string>("watr 4evr"));
  CHECK(loaded->to_string() == "1: Ocean Book. Description: watr 4evr");

  const auto all = reader.all<Book>();
  REQUIRE(all.size() == 2);
  CHECK(all[1].id == 2);
  CHECK(all[1].title == "Sky Book");
  CHECK_FALSE(all[1].description.has_value());
  CHECK_FALSE(reader.get<Book>(3).has_value());
}

TEST_CASE_METHOD(BooksTable, "a book without a description is stored as NULL", "[lesson03]") {
  INFO(
      "description is std::optional<std::string>: std::nullopt is stored as NULL, and NULL "
      "loads back as std::nullopt.");
  INFO(SEE_STEP(2));
  orm::Session session(db);
  Book sky = make_book("Sky Book", std::nullopt);
  session.add(sky);
  session.commit();
  const auto rows =
      session.execute("SELECT description IS NULL, title FROM books WHERE id = $1", sky.id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0].as<bool>());
  CHECK(rows[0][1].as<std::string>() == "Sky Book");
  const auto loaded = session.get<Book>(sky.id);
  REQUIRE(loaded.has_value());
  CHECK(loaded->to_string() == "1: Sky Book. Description: (none)");
}

TEST_CASE("hello_books creates the table, adds the two books and lists them", "[lesson03]") {
  lesson_check::require_server();
  const orm::DatabaseUrl database = testing_support::scratch_database("program");
  const std::vector<lesson_check::EnvChange> environment{
      {"DATABASE_URL", database.uri_with_password()}};
  const std::string listing =
      "1: Ocean Book. Description: watr 4evr\n2: Sky Book. Description: (none)\n";

  const auto first = lesson_check::run_program(LESSON_PROGRAM, {}, environment);
  {
    INFO(first.describe());
    INFO(
        "Expected on a fresh database: exit code 0 and exactly\n"
        "    Added 2 books.\n    1: Ocean Book. Description: watr 4evr\n"
        "    2: Sky Book. Description: (none)");
    INFO(SEE_STEP(5) << " and step 6");
    REQUIRE(first.exit_code == 0);
    CHECK(first.out == "Added 2 books.\n" + listing);
    CHECK(first.err.empty());
  }
  const auto second = lesson_check::run_program(LESSON_PROGRAM, {}, environment);
  INFO(second.describe());
  INFO(
      "Expected on the second run: nothing added, the same two books listed:\n"
      "    1: Ocean Book. Description: watr 4evr\n    2: Sky Book. Description: (none)");
  INFO(SEE_STEP(6));
  REQUIRE(second.exit_code == 0);
  CHECK(second.out == listing);
  CHECK(second.err.empty());
}

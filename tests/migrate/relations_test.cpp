// Do not change this file: it checks the migrations (label: migrate).
//
// Autogenerate with foreign keys, indexes, unique and check constraints, on a real PostgreSQL:
// each case creates, alters or drops them, checks the order of the statements, and runs
// upgrade, downgrade and upgrade again, comparing the whole schema after each step.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>

#include <string>

#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "project.hpp"
#include "relation_models.hpp"

using Catch::Contains;
using namespace migrate_testing;
using relation_models::Author;
using relation_models::Book;
using relation_models::BookGenre;
using relation_models::Genre;

namespace {

// Lesson-04-like books: no author yet, no constraints.
struct PlainBook {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;
  int year = 2000;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(year, "year");
  }
};

// Book with its foreign key changed to ON DELETE RESTRICT, its index on author_id gone, a
// unique index on title, and the check under another name.
struct RestrictBook {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;
  int year = 2000;
  int author_id = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(year, "year");
    v(author_id, "author_id", orm::foreign_key(&Author::id, orm::OnDelete::restrict));
  }
  static std::vector<orm::TableArg> table_args() {
    return {orm::unique_constraint(&RestrictBook::author_id, &RestrictBook::title),
            orm::index_on(&RestrictBook::year, &RestrictBook::title),
            orm::unique_index_on(&RestrictBook::title),
            orm::check_constraint("books_year_after_print", "year > 1450")};
  }
};

// The schema of the public tables as text: columns, constraints and indexes, sorted.
std::string schema(Project& p) {
  return p.scalar(R"sql(
SELECT string_agg(line, E'\n' ORDER BY line) FROM (
  SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
         CASE WHEN a.attnotnull THEN ' not null' ELSE '' END AS line
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'migration_history'
  UNION ALL
  SELECT c.relname || ' constraint ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relname <> 'migration_history'
  UNION ALL
  SELECT 'index ' || indexdef FROM pg_indexes
   WHERE schemaname = 'public' AND tablename <> 'migration_history'
) AS s)sql");
}

// Position of `what` in `text`, failing the test when it is not there.
std::size_t at(const std::string& text, const std::string& what) {
  const auto found = text.find(what);
  INFO(what);
  REQUIRE(found != std::string::npos);
  return found;
}

// Starts the history with `Models`: a revision made by autogenerate, upgraded to. Returns the
// schema.
template <class... Models>
std::string upgraded_with(Project& p) {
  p.use<Models...>();
  REQUIRE(p.db.migrate("first"));
  p.db.upgrade();
  p.take();
  return schema(p);
}

// Upgrade, downgrade one step and upgrade again: the schema after each upgrade is the same, and
// the downgrade gives back `before`. Also checks that the models then match the database.
void round_trip(Project& p, const std::string& before) {
  p.db.upgrade();
  const std::string after = schema(p);
  CHECK(after != before);
  CHECK(p.db.check());
  p.db.downgrade();
  CHECK(schema(p) == before);
  p.db.upgrade();
  CHECK(schema(p) == after);
  p.take();
}

}  // namespace

TEST_CASE("autogenerate creates tables referenced ones first, with their constraints and indexes",
          "[autogenerate][relations]") {
  Project p;
  p.use<Author, Book, Genre, BookGenre>();
  const auto path = p.db.migrate("library");
  REQUIRE(path);
  CHECK(p.take() ==
        "Detected added table 'authors'\nDetected added table 'books'\nDetected added table "
        "'genres'\nDetected added table 'book_genres'\nGenerating " +
            path->string() + " ...  done\n");
  const std::string text = read(*path);
  const std::string down = "-- === downgrade ===";
  CHECK(at(text, "CREATE TABLE authors (") < at(text, "CREATE TABLE books ("));
  CHECK(at(text, "CREATE TABLE books (") < at(text, "CREATE TABLE book_genres ("));
  CHECK(at(text, "CREATE TABLE genres (") < at(text, "CREATE TABLE book_genres ("));
  CHECK_THAT(text, Contains("    CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id) "
                            "REFERENCES authors (id) ON DELETE CASCADE,\n"
                            "    CONSTRAINT books_author_id_title_key UNIQUE (author_id, title),\n"
                            "    CONSTRAINT books_year_check CHECK (year > 0)\n);\n"
                            "CREATE INDEX ix_books_author_id ON books (author_id);\n"
                            "CREATE INDEX ix_books_year_title ON books (year, title);\n"));
  // Dropped the other way round.
  CHECK(at(text, down) < at(text, "DROP TABLE book_genres;"));
  CHECK(at(text, "DROP TABLE book_genres;") < at(text, "DROP TABLE books;"));
  CHECK(at(text, "DROP TABLE books;") < at(text, "DROP TABLE authors;"));

  round_trip(p, schema(p));
  p.db.downgrade("base");
  CHECK_FALSE(p.table_exists("authors"));
  CHECK_FALSE(p.table_exists("books"));
}

TEST_CASE("autogenerate adds a foreign key column and constraints to an existing table",
          "[autogenerate][relations]") {
  Project p;
  const std::string plain = upgraded_with<PlainBook>(p);

  p.use<Author, Book>();
  const auto path = p.db.migrate("authors");
  REQUIRE(path);
  CHECK(p.take() ==
        "Detected added table 'authors'\n"
        "Detected added column 'books.author_id'\n"
        "Detected added foreign key 'books.author_id' -> authors.id\n"
        "Detected added index 'ix_books_author_id' on 'books' (author_id)\n"
        "Detected added index 'ix_books_year_title' on 'books' (year, title)\n"
        "Detected added unique constraint 'books_author_id_title_key' on 'books' "
        "(author_id, title)\n"
        "Detected added check constraint 'books_year_check' on 'books'\n"
        "Generating " +
            path->string() + " ...  done\n");
  const std::string text = read(*path);
  // The table the key refers to and the column come before the constraint.
  CHECK(at(text, "CREATE TABLE authors (") <
        at(text, "ALTER TABLE books ADD COLUMN author_id integer NOT NULL;"));
  CHECK(at(text, "ALTER TABLE books ADD COLUMN author_id integer NOT NULL;") <
        at(text,
           "ALTER TABLE books ADD CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id) "
           "REFERENCES authors (id) ON DELETE CASCADE;"));
  // The downgrade drops the constraint before the column and the column before the table.
  const std::size_t down = at(text, "-- === downgrade ===");
  const std::size_t drop_key = at(text, "ALTER TABLE books DROP CONSTRAINT books_author_id_fkey;");
  CHECK(down < drop_key);
  CHECK(drop_key < at(text, "ALTER TABLE books DROP COLUMN author_id;"));
  CHECK(at(text, "ALTER TABLE books DROP COLUMN author_id;") < at(text, "DROP TABLE authors;"));

  round_trip(p, plain);
}

TEST_CASE("autogenerate changes a foreign key's ON DELETE, and indexes and constraints",
          "[autogenerate][relations]") {
  Project p;
  const std::string before = upgraded_with<Author, Book>(p);

  p.use<Author, RestrictBook>();
  const auto path = p.db.migrate("restrict");
  REQUIRE(path);
  CHECK(p.take() ==
        "Detected removed foreign key 'books_author_id_fkey' on 'books.author_id'\n"
        "Detected removed index 'ix_books_author_id' on 'books'\n"
        "Detected removed check constraint 'books_year_check' on 'books'\n"
        "Detected added foreign key 'books.author_id' -> authors.id\n"
        "Detected added unique index 'ix_books_title' on 'books' (title)\n"
        "Detected added check constraint 'books_year_after_print' on 'books'\n"
        "Generating " +
            path->string() + " ...  done\n");
  const std::string text = read(*path);
  CHECK(at(text, "ALTER TABLE books DROP CONSTRAINT books_author_id_fkey;") <
        at(text,
           "ALTER TABLE books ADD CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id) "
           "REFERENCES authors (id) ON DELETE RESTRICT;"));
  CHECK_THAT(text, Contains("CREATE UNIQUE INDEX ix_books_title ON books (title);\n"));
  // The downgrade puts the old check back as the database stored it.
  CHECK_THAT(text,
             Contains("ALTER TABLE books ADD CONSTRAINT books_year_check CHECK ((year > 0));\n"));
  round_trip(p, before);
}

TEST_CASE("autogenerate drops constraints before columns, and tables that refer to others first",
          "[autogenerate][relations]") {
  Project p;
  const std::string library = upgraded_with<Author, Book, Genre, BookGenre>(p);

  // Books lose their author: the foreign key, index and constraints go before the column.
  p.use<Author, PlainBook>();
  const auto path = p.db.migrate("no authors on books");
  REQUIRE(path);
  std::string text = read(*path);
  const std::size_t drop_column = at(text, "ALTER TABLE books DROP COLUMN author_id;");
  CHECK(at(text, "ALTER TABLE books DROP CONSTRAINT books_author_id_fkey;") < drop_column);
  CHECK(at(text, "DROP INDEX ix_books_author_id;") < drop_column);
  CHECK(at(text, "ALTER TABLE books DROP CONSTRAINT books_author_id_title_key;") < drop_column);
  CHECK(at(text, "DROP TABLE book_genres;") < at(text, "DROP TABLE genres;"));
  // The downgrade brings the column back before its constraints.
  CHECK(at(text, "ALTER TABLE books ADD COLUMN author_id integer NOT NULL;") <
        at(text, "ALTER TABLE books ADD CONSTRAINT books_author_id_fkey FOREIGN KEY"));
  round_trip(p, library);
}

TEST_CASE(
    "autogenerate drops tables that refer to others first, and the downgrade makes them "
    "again in the other order",
    "[autogenerate][relations]") {
  Project p;
  const std::string library = upgraded_with<Author, Book, Genre, BookGenre>(p);

  p.use<>();
  const auto path = p.db.migrate("nothing");
  REQUIRE(path);
  const std::string text = read(*path);
  const std::size_t down = at(text, "-- === downgrade ===");
  // The database lists its tables by name (authors, book_genres, books, genres): the drops
  // follow the references instead.
  CHECK(at(text, "DROP TABLE book_genres;") < at(text, "DROP TABLE books;"));
  CHECK(at(text, "DROP TABLE book_genres;") < at(text, "DROP TABLE genres;"));
  CHECK(at(text, "DROP TABLE books;") < at(text, "DROP TABLE authors;"));
  CHECK(at(text, "DROP TABLE authors;") < down);
  const std::string downgrade = text.substr(down);
  CHECK(at(downgrade, "CREATE TABLE authors (") < at(downgrade, "CREATE TABLE books ("));
  CHECK(at(downgrade, "CREATE TABLE books (") < at(downgrade, "CREATE TABLE book_genres ("));
  p.db.upgrade();
  CHECK(schema(p) == "NULL");  // no table left
  p.db.downgrade();
  CHECK(schema(p) == library);
  p.db.upgrade();
  CHECK(schema(p) == "NULL");
}

TEST_CASE("a model in step with its database reports no change for any constraint",
          "[autogenerate][relations]") {
  Project p;
  p.use<Author, Book, Genre, BookGenre>();
  orm::create_all(p.app.db(), p.app.metadata());
  CHECK(orm::migrate::compare(p.app.metadata(), orm::migrate::reflect(p.app.db())).empty());
  // An expression index and a partial index are not the models' business: left alone.
  p.exec("CREATE INDEX books_lower_title ON books (lower(title))");
  p.exec("CREATE INDEX books_recent ON books (year) WHERE year > 2000");
  CHECK(orm::migrate::compare(p.app.metadata(), orm::migrate::reflect(p.app.db())).empty());
  // The same constraints under other names are the same constraints.
  p.exec("ALTER TABLE books RENAME CONSTRAINT books_author_id_fkey TO books_by_author");
  p.exec("ALTER INDEX ix_books_author_id RENAME TO books_author_lookup");
  CHECK(orm::migrate::compare(p.app.metadata(), orm::migrate::reflect(p.app.db())).empty());
}

// Do not change this file: it checks the migrations (label: migrate).
//
// The migration engine in-process, against a real PostgreSQL: each Project (one per TEST_CASE,
// two in a few) has its own scratch database and its own migrations folder.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "models.hpp"
#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;
using Catch::Contains;
using Catch::EndsWith;
using Catch::StartsWith;
using namespace migrate_models;

namespace {

fs::path fresh_directory() {
  static int counter = 0;
  return fs::path(testing_support::scratch_directory()) /
         ("migrations_" + std::to_string(++counter));
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The error text of `f`, which must throw an orm::Error; checks it is one line.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const orm::Error& e) {
    const std::string what = e.what();
    CHECK(what.find('\n') == std::string::npos);
    return what;
  }
  FAIL("expected an orm::Error");
  return {};
}

// The revision id of a file written by `db migrate` / `db revision`.
std::string id_of(const fs::path& path) {
  return path.filename().string().substr(0, 12);
}

// One student's project: an app on this test's database and a migrations folder.
struct Project {
  explicit Project(bool init = true)
      : directory(fresh_directory()),
        app(config()),
        db(app, out, orm::migrate::Settings{directory, "hello_books"}) {
    if (init) db.init();
    take();
  }

  // A database of its own, so test cases also pass when run in one process.
  static orm::Config config() {
    static int counter = 0;
    orm::Config config;
    config.database_url =
        testing_support::scratch_database("p" + std::to_string(++counter)).uri_with_password();
    return config;
  }

  // Replaces the app's models.
  template <class... Models>
  void use() {
    app.metadata() = orm::Metadata();
    (app.metadata().add<Models>(), ...);
  }

  // What the commands printed since the last call.
  std::string take() {
    std::string text = out.str();
    out.str("");
    return text;
  }

  std::string scalar(const std::string& sql) {
    pqxx::nontransaction tx(app.db().connection());
    const pqxx::result result = tx.exec(sql);
    return result.empty() || result[0][0].is_null() ? "NULL" : result[0][0].as<std::string>();
  }

  void exec(const std::string& sql) {
    pqxx::nontransaction tx(app.db().connection());
    tx.exec(sql);
  }

  bool table_exists(const std::string& name) {
    return scalar("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
  }

  // Writes a revision by hand (`db revision` + an editor) and returns its id.
  std::string hand_revision(const std::string& message, const std::string& upgrade,
                            const std::string& downgrade) {
    const fs::path path = db.revision(message);
    std::string text = read(path);
    const std::string up =
        "-- Write the SQL that makes the change here; end each statement with ;\n";
    const std::string down = "-- Write the SQL that undoes the upgrade here.\n";
    REQUIRE(text.find(up) != std::string::npos);
    REQUIRE(text.find(down) != std::string::npos);
    text.replace(text.find(up), up.size(), upgrade);
    text.replace(text.find(down), down.size(), downgrade);
    write(path, text);
    take();
    return id_of(path);
  }

  fs::path file_of(const std::string& id) {
    return orm::migrate::ScriptDirectory::load(directory).resolve(id).path;
  }

  std::size_t revision_files() {
    std::size_t count = 0;
    for (const auto& entry : fs::directory_iterator(directory / "versions")) {
      count += entry.path().extension() == ".sql";
    }
    return count;
  }

  fs::path directory;
  orm::App app;
  std::ostringstream out;
  orm::migrate::Migrations db;
};

orm::migrate::RevisionDraft draft(const std::string& id, const std::string& down,
                                  const std::string& message, const std::string& date,
                                  const std::string& upgrade, const std::string& downgrade) {
  orm::migrate::RevisionDraft d;
  d.id = id;
  d.down_revision = down;
  d.message = message;
  d.create_date = date;
  d.upgrade_body = upgrade;
  d.downgrade_body = downgrade;
  return d;
}

}  // namespace

TEST_CASE("init creates migrations/ with versions/ and a README, and refuses a second time",
          "[init]") {
  Project p(false);
  const std::string d = p.directory.string();
  p.db.init();
  CHECK(p.take() == "Creating directory " + d + " ...  done\nCreating directory " + d +
                        "/versions ...  done\nGenerating " + d + "/README ...  done\n");
  CHECK(fs::is_directory(p.directory / "versions"));
  CHECK_THAT(read(p.directory / "README"),
             Contains("hello_books db migrate -m \"adds Book model\""));
  CHECK(fs::is_empty(p.directory / "versions"));

  CHECK(error_of([&] { p.db.init(); }) ==
        "directory " + d +
            " already exists and is not empty: keep using it, or remove it (or pass another "
            "--directory) to start over");
  CHECK(p.take().empty());

  // An existing but empty folder is fine.
  Project q(false);
  fs::create_directories(q.directory);
  q.db.init();
  CHECK(fs::is_directory(q.directory / "versions"));
}

TEST_CASE("autogenerate on an empty database creates the tables, and no change writes nothing",
          "[autogenerate]") {
  Project p;
  p.use<Book>();
  const auto path = p.db.migrate("adds Book model");
  REQUIRE(path);
  const std::string id = id_of(*path);
  CHECK(path->filename().string() == id + "_adds_book_model.sql");
  CHECK(p.take() == "Detected added table 'books'\nGenerating " + path->string() + " ...  done\n");

  const std::string text = read(*path);
  CHECK_THAT(text, StartsWith("-- adds Book model\n--\n-- Revision ID: " + id +
                              "\n-- Revises:\n-- Create Date: "));
  CHECK_THAT(text, Contains("\n\n-- === upgrade ===\n\n"));
  CHECK_THAT(text, Contains("\nCREATE TABLE books (\n"
                            "    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
                            "    title text NOT NULL,\n"
                            "    description text\n"
                            ");\n\n-- === downgrade ===\n\nDROP TABLE books;\n"));
  CHECK_THAT(text, !Contains("Destructive"));

  p.db.upgrade();
  CHECK(p.take() == "Running upgrade  -> " + id + ", adds Book model\n");
  CHECK(p.scalar(
            "SELECT format_type(atttypid, atttypmod) || ' ' || attidentity::text FROM pg_attribute "
            "WHERE attrelid = 'books'::regclass AND attname = 'id'") == "integer d");

  CHECK_FALSE(p.db.migrate("no changes"));
  CHECK(p.take() == "No changes in schema detected.\n");
  CHECK(p.revision_files() == 1);
  CHECK(p.db.check());
  CHECK(p.take() == "No new upgrade operations detected.\n");

  CHECK(p.db.current() == id);
  CHECK(p.take() == id + " (head)\n");
  p.db.show(id.substr(0, 5));
  CHECK_THAT(p.take(),
             StartsWith("Rev: " + id + " (head)\nParent: <base>\nPath: " + path->string() +
                        "\n\n    adds Book model\n\n    Revision ID: " + id +
                        "\n    Revises:\n    Create Date: "));
}

TEST_CASE("serial and identity columns are the same autoincrement to autogenerate",
          "[autogenerate]") {
  Project p;
  p.use<Book>();
  p.exec("CREATE TABLE books (id serial PRIMARY KEY, title text NOT NULL, description text)");
  CHECK_FALSE(p.db.migrate("nothing to do"));
  CHECK(p.take() == "No changes in schema detected.\n");

  p.exec(
      "DROP TABLE books; CREATE TABLE books (id integer GENERATED ALWAYS AS IDENTITY PRIMARY "
      "KEY, title text NOT NULL, description text)");
  CHECK_FALSE(p.db.migrate("nothing to do"));

  // A real difference next to a serial: only the type change is reported.
  p.exec(
      "DROP TABLE books; CREATE TABLE books (id bigserial PRIMARY KEY, title text NOT NULL, "
      "description text)");
  p.take();
  const auto path = p.db.migrate("id type");
  REQUIRE(path);
  CHECK(p.take() == "Detected type change from bigint to integer on 'books.id'\nGenerating " +
                        path->string() + " ...  done\n");
  CHECK_THAT(read(*path), Contains("\nALTER TABLE books ALTER COLUMN id TYPE integer;\n"));
}

TEST_CASE("autogenerate adds a column and the upgrade keeps the rows", "[autogenerate]") {
  Project p;
  p.use<Book>();
  const std::string first = id_of(*p.db.migrate("adds Book model"));
  p.db.upgrade();
  p.exec("INSERT INTO books (title, description) VALUES ('Ocean Book', 'watr 4evr')");
  p.take();

  p.use<BookWithAuthor>();
  const auto path = p.db.migrate("adds author");
  REQUIRE(path);
  const std::string second = id_of(*path);
  CHECK(p.take() ==
        "Detected added column 'books.author'\nGenerating " + path->string() + " ...  done\n");
  const std::string text = read(*path);
  CHECK_THAT(text, Contains("\n-- Revises: " + first + "\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books ADD COLUMN author text;\n"));
  CHECK_THAT(text, EndsWith("-- === downgrade ===\n\nALTER TABLE books DROP COLUMN author;\n"));
  CHECK_THAT(text, !Contains("Destructive"));

  p.db.upgrade();
  CHECK(p.take() == "Running upgrade " + first + " -> " + second + ", adds author\n");
  CHECK(p.scalar(
            "SELECT title || '|' || description || '|' || coalesce(author, 'NULL') FROM books") ==
        "Ocean Book|watr 4evr|NULL");
}

TEST_CASE("autogenerate drops a column and marks the revision destructive", "[autogenerate]") {
  Project p;
  p.use<Book>();
  p.db.migrate("adds Book model");
  p.db.upgrade();
  p.take();

  p.use<BookNoDescription>();
  const auto path = p.db.migrate("drops description");
  REQUIRE(path);
  CHECK(p.take() == "Detected removed column 'books.description' (destructive)\nGenerating " +
                        path->string() + " ...  done\n");
  const std::string text = read(*path);
  CHECK_THAT(text, Contains("\n-- Destructive: drops column books.description\n"));
  CHECK_THAT(text, Contains("\n-- DESTRUCTIVE: drops column books.description and the data in "
                            "it.\nALTER TABLE books DROP COLUMN description;\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books ADD COLUMN description text;\n"));
  CHECK_THAT(text, !Contains("Possible rename"));

  p.db.upgrade();
  CHECK(p.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'books'::regclass AND "
                 "attname = 'description' AND NOT attisdropped") == "0");
  p.db.downgrade();
  CHECK(p.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'books'::regclass AND "
                 "attname = 'description' AND NOT attisdropped") == "1");
}

TEST_CASE("a dropped and an added column of one type are never a silent data loss",
          "[autogenerate][rename]") {
  Project p;
  p.use<BookTypo>();
  p.db.migrate("adds Book model");
  p.db.upgrade();
  p.exec("INSERT INTO books (title, descrption) VALUES ('Ocean Book', 'watr 4evr')");
  p.take();

  // Without --rename: the drop is marked, and the rename is offered in the output and the file.
  p.use<Book>();
  const auto guessed = p.db.migrate("renames descrption");
  REQUIRE(guessed);
  CHECK(p.take() ==
        "Detected added column 'books.description'\n"
        "Detected removed column 'books.descrption' (destructive)\n"
        "Generating " +
            guessed->string() +
            " ...  done\n"
            "Possible rename books.descrption -> books.description: the new revision drops the old "
            "one's data; to keep it, delete " +
            guessed->string() +
            " and run `hello_books db migrate -m \"renames descrption\" --rename "
            "books.descrption:description`\n");
  const std::string guessed_text = read(*guessed);
  CHECK_THAT(guessed_text, Contains("\n-- Destructive: drops column books.descrption\n"));
  CHECK_THAT(guessed_text,
             Contains("\n--   ALTER TABLE books RENAME COLUMN descrption TO description;\n"));
  CHECK_THAT(
      guessed_text,
      Contains("\n--   hello_books db migrate -m \"...\" --rename books.descrption:description\n"));
  fs::remove(*guessed);

  // With --rename: a RENAME COLUMN, nothing destructive, the data stays.
  const auto renamed = p.db.migrate("renames descrption", {"books.descrption:description"});
  REQUIRE(renamed);
  CHECK(p.take() ==
        "Detected renamed column 'books.descrption' to 'books.description'\n"
        "Generating " +
            renamed->string() + " ...  done\n");
  const std::string text = read(*renamed);
  CHECK_THAT(text, Contains("\nALTER TABLE books RENAME COLUMN descrption TO description;\n"));
  CHECK_THAT(text, EndsWith("\nALTER TABLE books RENAME COLUMN description TO descrption;\n"));
  CHECK_THAT(text, !Contains("Destructive"));
  p.db.upgrade();
  CHECK(p.scalar("SELECT description FROM books") == "watr 4evr");

  CHECK_THAT(error_of([&] { p.db.migrate("x", {"books.nope:description"}); }),
             StartsWith("--rename books.nope:description: books.nope must be a column the "
                        "database has"));
  CHECK_THAT(error_of([&] { p.db.migrate("x", {"books"}); }),
             StartsWith("--rename 'books' is not understood: use TABLE.OLD_COLUMN:NEW_COLUMN"));

  p.db.downgrade();
  CHECK(p.scalar("SELECT descrption FROM books") == "watr 4evr");
}

TEST_CASE("autogenerate sees a varchar length change", "[autogenerate]") {
  Project p;
  p.use<BookTitle200>();
  p.db.migrate("adds Book model");
  p.db.upgrade();
  p.take();

  p.use<BookTitle100>();
  const auto path = p.db.migrate("shorter titles");
  REQUIRE(path);
  CHECK(p.take() ==
        "Detected type change from character varying(200) to character varying(100) "
        "on 'books.title'\nGenerating " +
            path->string() + " ...  done\n");
  const std::string text = read(*path);
  CHECK_THAT(text,
             Contains("\nALTER TABLE books ALTER COLUMN title TYPE character varying(100);\n"));
  CHECK_THAT(text,
             EndsWith("\nALTER TABLE books ALTER COLUMN title TYPE character varying(200);\n"));
  p.db.upgrade();
  CHECK(p.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                 "'books'::regclass AND attname = 'title'") == "character varying(100)");
}

TEST_CASE("autogenerate sees nullability changes both ways", "[autogenerate]") {
  Project p;
  p.use<Book>();
  p.db.migrate("adds Book model");
  p.db.upgrade();
  p.take();

  p.use<BookOptionalTitle>();
  const auto nullable = p.db.migrate("optional title");
  REQUIRE(nullable);
  CHECK(p.take() ==
        "Detected NULL on column 'books.title'\nGenerating " + nullable->string() + " ...  done\n");
  CHECK_THAT(read(*nullable), Contains("\nALTER TABLE books ALTER COLUMN title DROP NOT NULL;\n"));
  CHECK_THAT(read(*nullable), EndsWith("\nALTER TABLE books ALTER COLUMN title SET NOT NULL;\n"));
  p.db.upgrade();
  p.exec("INSERT INTO books (title) VALUES (NULL)");

  p.use<Book>();
  p.take();
  const auto required = p.db.migrate("required title");
  REQUIRE(required);
  CHECK(p.take() == "Detected NOT NULL on column 'books.title'\nGenerating " + required->string() +
                        " ...  done\n");
  const std::string text = read(*required);
  CHECK_THAT(text, Contains("\n-- fails while books.title holds NULLs: fill them first, e.g. "
                            "UPDATE books SET title = ... WHERE title IS NULL;\n"
                            "ALTER TABLE books ALTER COLUMN title SET NOT NULL;\n"));

  // The NULL row makes it fail; nothing of it is applied; after a fix it runs.
  const std::string id = id_of(*required);
  const std::string line = std::to_string(
      std::count(text.begin(), text.begin() + text.find("ALTER TABLE books ALTER COLUMN title SET"),
                 '\n') +
      1);
  CHECK(error_of([&] { p.db.upgrade(); }) ==
        required->string() + ":" + line +
            ": column \"title\" of relation \"books\" contains null values (SQLSTATE 23502); "
            "upgrade " +
            id +
            " (required title) was rolled back (revisions before it stay "
            "applied): fix the SQL and run `hello_books db upgrade` again");
  CHECK(p.scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'books'::regclass AND "
                 "attname = 'title'") == "f");
  p.exec("UPDATE books SET title = 'untitled' WHERE title IS NULL");
  p.db.upgrade();
  CHECK(p.scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'books'::regclass AND "
                 "attname = 'title'") == "t");
}

TEST_CASE("autogenerate sees unique constraints and server defaults", "[autogenerate]") {
  Project p;
  p.use<BookWithIsbn>();
  const auto path = p.db.migrate("adds books");
  REQUIRE(path);
  CHECK_THAT(read(*path), Contains("    isbn character varying(13) NOT NULL UNIQUE,\n"
                                   "    status text DEFAULT 'new' NOT NULL\n);\n"));
  p.db.upgrade();
  p.take();
  CHECK_FALSE(p.db.migrate("same"));  // 'new' and the stored 'new'::text are one default
  CHECK(p.take() == "No changes in schema detected.\n");

  p.exec(
      "ALTER TABLE books DROP CONSTRAINT books_isbn_key; "
      "ALTER TABLE books ALTER COLUMN status SET DEFAULT 'old'");
  const auto fix = p.db.migrate("restores isbn and status");
  REQUIRE(fix);
  CHECK(p.take() ==
        "Detected added unique constraint on 'books.isbn'\n"
        "Detected server default change on 'books.status': 'old'::text -> 'new'\n"
        "Generating " +
            fix->string() + " ...  done\n");
  const std::string text = read(*fix);
  CHECK_THAT(text, Contains("\nALTER TABLE books ADD CONSTRAINT books_isbn_key UNIQUE (isbn);\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books ALTER COLUMN status SET DEFAULT 'new';\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books ALTER COLUMN status SET DEFAULT 'old'::text;\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books DROP CONSTRAINT books_isbn_key;\n"));
  p.db.upgrade();
  CHECK_FALSE(p.db.migrate("same again"));

  // And the other way: the model drops unique, the database still has it.
  p.exec("ALTER TABLE books ADD CONSTRAINT books_title_key UNIQUE (title)");
  p.take();
  const auto drop = p.db.migrate("title not unique");
  REQUIRE(drop);
  CHECK(p.take() == "Detected removed unique constraint on 'books.title'\nGenerating " +
                        drop->string() + " ...  done\n");
  CHECK_THAT(read(*drop), Contains("\nALTER TABLE books DROP CONSTRAINT books_title_key;\n"));
}

TEST_CASE("autogenerate adds and drops tables, and the downgrade recreates a dropped table",
          "[autogenerate]") {
  Project p;
  p.use<Book, Author>();
  const auto both = p.db.migrate("adds books and authors");
  REQUIRE(both);
  CHECK(p.take() == "Detected added table 'books'\nDetected added table 'authors'\nGenerating " +
                        both->string() + " ...  done\n");
  p.db.upgrade();
  p.exec("INSERT INTO authors (name) VALUES ('Ursula')");
  p.take();

  p.use<Book>();
  const auto path = p.db.migrate("drops authors");
  REQUIRE(path);
  CHECK(p.take() == "Detected removed table 'authors' (destructive)\nGenerating " + path->string() +
                        " ...  done\n");
  const std::string text = read(*path);
  CHECK_THAT(text, Contains("\n-- Destructive: drops table authors\n"));
  CHECK_THAT(text, Contains("\n-- DESTRUCTIVE: drops table authors and every row in it.\n"
                            "DROP TABLE authors;\n"));
  CHECK_THAT(text, EndsWith("-- === downgrade ===\n\n"
                            "-- the table comes back empty: its old rows are not restored\n"
                            "CREATE TABLE authors (\n"
                            "    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
                            "    name text NOT NULL\n"
                            ");\n"));
  p.db.upgrade();
  CHECK_FALSE(p.table_exists("authors"));
  p.db.downgrade();
  CHECK(p.table_exists("authors"));

  orm::Metadata both_models;
  both_models.add<Book>().add<Author>();
  CHECK(orm::migrate::compare(both_models, orm::migrate::reflect(p.app.db())).empty());
}

TEST_CASE("autogenerate moves the primary key, and the downgrade moves it back", "[autogenerate]") {
  Project p;
  p.use<Book>();
  p.db.migrate("adds Book model");
  p.db.upgrade();
  p.take();

  p.use<BookByIsbn>();
  const auto path = p.db.migrate("books by isbn");
  REQUIRE(path);
  CHECK(p.take() ==
        "Detected added column 'books.isbn'\n"
        "Detected primary key of 'books' changed from (id) to (isbn)\n"
        "Detected removed column 'books.id' (destructive)\n"
        "Generating " +
            path->string() + " ...  done\n");
  const std::string text = read(*path);
  CHECK_THAT(text,
             Contains("\nALTER TABLE books ADD COLUMN isbn character varying(13) NOT NULL;\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books DROP CONSTRAINT books_pkey;\n"
                            "ALTER TABLE books ADD CONSTRAINT books_pkey PRIMARY KEY (isbn);\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books DROP COLUMN id;\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books ADD COLUMN id integer GENERATED BY DEFAULT AS "
                            "IDENTITY NOT NULL;\n"));
  CHECK_THAT(text, Contains("\nALTER TABLE books ADD CONSTRAINT books_pkey PRIMARY KEY (id);\n"));
  p.db.upgrade();
  CHECK(p.scalar("SELECT string_agg(a.attname, ',') FROM pg_constraint c JOIN pg_attribute a ON "
                 "a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) WHERE c.conrelid = "
                 "'books'::regclass AND c.contype = 'p'") == "isbn");
  CHECK_FALSE(p.db.migrate("same"));

  p.db.downgrade();
  orm::Metadata book;
  book.add<Book>();
  CHECK(orm::migrate::compare(book, orm::migrate::reflect(p.app.db())).empty());
}

TEST_CASE("a renamed table is offered as a rename, and --rename OLD:NEW keeps its rows",
          "[autogenerate][rename]") {
  Project p;
  p.use<Book>();
  p.db.migrate("adds Book model");
  p.db.upgrade();
  p.exec("INSERT INTO books (title) VALUES ('Ocean Book')");
  p.take();

  p.use<Volume>();
  const auto guessed = p.db.migrate("books are volumes");
  REQUIRE(guessed);
  CHECK_THAT(p.take(), Contains("Possible rename books -> volumes: the new revision drops the old "
                                "one's data; to keep it, delete " +
                                guessed->string() +
                                " and run `hello_books db migrate -m \"books are volumes\" "
                                "--rename books:volumes`\n"));
  CHECK_THAT(read(*guessed), Contains("\n--   ALTER TABLE books RENAME TO volumes;\n"));
  CHECK_THAT(read(*guessed), Contains("\n-- Destructive: drops table books\n"));
  fs::remove(*guessed);

  const auto renamed = p.db.migrate("books are volumes", {"books:volumes"});
  REQUIRE(renamed);
  CHECK(p.take() == "Detected renamed table 'books' to 'volumes'\nGenerating " + renamed->string() +
                        " ...  done\n");
  CHECK_THAT(read(*renamed), Contains("\nALTER TABLE books RENAME TO volumes;\n"));
  CHECK_THAT(read(*renamed), !Contains("Destructive"));
  p.db.upgrade();
  CHECK(p.scalar("SELECT title FROM volumes") == "Ocean Book");
  CHECK_FALSE(p.db.migrate("same"));
  p.db.downgrade();
  CHECK(p.scalar("SELECT title FROM books") == "Ocean Book");
}

TEST_CASE("migrate and check refuse when the database is not at head", "[autogenerate]") {
  Project p;
  p.use<Book>();
  const std::string id = id_of(*p.db.migrate("adds Book model"));
  p.use<BookWithAuthor>();
  p.take();
  CHECK(error_of([&] { p.db.migrate("adds author"); }) ==
        "Target database is not up to date: it is at base, the newest revision is " + id +
            "; run `hello_books db upgrade` first, then `hello_books db migrate` again");
  CHECK_THAT(error_of([&] { p.db.check(); }),
             StartsWith("Target database is not up to date: it is at base"));
  CHECK(p.revision_files() == 1);
}

TEST_CASE("upgrade and downgrade round trip to base and back keeps untouched tables' data",
          "[upgrade][downgrade]") {
  Project p;
  p.use<Author>();
  const std::string r1 = id_of(*p.db.migrate("adds authors"));
  p.db.upgrade();
  p.use<Author, Book>();
  const std::string r2 = id_of(*p.db.migrate("adds Book model"));
  p.db.upgrade();
  p.use<Author, BookWithAuthor>();
  const std::string r3 = id_of(*p.db.migrate("adds author"));
  p.db.upgrade();
  p.take();

  p.exec("INSERT INTO authors (name) VALUES ('Ursula'), ('Octavia')");
  p.exec("INSERT INTO books (title, author) VALUES ('The Dispossessed', 'Ursula')");
  p.exec("CREATE TABLE keep_me (note text); INSERT INTO keep_me VALUES ('still here')");

  p.db.downgrade("-2");
  CHECK(p.take() == "Running downgrade " + r3 + " -> " + r2 + ", adds author\nRunning downgrade " +
                        r2 + " -> " + r1 + ", adds Book model\n");
  CHECK_FALSE(p.table_exists("books"));
  CHECK(p.scalar("SELECT string_agg(name, ',' ORDER BY id) FROM authors") == "Ursula,Octavia");

  p.db.upgrade();
  CHECK(p.take() == "Running upgrade " + r1 + " -> " + r2 + ", adds Book model\nRunning upgrade " +
                        r2 + " -> " + r3 + ", adds author\n");
  CHECK(p.scalar("SELECT count(*) FROM books") == "0");
  CHECK(p.scalar("SELECT string_agg(name, ',' ORDER BY id) FROM authors") == "Ursula,Octavia");

  p.db.downgrade("base");
  CHECK(p.take() == "Running downgrade " + r3 + " -> " + r2 + ", adds author\nRunning downgrade " +
                        r2 + " -> " + r1 + ", adds Book model\nRunning downgrade " + r1 +
                        " -> , adds authors\n");
  CHECK_FALSE(p.table_exists("authors"));
  CHECK(p.table_exists("migration_history"));
  CHECK(p.db.applied().empty());
  CHECK_FALSE(p.db.current());
  CHECK(p.scalar("SELECT note FROM keep_me") == "still here");

  p.db.upgrade();
  CHECK(p.db.current() == r3);
  CHECK(p.scalar("SELECT note FROM keep_me") == "still here");
  const auto applied = p.db.applied();
  REQUIRE(applied.size() == 3);
  CHECK(applied[0].revision == r1);
  CHECK(applied[0].down_revision.empty());
  CHECK(applied[1].down_revision == r1);
  CHECK(applied[2].revision == r3);
  CHECK(applied[2].message == "adds author");
  CHECK(applied[2].checksum == orm::migrate::sha256_hex(read(p.file_of(r3))));
  CHECK(applied[2].duration_ms.has_value());
  CHECK_FALSE(applied[2].applied_at.empty());
}

TEST_CASE("every target form: head, base, full id, partial id, +N, -N", "[targets]") {
  Project p;
  std::vector<std::string> ids;
  for (int i = 1; i <= 4; ++i) {
    const std::string t = "t" + std::to_string(i);
    ids.push_back(p.hand_revision("adds " + t, "CREATE TABLE " + t + " (x integer);\n",
                                  "DROP TABLE " + t + ";\n"));
  }
  const auto tables = [&] {
    return p.scalar(
        "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class "
        "WHERE relname ~ '^t[0-9]$' AND relkind = 'r'");
  };
  // The shortest start of ids[3] that no other id shares.
  std::string partial;
  for (std::size_t n = 1; n <= 12 && partial.empty(); ++n) {
    const std::string start = ids[3].substr(0, n);
    if (std::none_of(ids.begin(), ids.begin() + 3,
                     [&](const std::string& id) { return id.compare(0, n, start) == 0; })) {
      partial = start;
    }
  }

  p.db.upgrade("+1");
  CHECK(tables() == "t1");
  CHECK(p.take() == "Running upgrade  -> " + ids[0] + ", adds t1\n");
  p.db.upgrade(ids[2]);
  CHECK(tables() == "t1,t2,t3");
  p.db.downgrade("-1");
  CHECK(tables() == "t1,t2");
  p.db.upgrade(partial);
  CHECK(tables() == "t1,t2,t3,t4");
  p.db.downgrade(ids[0].substr(0, 12));
  CHECK(tables() == "t1");
  p.db.downgrade("base");
  CHECK(tables() == "");
  p.db.upgrade("head");
  CHECK(tables() == "t1,t2,t3,t4");
  p.db.downgrade("-4");
  CHECK(tables() == "");
  p.db.upgrade("+2");
  CHECK(tables() == "t1,t2");
  p.db.upgrade(ids[1]);  // already there: nothing to do
  p.db.downgrade(ids[1]);
  CHECK(tables() == "t1,t2");
  p.take();

  CHECK(
      error_of([&] { p.db.upgrade("+3"); }) ==
      "upgrade +3 goes past head: the database is at " + ids[1] +
          " and 2 revision(s) are not applied yet; run `hello_books db upgrade` to apply them all");
  CHECK(error_of([&] { p.db.downgrade("-3"); }) ==
        "downgrade -3 goes below base: only 2 revision(s) are applied; run `hello_books db "
        "downgrade base` to revert them all");
  CHECK(error_of([&] { p.db.upgrade(ids[0]); }) ==
        "revision " + ids[0] + " is older than the database's revision " + ids[1] +
            ": to go back to it, run `hello_books db downgrade " + ids[0] + "`");
  CHECK(error_of([&] { p.db.downgrade(ids[3]); }) ==
        "revision " + ids[3] + " is not applied yet (the database is at " + ids[1] +
            "): to go forward to it, run `hello_books db upgrade " + ids[3] + "`");
  CHECK(error_of([&] { p.db.upgrade("-1"); }) ==
        "upgrade -1 would go down: run `hello_books db downgrade -1` instead");
  CHECK(error_of([&] { p.db.downgrade("+1"); }) ==
        "downgrade +1 would go up: run `hello_books db upgrade +1` instead");
  CHECK(tables() == "t1,t2");
  p.db.downgrade("base");
  CHECK(error_of([&] { p.db.downgrade(); }) ==
        "nothing to downgrade: no revision is applied (the database is at base)");
  CHECK(p.take() == "Running downgrade " + ids[1] + " -> " + ids[0] + ", adds t2\n" +
                        "Running downgrade " + ids[0] + " -> , adds t1\n");
}

TEST_CASE("ambiguous and unknown revision ids are clear errors", "[targets][errors]") {
  Project p;
  const auto scripts = orm::migrate::ScriptDirectory::load(p.directory);
  scripts.write(draft("abc123000001", "", "first", "2026-01-01 10:00:00.000000",
                      "CREATE TABLE t1 (x integer);\n", "DROP TABLE t1;\n"));
  scripts.write(draft("abc123000002", "abc123000001", "second", "2026-01-01 10:00:01.000000",
                      "CREATE TABLE t2 (x integer);\n", "DROP TABLE t2;\n"));
  const std::string versions = (p.directory / "versions").string();

  CHECK(error_of([&] { p.db.upgrade("abc1"); }) ==
        "revision id 'abc1' is ambiguous: it starts abc123000001 and abc123000002; type more of "
        "the id");
  CHECK(error_of([&] { p.db.upgrade("fff"); }) ==
        "no revision 'fff' in " + versions +
            ": see `hello_books db history` for the revision ids (or use head, base, +N, -N)");
  CHECK(error_of([&] { p.db.show("abc"); }) ==
        "revision id 'abc' is ambiguous: it starts abc123000001 and abc123000002; type more of "
        "the id");
  CHECK(error_of([&] { p.db.stamp("zz"); }) ==
        "no revision 'zz' in " + versions +
            ": see `hello_books db history` for the revision ids (or use head, base, +N, -N)");
  CHECK_FALSE(p.table_exists("migration_history"));  // refused before touching the database

  p.db.upgrade("abc123000001");
  CHECK(p.take() == "Running upgrade  -> abc123000001, first\n");
  p.db.upgrade("abc123000002");
  CHECK(p.table_exists("t2"));
}

TEST_CASE("multiple heads are reported with the edit that joins them", "[heads]") {
  Project p;
  const auto scripts = orm::migrate::ScriptDirectory::load(p.directory);
  scripts.write(draft("aaaa00000001", "", "adds t1", "2026-01-01 10:00:00.000000",
                      "CREATE TABLE t1 (x integer);\n", "DROP TABLE t1;\n"));
  scripts.write(draft("bbbb00000002", "aaaa00000001", "adds t2", "2026-01-01 10:00:01.000000",
                      "CREATE TABLE t2 (x integer);\n", "DROP TABLE t2;\n"));
  const fs::path third =
      scripts.write(draft("cccc00000003", "aaaa00000001", "adds t3", "2026-01-01 10:00:02.000000",
                          "CREATE TABLE t3 (x integer);\n", "DROP TABLE t3;\n"));

  p.db.heads();
  CHECK(p.take() == "bbbb00000002 (head)\ncccc00000003 (head)\n");
  p.db.history();
  CHECK(p.take() ==
        "aaaa00000001 -> cccc00000003 (head), adds t3\n"
        "aaaa00000001 -> bbbb00000002 (head), adds t2\n"
        "<base> -> aaaa00000001, adds t1\n");

  const std::string expected =
      "multiple heads in " + (p.directory / "versions").string() +
      ": bbbb00000002 (adds t2), cccc00000003 (adds t3); bbbb00000002 and cccc00000003 both "
      "revise aaaa00000001. Make one follow the other: set 'Revises: bbbb00000002' in " +
      third.string() + " (if it is applied somewhere, downgrade that database below it first)";
  CHECK(error_of([&] { p.db.upgrade(); }) == expected);
  CHECK(error_of([&] { p.db.revision("another"); }) == expected);
  p.use<Book>();
  CHECK(error_of([&] { p.db.migrate("another"); }) == expected);
  CHECK_FALSE(p.table_exists("t1"));

  // The suggested fix works.
  std::string text = read(third);
  text.replace(text.find("-- Revises: aaaa00000001"), 24, "-- Revises: bbbb00000002");
  write(third, text);
  p.db.upgrade();
  CHECK(p.take() ==
        "Running upgrade  -> aaaa00000001, adds t1\n"
        "Running upgrade aaaa00000001 -> bbbb00000002, adds t2\n"
        "Running upgrade bbbb00000002 -> cccc00000003, adds t3\n");
}

TEST_CASE("a failing revision is rolled back and earlier revisions stay", "[upgrade][errors]") {
  Project p;
  const std::string good = p.hand_revision(
      "good adds publishers", "CREATE TABLE publishers (id integer PRIMARY KEY, name text);\n",
      "DROP TABLE publishers;\n");
  const std::string bad =
      p.hand_revision("bad second",
                      "CREATE TABLE authors (id integer PRIMARY KEY, name text);\n"
                      "ALTER TABLE publishers ADD COLUMN author_id integer;\n"
                      "ALTER TABLE bookz ADD COLUMN oops integer;\n",
                      "DROP TABLE authors;\n");
  const fs::path file = p.file_of(bad);
  const std::string text = read(file);
  const auto line =
      std::count(text.begin(), text.begin() + text.find("ALTER TABLE bookz"), '\n') + 1;

  CHECK(error_of([&] { p.db.upgrade(); }) ==
        file.string() + ":" + std::to_string(line) +
            ": relation \"bookz\" does not exist (SQLSTATE 42P01); upgrade " + bad +
            " (bad second) was rolled back (revisions before it stay applied): fix the SQL and run "
            "`hello_books db upgrade` again");
  CHECK(p.take() == "Running upgrade  -> " + good + ", good adds publishers\nRunning upgrade " +
                        good + " -> " + bad + ", bad second\n");
  CHECK(p.table_exists("publishers"));
  CHECK_FALSE(p.table_exists("authors"));
  CHECK(p.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'publishers'::regclass AND "
                 "attname = 'author_id'") == "0");
  REQUIRE(p.db.applied().size() == 1);
  CHECK(p.db.applied()[0].revision == good);
  p.db.current();
  CHECK(p.take() == good + "\n");
}

TEST_CASE("a revision with 'Transaction: no' runs CREATE INDEX CONCURRENTLY", "[upgrade]") {
  Project p;
  p.hand_revision("adds books", "CREATE TABLE books (id integer PRIMARY KEY, title text);\n",
                  "DROP TABLE books;\n");
  const std::string index = p.hand_revision(
      "indexes titles", "CREATE INDEX CONCURRENTLY books_title_index ON books (title);\n",
      "DROP INDEX CONCURRENTLY books_title_index;\n");
  CHECK_THAT(error_of([&] { p.db.upgrade(); }),
             Contains("CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE "
                      "25001); upgrade " +
                      index +
                      " (indexes titles) was rolled back (revisions "
                      "before it stay applied): this statement cannot run inside a transaction: "
                      "add '-- Transaction: no' to the file's header"));
  CHECK(p.db.applied().size() == 1);

  const fs::path file = p.file_of(index);
  std::string text = read(file);
  text.insert(text.find("\n\n-- === upgrade ==="), "\n-- Transaction: no");
  write(file, text);
  p.db.upgrade();
  CHECK(p.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'books_title_index'") == "1");
  CHECK(p.db.applied().back().revision == index);
  p.db.downgrade();
  CHECK(p.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'books_title_index'") == "0");

  // Without a transaction, statements before a failing one stay, and the message says so.
  const std::string partial =
      p.hand_revision("two indexes",
                      "CREATE INDEX CONCURRENTLY books_id_title ON books (id, title);\n"
                      "CREATE INDEX CONCURRENTLY nope_index ON nope (x);\n",
                      "DROP INDEX CONCURRENTLY books_id_title;\n");
  const fs::path partial_file = p.file_of(partial);
  std::string partial_text = read(partial_file);
  partial_text.insert(partial_text.find("\n\n-- === upgrade ==="), "\n-- Transaction: no");
  write(partial_file, partial_text);
  const auto line =
      std::count(partial_text.begin(),
                 partial_text.begin() + partial_text.find("CREATE INDEX CONCURRENTLY nope"), '\n') +
      1;
  CHECK(error_of([&] { p.db.upgrade(); }) ==
        partial_file.string() + ":" + std::to_string(line) +
            ": relation \"nope\" does not exist (SQLSTATE 42P01); " + partial +
            " (two indexes) runs without a transaction (Transaction: no), so its statements above "
            "this one stay applied and it is not recorded: undo or finish them by hand, then fix "
            "the SQL and run `hello_books db upgrade` again");
  CHECK(p.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'books_id_title'") == "1");
  CHECK(p.db.applied().back().revision == index);
}

TEST_CASE("an applied revision whose file was edited is refused until accepted",
          "[checksum][errors]") {
  Project p;
  const std::string r1 =
      p.hand_revision("adds t1", "CREATE TABLE t1 (x integer);\n", "DROP TABLE t1;\n");
  const std::string r2 =
      p.hand_revision("adds t2", "CREATE TABLE t2 (x integer);\n", "DROP TABLE t2;\n");
  p.db.upgrade("+1");
  const fs::path file = p.file_of(r1);
  write(file, read(file) + "-- an edit after the upgrade\n");
  p.take();

  const std::string refused =
      file.string() + " was edited after revision " + r1 +
      " was applied (its checksum differs from migration_history): undo the edit (e.g. git "
      "checkout " +
      file.string() +
      ") and put the change in a new revision, or keep the edited "
      "file with `hello_books db accept " +
      r1 + "`";
  CHECK(error_of([&] { p.db.upgrade(); }) == refused);
  CHECK(error_of([&] { p.db.downgrade(); }) == refused);
  CHECK(p.take().empty());  // nothing ran
  CHECK_FALSE(p.table_exists("t2"));
  CHECK(p.db.applied().size() == 1);

  CHECK(error_of([&] { p.db.accept(r2); }) ==
        "revision " + r2 +
            " (adds t2) is not applied to this database: nothing to accept "
            "(`hello_books db upgrade` runs the file as it is now)");
  p.db.accept(r1.substr(0, 6));
  CHECK(p.take() == "Accepted the edited " + file.string() + " for revision " + r1 +
                        " (the database keeps what the old text did)\n");
  p.db.accept(r1);
  CHECK(p.take() == file.string() + " is unchanged since it was applied: nothing to accept\n");
  p.db.upgrade();
  CHECK(p.table_exists("t2"));
  CHECK(p.db.applied()[0].checksum == orm::migrate::sha256_hex(read(file)));
}

// Between a revision's SQL and its history row, --sql prints the session reset db upgrade sends
// (the history table is always schema-qualified: issue 18).
#define kReset                                                                                \
  "SET SESSION AUTHORIZATION DEFAULT; RESET ROLE; RESET ALL; CLOSE ALL; UNLISTEN *; DISCARD " \
  "TEMP; DISCARD SEQUENCES;\n"

TEST_CASE("upgrade --sql and downgrade --sql print the SQL and need no database", "[sql]") {
  Project p;
  const std::string r1 = p.hand_revision(
      "adds Book model", "CREATE TABLE books (id integer PRIMARY KEY, title text);\n",
      "DROP TABLE books;\n");
  const std::string r2 =
      p.hand_revision("adds author's name", "ALTER TABLE books ADD COLUMN author text;\n",
                      "ALTER TABLE books DROP COLUMN author;\n");
  const std::string sum1 = orm::migrate::sha256_hex(read(p.file_of(r1)));
  const std::string sum2 = orm::migrate::sha256_hex(read(p.file_of(r2)));

  std::ostringstream out;
  orm::migrate::Migrations offline(
      []() -> orm::App& {
        FAIL("--sql must not build the app or connect");
        throw std::logic_error("unreachable");
      },
      out, orm::migrate::Settings{p.directory, "hello_books"});
  const auto take = [&] {
    std::string text = out.str();
    out.str("");
    return text;
  };

  const std::string upgrade_r2 =
      "-- Running upgrade " + r1 + " -> " + r2 +
      ", adds author's name\n\nBEGIN;\n\n"
      "ALTER TABLE books ADD COLUMN author text;\n\n" kReset
      "INSERT INTO public.migration_history (revision, down_revision, message, checksum)\n"
      "VALUES ('" +
      r2 + "', '" + r1 + "', 'adds author''s name', '" + sum2 +
      "');\n\n"
      "COMMIT;\n\n";
  offline.upgrade_sql("head");
  const std::string all = take();
  CHECK(all ==
        "CREATE TABLE IF NOT EXISTS public.migration_history (\n"
        "    revision text PRIMARY KEY,\n"
        "    down_revision text,\n"
        "    message text NOT NULL,\n"
        "    checksum text NOT NULL,\n"
        "    applied_at timestamp with time zone NOT NULL DEFAULT now(),\n"
        "    duration_ms double precision\n"
        ");\n\n"
        "-- Running upgrade  -> " +
            r1 +
            ", adds Book model\n\nBEGIN;\n\n"
            "CREATE TABLE books (id integer PRIMARY KEY, title text);\n\n" kReset
            "INSERT INTO public.migration_history (revision, down_revision, message, checksum)\n"
            "VALUES ('" +
            r1 + "', NULL, 'adds Book model', '" + sum1 +
            "');\n\n"
            "COMMIT;\n\n" +
            upgrade_r2);
  offline.upgrade_sql(r1 + ":head");
  CHECK(take() == upgrade_r2);
  offline.upgrade_sql("+1");
  CHECK_THAT(take(), EndsWith("VALUES ('" + r1 + "', NULL, 'adds Book model', '" + sum1 +
                              "');\n\nCOMMIT;\n\n"));

  offline.downgrade_sql("head:base");
  const std::string down = take();
  CHECK(down == "-- Running downgrade " + r2 + " -> " + r1 +
                    ", adds author's name\n\nBEGIN;\n\n"
                    "ALTER TABLE books DROP COLUMN author;\n\n" kReset
                    "DELETE FROM public.migration_history WHERE revision = '" +
                    r2 +
                    "';\n\nCOMMIT;\n\n"
                    "-- Running downgrade " +
                    r1 +
                    " -> , adds Book model\n\nBEGIN;\n\n"
                    "DROP TABLE books;\n\n" kReset
                    "DELETE FROM public.migration_history WHERE revision = '" +
                    r1 + "';\n\nCOMMIT;\n\n");
  offline.downgrade_sql("-1");
  CHECK_THAT(take(), StartsWith("-- Running downgrade " + r2 + " -> " + r1));
  CHECK(error_of([&] { offline.upgrade_sql("head:base"); }) ==
        "upgrade --sql head:base goes down: use `hello_books db downgrade --sql head:base`");

  // The printed SQL is what `db upgrade` would do: run it, and the database is at head.
  p.exec(all);
  CHECK(p.db.current() == r2);
  p.take();
  p.db.upgrade();
  CHECK(p.take().empty());
  p.exec(down);
  CHECK_FALSE(p.table_exists("books"));
  CHECK(p.db.applied().empty());
}

TEST_CASE("stamp records a revision without running its SQL", "[stamp]") {
  Project p;
  const std::string r1 = p.hand_revision(
      "adds books", "CREATE TABLE books (id integer PRIMARY KEY);\n", "DROP TABLE books;\n");
  p.db.stamp("head");
  CHECK(p.take() == "Running stamp_revision  -> " + r1 + "\n");
  CHECK_FALSE(p.table_exists("books"));
  CHECK(p.db.current() == r1);
  CHECK_FALSE(p.db.applied()[0].duration_ms.has_value());
  p.take();
  p.db.stamp("head");
  CHECK(p.take().empty());
  p.db.stamp("base");
  CHECK(p.take() == "Running stamp_revision " + r1 + " -> \n");
  CHECK(p.db.applied().empty());
  CHECK(error_of([&] { p.db.stamp("+1"); }) == "stamp takes head, base or a revision id, not +1");
}

TEST_CASE("check reports models that differ from the database", "[check]") {
  Project p;
  p.use<Book>();
  p.db.migrate("adds Book model");
  p.db.upgrade();
  p.take();
  CHECK(p.db.check());
  CHECK(p.take() == "No new upgrade operations detected.\n");
  p.use<BookWithAuthor>();
  CHECK_FALSE(p.db.check());
  CHECK(p.take() == "Detected added column 'books.author'\n");
  CHECK(p.revision_files() == 1);
}

TEST_CASE("history, current and heads print like Alembic's", "[history]") {
  Project p;
  p.use<Book>();
  const std::string r1 = id_of(*p.db.migrate("adds Book model"));
  p.db.upgrade();
  p.use<BookWithAuthor>();
  const std::string r2 = id_of(*p.db.migrate("adds author"));
  p.db.upgrade();
  p.db.downgrade();
  p.take();

  p.db.history();
  CHECK(p.take() == r1 + " -> " + r2 + " (head), adds author\n<base> -> " + r1 +
                        " (current), adds Book model\n");
  CHECK(p.db.current() == r1);
  CHECK(p.take() == r1 + "\n");
  p.db.upgrade();
  p.take();
  p.db.history();
  CHECK(p.take() == r1 + " -> " + r2 + " (head) (current), adds author\n<base> -> " + r1 +
                        ", adds Book model\n");
  p.db.heads();
  CHECK(p.take() == r2 + " (head)\n");
}

TEST_CASE("commands without a migrations folder say to run db init", "[errors]") {
  Project p(false);
  REQUIRE(p.directory.is_absolute());  // so the message names no working folder
  const std::string expected = "no migrations directory '" + p.directory.string() +
                               "': run `hello_books db init` to create it (or pass --directory)";
  CHECK(error_of([&] { p.db.upgrade(); }) == expected);
  CHECK(error_of([&] { p.db.current(); }) == expected);
  CHECK(error_of([&] { p.db.history(); }) == expected);
  CHECK(error_of([&] { p.db.migrate("x"); }) == expected);
  CHECK(error_of([&] { p.db.upgrade_sql(); }) == expected);
  CHECK_FALSE(fs::exists(p.directory));
}

TEST_CASE("an empty revision from db revision runs and is recorded", "[revision]") {
  Project p;
  const fs::path path = p.db.revision("hand written");
  CHECK(p.take() == "Generating " + path.string() + " ...  done\n");
  CHECK(path.filename().string() == id_of(path) + "_hand_written.sql");
  const std::string text = read(path);
  CHECK_THAT(text, Contains("\n-- === upgrade ===\n\n-- Write the SQL that makes the change here"));
  CHECK_THAT(text, Contains("\n-- === downgrade ===\n\n-- Write the SQL that undoes the upgrade"));
  p.db.upgrade();
  CHECK(p.db.current() == id_of(path));
}

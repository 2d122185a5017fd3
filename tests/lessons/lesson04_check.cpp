// Do not change this file: it checks your work on lesson 04 (label lesson04). Run it with
// ./workbook check 04.
//
// It runs your hello_books program's db commands with your migrations (the lesson folder's
// migrations/) against fresh, empty databases of its own: upgrade, check, downgrade and upgrade
// again. Your migrations folder and your hello_books_development database are never changed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "lesson_check.hpp"
#include "models/book.hpp"
#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using Catch::Matchers::Contains;
using lesson_check::ProgramRun;

namespace {

const std::filesystem::path kMigrations = std::filesystem::path(LESSON_DIR) / "migrations";

// The program's db commands on one database.
struct Program {
  orm::DatabaseUrl database;

  ProgramRun operator()(const std::vector<std::string>& arguments) const {
    return lesson_check::run_program(LESSON_PROGRAM, arguments,
                                     {{"DATABASE_URL", database.uri_with_password()}});
  }
};

// A fresh, empty database for this check, and the program on it.
Program on_empty_database(const std::string& suffix) {
  lesson_check::require_server();
  return Program{testing_support::scratch_database(suffix)};
}

// Runs a command that must succeed; a failure explains what ran and where to read.
ProgramRun require_success(const Program& program, const std::vector<std::string>& arguments,
                           const char* see) {
  const ProgramRun run = program(arguments);
  INFO(run.describe());
  INFO(see);
  REQUIRE(run.exit_code == 0);
  return run;
}

// The student's revisions, oldest first; fails with a teaching message when the folder is
// missing or broken.
std::vector<orm::migrate::Revision> revisions() {
  INFO("Your migrations folder: " << kMigrations.string());
  INFO(
      "Make it with ./workbook run 04 db init, then ./workbook run 04 db migrate -m \"adds Book "
      "model\"; " SEE_STEP(2));
  REQUIRE(std::filesystem::is_directory(kMigrations / "versions"));
  std::vector<orm::migrate::Revision> chain;
  REQUIRE_NOTHROW([&] {
    const auto scripts = orm::migrate::ScriptDirectory::load(kMigrations, "hello_books");
    for (const auto* revision : scripts.chain()) chain.push_back(*revision);
  }());
  return chain;
}

std::vector<std::string> column_names(const orm::DatabaseUrl& url, const std::string& table) {
  orm::Database db(url);
  orm::Session session(db);
  std::vector<std::string> names;
  for (const auto& row : session.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_schema = 'public' AND table_name = $1 "
                                         "ORDER BY ordinal_position",
                                         table)) {
    names.push_back(row[0].as<std::string>());
  }
  return names;
}

bool has_table(const orm::DatabaseUrl& url, const std::string& table) {
  for (const auto& name : lesson_check::tables_of(url)) {
    if (name == table) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson04]") {
  lesson_check::require_server();
}

TEST_CASE("hello_books hands its command line to the db commands", "[lesson04]") {
  const Program program = on_empty_database("cli");
  const ProgramRun run = program({"db", "--help"});
  INFO(run.describe());
  INFO(
      "Expected: `hello_books db --help` lists the db commands (init, migrate, upgrade, ...) and "
      "exits with 0. main() must end with: return orm::cli::run(program, argc, argv);");
  INFO(SEE_STEP(1));
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Contains("upgrade"));
  CHECK_THAT(run.out, Contains("migrate"));
}

TEST_CASE("the first revision creates the books table", "[lesson04]") {
  const auto chain = revisions();
  INFO(
      "Expected at least one revision, made by: ./workbook run 04 db migrate -m \"adds Book "
      "model\"");
  INFO(SEE_STEP(3));
  REQUIRE(chain.size() >= 1);
  const Program program = on_empty_database("first");
  INFO("The first revision, " << chain.front().path.string()
                              << ", applied alone to an empty database must create books.");
  require_success(program, {"db", "upgrade", chain.front().id}, SEE_STEP(4));
  CHECK(has_table(program.database, "books"));
}

TEST_CASE("Book has an author column that may be NULL", "[lesson04]") {
  INFO(
      "models/book.hpp needs the member std::optional<std::string> author; and, in fields(), "
      "v(author, \"author\");");
  INFO(SEE_STEP(6));
  REQUIRE_NOTHROW(orm::table_info<Book>());
  const orm::ColumnInfo* author = orm::table_info<Book>().find("author");
  const bool book_has_author = author != nullptr;
  REQUIRE(book_has_author);
  CHECK(author->sql_type == "text");
  CHECK(author->nullable);
}

TEST_CASE("the migrations hold at least two revisions, the last one after the model change",
          "[lesson04]") {
  const auto chain = revisions();
  std::string listing;
  for (const auto& revision : chain)
    listing += "    " + revision.id + " " + revision.message + "\n";
  INFO("Your revisions, oldest first:\n" << listing);
  INFO(
      "Expected two or more: \"adds Book model\", then the one for the author column, made by "
      "./workbook run 04 db migrate -m \"adds author to Book\"");
  INFO(SEE_STEP(7));
  CHECK(chain.size() >= 2);
}

TEST_CASE("db upgrade on an empty database builds the model's schema, and db check agrees",
          "[lesson04]") {
  const auto chain = revisions();
  REQUIRE_FALSE(chain.empty());
  const Program program = on_empty_database("upgrade");
  require_success(program, {"db", "upgrade"}, SEE_STEP(4));

  INFO(
      "After `hello_books db upgrade` on an empty database the tables must match the model "
      "(Book with id, title, description, author). If db check reports differences, your model "
      "changed after the last revision: run ./workbook run 04 db migrate -m \"...\" again.");
  INFO(SEE_STEP(7));
  const ProgramRun check = program({"db", "check"});
  INFO(check.describe());
  CHECK(check.exit_code == 0);
  CHECK(column_names(program.database, "books") ==
        std::vector<std::string>{"id", "title", "description", "author"});

  const ProgramRun current = program({"db", "current"});
  INFO(current.describe());
  CHECK(current.exit_code == 0);
  CHECK_THAT(current.out, Contains(chain.back().id));

  orm::Database db(program.database);
  orm::Session session(db);
  const auto applied = session.execute("SELECT count(*) FROM migration_history")[0][0].as<int>();
  CHECK(applied == static_cast<int>(chain.size()));
}

TEST_CASE("db downgrade base removes books, and db upgrade brings it back", "[lesson04]") {
  REQUIRE_FALSE(revisions().empty());
  const Program program = on_empty_database("base");
  require_success(program, {"db", "upgrade"}, SEE_STEP(4));
  require_success(program, {"db", "downgrade", "base"}, SEE_STEP(8));
  {
    INFO(
        "After `db downgrade base` every revision is undone: the books table must be gone. "
        "Each revision's downgrade section must undo its upgrade.");
    INFO(SEE_STEP(8));
    CHECK_FALSE(has_table(program.database, "books"));
  }
  require_success(program, {"db", "upgrade"}, SEE_STEP(8));
  const ProgramRun check = program({"db", "check"});
  INFO(check.describe());
  INFO(SEE_STEP(8));
  CHECK(check.exit_code == 0);
}

TEST_CASE("db downgrade undoes the newest revision, db upgrade applies it again", "[lesson04]") {
  const auto chain = revisions();
  REQUIRE(chain.size() >= 2);
  const Program program = on_empty_database("step");
  require_success(program, {"db", "upgrade"}, SEE_STEP(4));
  require_success(program, {"db", "downgrade"}, SEE_STEP(8));
  {
    const ProgramRun current = program({"db", "current"});
    INFO(current.describe());
    INFO("After one `db downgrade` the database is at the revision before the newest, "
         << chain[chain.size() - 2].id);
    INFO(SEE_STEP(8));
    CHECK_THAT(current.out, Contains(chain[chain.size() - 2].id));
    CHECK(has_table(program.database, "books"));
  }
  require_success(program, {"db", "upgrade"}, SEE_STEP(8));
  const ProgramRun check = program({"db", "check"});
  INFO(check.describe());
  INFO(SEE_STEP(8));
  CHECK(check.exit_code == 0);
  CHECK(column_names(program.database, "books") ==
        std::vector<std::string>{"id", "title", "description", "author"});
}

TEST_CASE("hello_books adds and lists books in the migrated table", "[lesson04]") {
  REQUIRE_FALSE(revisions().empty());
  const Program program = on_empty_database("run");
  require_success(program, {"db", "upgrade"}, SEE_STEP(4));
  const ProgramRun run = program({});
  INFO(run.describe());
  INFO(
      "Expected: `hello_books` with no command adds the two example books to the table the "
      "migrations made and lists them:\n    Added 2 books.\n    1: Ocean Book. Description: watr "
      "4evr\n    2: Sky Book. Description: (none)");
  INFO(SEE_STEP(5));
  REQUIRE(run.exit_code == 0);
  CHECK(run.out ==
        "Added 2 books.\n1: Ocean Book. Description: watr 4evr\n2: Sky Book. Description: "
        "(none)\n");
  CHECK(run.err.empty());
}

// Do not change this file: it checks your work on lesson 04 (label lesson04). Run it with
// ./workbook check 04.
//
// It runs your program's db commands with your migrations (the lesson folder's migrations/)
// against fresh, empty databases of its own: upgrade revision by revision, check, downgrade and
// upgrade again, with and without rows in books. Your migrations folder and your
// hello_books_development database are never changed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lesson04_model.hpp"
#include "lesson_check.hpp"
#include "lesson_migrations.hpp"
#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using lesson_check::Column;
using lesson_check::command_text;
using lesson_check::find;
using lesson_check::fix;
using lesson_check::kCommand;
using lesson_check::Program;
using lesson_check::ProgramRun;
using lesson_check::rerun;

namespace {

const std::filesystem::path kMigrations = std::filesystem::path(LESSON_DIR) / "migrations";

// Step 1 is the door to every other check: without it the program runs no db command.
void require_db_commands(const Program& program) {
  static bool answered = false;  // once per check process: the program does not change meanwhile
  if (answered) return;
  const ProgramRun run = program({"db", "--help"});
  answered = run.exit_code == 0 && run.out.find("upgrade") != std::string::npos;
  if (answered) return;
  FAIL(
      "Not checked yet: the program does not run db commands (step 1; see the check "
      "\"hello_books hands its command line to the db commands\"). Finish step 1, then run "
      << rerun());
}

// A fresh, empty database for this check, and the program on it.
Program on_empty_database(const std::string& suffix) {
  lesson_check::require_server();
  Program program{testing_support::scratch_database(suffix)};
  require_db_commands(program);
  return program;
}

// Runs a command that must succeed.
ProgramRun require_success(const Program& program, const std::vector<std::string>& arguments,
                           const std::string& what, const std::string& part) {
  const ProgramRun run = program(arguments);
  if (run.exit_code != 0) {
    FAIL("`" << command_text(arguments) << "` failed " << what << ".\n"
             << run.describe() << "Read the error, fix the revision it names (" << part
             << " in " LESSON_TEXT "), then run " << rerun());
  }
  return run;
}

// The student's revisions, oldest first. `first_use`: this check explains a missing folder in
// full; the others wait for it.
std::vector<orm::migrate::Revision> revisions(bool first_use = false) {
  std::string problem;
  std::vector<orm::migrate::Revision> chain;
  if (!std::filesystem::is_directory(kMigrations / "versions")) {
    problem = "there is no migrations folder yet (" + kMigrations.string() +
              "). Make it with ./workbook run 04 db init (step 2)";
  } else {
    try {
      const auto scripts = orm::migrate::ScriptDirectory::load(kMigrations, kCommand);
      chain = scripts.revisions();
      if (chain.empty()) {
        problem =
            "there is no revision yet. Make the first with ./workbook run 04 db migrate -m "
            "\"adds Book model\" (step 3)";
      }
    } catch (const std::exception& e) {
      problem = std::string("the migrations folder cannot be read: ") + e.what();
    }
  }
  if (!problem.empty()) {
    if (first_use) FAIL("Your migrations: " << problem << ". Then run " << rerun());
    FAIL("Not checked yet: " << problem
                             << " (see the check \"the first revision creates the "
                                "books table\"). Then run "
                             << rerun());
  }
  return chain;
}

std::vector<Column> columns_of(const orm::DatabaseUrl& url, const std::string& table = "books") {
  orm::Database db(url);
  orm::Session session(db);
  return lesson_check::columns_in(session, table);
}

std::string describe(const std::vector<Column>& columns) {
  std::string text;
  for (const auto& column : columns) text += "    " + column.text() + "\n";
  return text.empty() ? "    (no table books)\n" : text;
}

std::vector<std::string> names_of(const std::vector<Column>& columns) {
  std::vector<std::string> names;
  for (const auto& column : columns) names.push_back(column.name);
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "(none)" : text;
}

// The schema of books after each revision, applied one by one to an empty database of its own
// (once per check process: several checks ask).
const std::vector<std::vector<Column>>& walk(const std::vector<orm::migrate::Revision>& chain) {
  static std::optional<std::vector<std::vector<Column>>> schemas;
  if (schemas) return *schemas;
  const Program program = on_empty_database("walk");
  std::vector<std::vector<Column>> result;
  const lesson_check::Upgraded upgraded =
      lesson_check::upgrade_one_at_a_time(program.database, kMigrations, chain,
                                          [&] { result.push_back(columns_of(program.database)); });
  if (upgraded.applied < chain.size()) {  // in the program's own words, as the student sees it
    const orm::migrate::Revision& revision = chain[upgraded.applied];
    const std::string where = "on an empty database, at revision " + revision.id + " (" +
                              revision.path.filename().string() + ")";
    require_success(program, {"db", "upgrade", revision.id}, where, "steps 3 to 7");
    FAIL("Applying the revisions one by one "
         << where << " failed: " << upgraded.error
         << ". Fix that revision in " LESSON_PATH "/migrations/versions, then run " << rerun());
  }
  testing_support::drop_scratch_database(program.database.database());
  schemas = std::move(result);
  return *schemas;
}

// Where the Your turn part starts: the last revision whose books has the column author. The
// `primary` check explains a missing revision; the others wait for it.
struct Turn {
  std::vector<orm::migrate::Revision> chain;
  std::size_t before = 0;  // index of that revision

  // The student's revision file (the one after `before`), relative to the lesson folder.
  std::string revision_file() const {
    return "migrations/versions/" + chain[before + 1].path.filename().string();
  }
};

Turn your_turn(bool primary = false) {
  Turn turn;
  turn.chain = revisions();
  const auto& schemas = walk(turn.chain);
  std::optional<std::size_t> before;
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    if (find(schemas[i], "author") != nullptr) before = i;
  }
  if (!before) {
    FAIL(
        "Not checked yet: no revision adds the column author (steps 6 and 7; see the check \"a "
        "later revision adds the column author, which may be NULL\"). Then run "
        << rerun());
  }
  if (*before + 1 == schemas.size()) {
    if (!primary) {
      FAIL(
          "Not checked yet: no revision renames author yet (see the check \"your turn: your "
          "revision renames author to author_name and keeps every author\").");
    }
    FAIL(
        "No revision after " << turn.chain[*before].id
                             << " (the newest that has books.author) renames author yet. Change "
                                "models/book.hpp, write the revision (./workbook run 04 db "
                                "revision -m \"renames author, adds language\", then its SQL), "
                                "apply it (./workbook run 04 db upgrade): Your turn in " LESSON_TEXT
                                ". Then run "
                             << rerun());
  }
  turn.before = *before;
  return turn;
}

// Puts two books, with and without an author, into books at the revision `turn.before`, then
// runs `db upgrade`. The first Your turn check explains a failing upgrade; the others wait for it.
void upgrade_with_rows(const Program& program, bool primary) {
  {
    orm::Database db(program.database);
    orm::Session session(db);
    session.execute(
        "INSERT INTO books (title, description, author) VALUES "
        "('Ocean Book', 'watr 4evr', 'Ursula K. Le Guin'), ('Sky Book', NULL, NULL)");
    session.commit();
  }
  if (!primary && program({"db", "upgrade"}).exit_code != 0) {
    FAIL(
        "Not checked yet: `./workbook run 04 db upgrade` fails when books has rows (see the check "
        "\"your turn: your revision renames author to author_name and keeps every author\").");
  }
  require_success(program, {"db", "upgrade"},
                  "on a database at the revision before yours, whose books table has two rows "
                  "(Ocean Book by Ursula K. Le Guin, Sky Book without an author)",
                  "Your turn");
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson04]") {
  lesson_check::require_server();
}

TEST_CASE("hello_books hands its command line to the db commands", "[lesson04]") {
  lesson_check::require_server();
  const Program program{testing_support::test_database()};  // db --help connects to nothing
  const ProgramRun run = program({"db", "--help"});
  if (run.not_done()) FAIL(lesson_check::not_finished(run, "hello_books", true));
  if (run.exit_code != 0 || run.out.find("upgrade") == std::string::npos ||
      run.out.find("migrate") == std::string::npos) {
    FAIL(
        "`./workbook run 04 db --help` must list the db commands (init, migrate, upgrade, ...) "
        "and exit with 0.\n"
        << run.describe() << fix("main.cpp", "step 1"));
  }
}

TEST_CASE("the first revision creates the books table", "[lesson04]") {
  const Program program = on_empty_database("first");
  const auto chain = revisions(true);
  require_success(program, {"db", "upgrade", chain.front().id},
                  "on an empty database, with only the first revision", "step 3");
  const auto columns = columns_of(program.database);
  if (names_of(columns) != std::vector<std::string>{"id", "title", "description"}) {
    FAIL("The first revision, " << chain.front().path.filename().string()
                                << ", applied to an empty database, must create books(id, "
                                   "title, description) as lesson 03's model. It gives:\n"
                                << describe(columns)
                                << "Was books still there from lesson 03 when you ran db "
                                   "migrate? See step 0, then make the revisions again.");
  }
}

TEST_CASE("a later revision adds the column author, which may be NULL", "[lesson04]") {
  lesson_check::require_server();
  require_db_commands(Program{testing_support::test_database()});
  const auto chain = revisions();
  const auto& schemas = walk(chain);
  for (std::size_t i = 1; i < schemas.size(); ++i) {
    if (const Column* author = find(schemas[i], "author")) {
      if (author->type != "text" || !author->nullable) {
        FAIL("Revision " << chain[i].id << " adds books.author as " << author->text()
                         << "; it must be text that may be NULL (the books stored before have no "
                            "author): a std::optional<std::string> member. "
                         << fix("models/book.hpp", "step 6"));
      }
      return;
    }
  }
  FAIL("No revision after the first adds the column author to books. Edit " LESSON_PATH
       "/models/book.hpp (step 6: add the author), then make and apply a revision: ./workbook "
       "run 04 db migrate -m \"adds author to Book\", ./workbook run 04 db upgrade (step 7). "
       "Then run "
       << rerun() << " (stuck? ./workbook hint 04 6)");
}

TEST_CASE("db upgrade on an empty database builds the model's schema, and db check agrees",
          "[lesson04]") {
  const Program program = on_empty_database("upgrade");
  const auto chain = revisions();
  require_success(program, {"db", "upgrade"}, "on an empty database", "step 4");
  const ProgramRun check = program({"db", "check"});
  if (check.exit_code != 0) {
    FAIL(
        "After `./workbook run 04 db upgrade` on an empty database, the tables differ from the "
        "model (db check's findings below). Either the model changed after your newest "
        "revision: make a revision for the change (./workbook run 04 db migrate -m \"...\", or "
        "by hand); or a revision builds something other than what models/book.hpp says: fix "
        "its SQL in "
        << LESSON_PATH "/migrations/versions. Then run " << rerun() << "\n"
        << check.describe());
  }
  const std::vector<std::string> model = book_model_columns();
  const auto live = names_of(columns_of(program.database));
  if (live != model) {
    FAIL("After db upgrade, books has the columns " << joined(live) << "; the model lists "
                                                    << joined(model) << " (in this order). "
                                                    << fix("models/book.hpp", "step 6"));
  }
  const ProgramRun current = program({"db", "current"});
  orm::Database db(program.database);
  orm::Session session(db);
  const auto applied = session.execute("SELECT count(*) FROM migration_history")[0][0].as<int>();
  if (current.out.find(chain.back().id) == std::string::npos ||
      applied != static_cast<int>(chain.size())) {
    FAIL("After db upgrade the database must be at your newest revision, "
         << chain.back().id << ", with one migration_history row per revision (" << chain.size()
         << "); there are " << applied << ".\n"
         << current.describe());
  }
}

TEST_CASE("db downgrade base removes books, and db upgrade brings it back", "[lesson04]") {
  const Program program = on_empty_database("base");
  const auto chain = revisions();
  require_success(program, {"db", "upgrade"}, "on an empty database", "step 4");
  const auto built = columns_of(program.database);
  // A Your turn revision whose downgrade does not restore what the author revision expects makes
  // that older downgrade fail: that cause has its own check.
  const auto& schemas = walk(chain);
  std::size_t author = schemas.size();
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    if (find(schemas[i], "author") != nullptr) author = i;
  }
  if (author + 1 < schemas.size()) {
    const ProgramRun back = program({"db", "downgrade", chain[author].id});
    if (back.exit_code != 0 || !(columns_of(program.database) == schemas[author])) {
      FAIL(
          "Not checked yet: your revision's downgrade does not restore the table it started "
          "from (see the check \"your turn: downgrading your revision restores the schema "
          "before it, with the authors\").");
    }
  }
  const ProgramRun down = program({"db", "downgrade", "base"});
  if (down.exit_code != 0) {
    FAIL(
        "`./workbook run 04 db downgrade base` failed. It runs every downgrade, newest first; the "
        "error names the revision whose downgrade failed: does it undo exactly what its upgrade "
        "did?\n"
        << down.describe() << "Fix that revision in " LESSON_PATH "/migrations/versions (step 8 "
        << "in " LESSON_TEXT "), then run " << rerun());
  }
  if (!columns_of(program.database).empty()) {
    FAIL(
        "After `./workbook run 04 db downgrade base` every revision is undone, so the table "
        "books must be gone; it is still there. Each revision's downgrade section must undo its "
        "upgrade (the first one drops books). Fix the revision files in "
        << LESSON_PATH "/migrations/versions, then run " << rerun());
  }
  require_success(program, {"db", "upgrade"}, "after db downgrade base", "step 8");
  const auto again = columns_of(program.database);
  if (!(again == built)) {
    FAIL("Upgrade, downgrade base and upgrade again must give the same table. The first time:\n"
         << describe(built) << "the second time:\n"
         << describe(again)
         << "A downgrade must undo exactly its upgrade. Fix the revision files in "
         << LESSON_PATH "/migrations/versions, then run " << rerun());
  }
}

TEST_CASE("db downgrade undoes the author revision, db upgrade applies it again", "[lesson04]") {
  const Program program = on_empty_database("step");
  const auto chain = revisions();
  const auto& schemas = walk(chain);
  std::size_t author = 0;
  while (author < schemas.size() && find(schemas[author], "author") == nullptr) ++author;
  if (author == 0 || author == schemas.size()) {
    FAIL(
        "Not checked yet: no revision after the first adds books.author (steps 6 and 7; see the "
        "check \"a later revision adds the column author, which may be NULL\").");
  }
  const std::string& with_author = chain[author].id;
  const std::string& previous = chain[author - 1].id;
  require_success(program, {"db", "upgrade", with_author}, "on an empty database", "step 7");
  require_success(program, {"db", "downgrade"}, "one revision back from " + with_author, "step 8");
  const ProgramRun current = program({"db", "current"});
  if (current.out.find(previous) == std::string::npos ||
      find(columns_of(program.database), "author") != nullptr) {
    FAIL("After one `./workbook run 04 db downgrade` from "
         << with_author << " the database must be at the revision before it, " << previous
         << ", and books must have no author column. The revision's downgrade section must undo "
            "its upgrade. books has:\n"
         << describe(columns_of(program.database)) << current.describe()
         << "Fix the revision file in " LESSON_PATH "/migrations/versions, then run " << rerun());
  }
  require_success(program, {"db", "upgrade", with_author}, "after db downgrade", "step 8");
  const auto again = columns_of(program.database);
  if (!(again == schemas[author])) {
    FAIL("Downgrade and upgrade again must give the same table. Before:\n"
         << describe(schemas[author]) << "after:\n"
         << describe(again) << "The revision's downgrade must undo exactly its upgrade.");
  }
}

TEST_CASE("hello_books adds and lists books in the migrated table", "[lesson04]") {
  const Program program = on_empty_database("run");
  revisions();
  require_success(program, {"db", "upgrade"}, "on an empty database", "step 4");
  const ProgramRun run = program({});
  const std::string expected =
      "Added 2 books.\n1: Ocean Book. Description: watr 4evr\n2: Sky Book. Description: (none)\n";
  if (run.exit_code != 0 || run.out != expected || !run.err.empty()) {
    FAIL(
        "`./workbook run 04` with no command must add the two example books to the table the "
        "migrations made and list them, exactly:\n"
        << "    Added 2 books.\n    1: Ocean Book. Description: watr 4evr\n"
        << "    2: Sky Book. Description: (none)\n"
        << run.describe()
        << "An error about a column means the model and the migrations differ: see the check "
           "about db check.");
  }
}

TEST_CASE("your turn: your revision renames author to author_name and keeps every author",
          "[lesson04]") {
  const Program program = on_empty_database("rename");
  const Turn turn = your_turn(true);
  require_success(program, {"db", "upgrade", turn.chain[turn.before].id},
                  "on an empty database, up to the revision with books.author", "Your turn");
  upgrade_with_rows(program, true);
  const auto columns = columns_of(program.database);
  if (find(columns, "author") != nullptr || find(columns, "author_name") == nullptr) {
    FAIL("After your revision, books must have author_name instead of author. It has:\n"
         << describe(columns) << fix(turn.revision_file(), "Your turn"));
  }
  orm::Database db(program.database);
  orm::Session session(db);
  const auto rows = session.execute("SELECT title, author_name FROM books ORDER BY id");
  const bool kept = rows.size() == 2 && !rows[0][1].is_null() &&
                    rows[0][1].as<std::string>() == "Ursula K. Le Guin" && rows[1][1].is_null();
  if (!kept) {
    FAIL(
        "The authors were lost: before your revision Ocean Book's author was Ursula K. Le Guin; "
        "after it, author_name must hold the same (a rename keeps the data, a drop and an add do "
        "not). "
        << fix(turn.revision_file(), "Your turn"));
  }
}

TEST_CASE("your turn: language is NOT NULL, old books are in English, no default is left",
          "[lesson04]") {
  const Program program = on_empty_database("language");
  const Turn turn = your_turn();
  require_success(program, {"db", "upgrade", turn.chain[turn.before].id},
                  "on an empty database, up to the revision with books.author", "Your turn");
  upgrade_with_rows(program, false);
  const auto columns = columns_of(program.database);
  const Column* language = find(columns, "language");
  if (language == nullptr) {
    FAIL("After your revision books must have the column language. It has:\n"
         << describe(columns) << fix(turn.revision_file(), "Your turn"));
  }
  if (program({"db", "check"}).exit_code != 0) {
    FAIL(
        "Not checked yet: the tables your migrations build differ from the model (see the "
        "check \"db upgrade on an empty database builds the model's schema, and db check "
        "agrees\").");
  }
  if (language->type != "text" || language->nullable || language->default_sql) {
    FAIL(
        "books.language must be text NOT NULL without a default (the model, not the database, "
        "gives new books their language). It is:\n    "
        << language->text() << "\n"
        << fix("models/book.hpp and " + turn.revision_file(), "Your turn"));
  }
  orm::Database db(program.database);
  orm::Session session(db);
  const auto english =
      session.execute("SELECT count(*) FROM books WHERE language = 'en'")[0][0].as<int>();
  if (english != 2) {
    FAIL("The two books stored before your revision must have the language 'en'; "
         << english << " of them have. " << fix(turn.revision_file(), "Your turn"));
  }
  // New books from the program get their language from the model.
  session.execute("DELETE FROM books");
  session.commit();
  const ProgramRun run = program({});
  const auto new_english =
      session.execute("SELECT count(*) FROM books WHERE language = 'en'")[0][0].as<int>();
  if (run.exit_code != 0 || new_english != 2) {
    FAIL(
        "`./workbook run 04` on an empty books table must add the two example books in "
        "English: Book's language starts as \"en\" in C++.\n"
        << run.describe() << fix("models/book.hpp", "Your turn"));
  }
}

TEST_CASE("your turn: downgrading your revision restores the schema before it, with the authors",
          "[lesson04]") {
  const Program program = on_empty_database("restore");
  const Turn turn = your_turn();
  const std::string& before_id = turn.chain[turn.before].id;
  require_success(program, {"db", "upgrade", before_id},
                  "on an empty database, up to the revision with books.author", "Your turn");
  const auto before = columns_of(program.database);
  upgrade_with_rows(program, false);
  {
    orm::Database db(program.database);
    orm::Session session(db);
    const auto kept = find(lesson_check::columns_in(session, "books"), "author_name") != nullptr &&
                      session.execute(
                                 "SELECT count(*) FROM books WHERE author_name = "
                                 "'Ursula K. Le Guin'")[0][0]
                              .as<int>() == 1;
    if (!kept) {
      FAIL(
          "Not checked yet: your upgrade does not keep the authors in author_name (see the check "
          "\"your turn: your revision renames author to author_name and keeps every "
          "author\").");
    }
  }
  require_success(program, {"db", "downgrade", before_id},
                  "from your revision back to " + before_id, "Your turn");
  const auto after = columns_of(program.database);
  if (!(after == before)) {
    FAIL("Downgrading your revision must give back the table exactly as it was at "
         << before_id << ". Before your revision:\n"
         << describe(before) << "after upgrade and downgrade:\n"
         << describe(after)
         << "The downgrade undoes each statement of the upgrade, in reverse order. "
         << fix(turn.revision_file(), "Your turn"));
  }
  orm::Database db(program.database);
  orm::Session session(db);
  const auto rows = session.execute("SELECT author FROM books ORDER BY id");
  if (rows.size() != 2 || rows[0][0].is_null() ||
      rows[0][0].as<std::string>() != "Ursula K. Le Guin") {
    FAIL(
        "After the downgrade, Ocean Book's author must be Ursula K. Le Guin again: the "
        "downgrade must rename the column back, not drop it and add it again. "
        << fix(turn.revision_file(), "Your turn"));
  }
  require_success(program, {"db", "upgrade"}, "after your revision's downgrade", "Your turn");
}

// Do not change this file: it checks your work on lesson 05 (label lesson05). Run it with
// ./workbook check 05.
//
// It checks your Author model and Book's link to it, that create_app() registers both, then runs
// your program's db commands with your migrations (the lesson folder's migrations/) on fresh,
// empty databases of its own, and your program on them: with the example authors, and with
// hundreds of authors, where it counts how often your program reads the tables. Your
// migrations folder and your hello_books_development database are never changed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lesson05_model.hpp"
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
// Lesson 04's revisions, oldest first: the starter's migrations folder holds them.
const std::vector<std::string> kLesson04Revisions = {"98c992defab7", "882669b367ba",
                                                     "176c054b45cd"};

// ---------------------------------------------------------------------------------------------
// The models: lesson05_model.cpp compiles whatever models/author.hpp and models/book.hpp hold
// so far.

void require_author_model() {
  if (!author_missing().empty()) {
    FAIL(
        "Not checked yet: Author is not complete (step 1; see the check \"step 1: Author is "
        "stored in authors, with an id and a name\").");
  }
}

void require_book_author() {
  require_author_model();
  if (!book_author_problem().empty()) {
    FAIL(
        "Not checked yet: Book's link to its author is not finished (step 2; see the check "
        "\"step 2: books.author_id refers to authors.id ...\").");
  }
}

// Steps 1 to 3: the models, and create_app() registers both.
void require_models_registered() {
  require_book_author();
  if (!lesson_check::app_registration({"authors", "books"}).complete()) {
    FAIL(
        "Not checked yet: create_app() does not register Author and Book (step 3; see the check "
        "\"step 3: create_app() registers Author and Book\").");
  }
}

// ---------------------------------------------------------------------------------------------
// The program and the migrations

// A fresh, empty database for this check, and the program on it.
Program on_empty_database(const std::string& suffix) {
  lesson_check::require_server();
  return Program{testing_support::scratch_database(suffix)};
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

// The student's revisions, oldest first. `primary`: this check explains a missing or strange
// folder in full; the others wait for it.
std::vector<orm::migrate::Revision> revisions(bool primary = false) {
  std::string problem;
  std::string in_short;  // for the checks that wait for this one
  std::vector<orm::migrate::Revision> chain;
  if (!std::filesystem::is_directory(kMigrations / "versions")) {
    in_short = "the migrations folder is missing";
    problem = "there is no migrations folder " + kMigrations.string() +
              " any more. Lesson 05 starts with lesson 04's migrations: bring them back with git "
              "checkout -- " LESSON_PATH "/migrations";
  } else {
    try {
      chain = orm::migrate::ScriptDirectory::load(kMigrations, kCommand).revisions();
    } catch (const std::exception& e) {
      problem = std::string("the migrations folder cannot be read: ") + e.what();
      in_short = "the migrations folder cannot be read";
    }
    std::vector<std::string> first;
    for (std::size_t i = 0; i < chain.size() && i < kLesson04Revisions.size(); ++i) {
      first.push_back(chain[i].id);
    }
    if (problem.empty() && first != kLesson04Revisions) {
      problem =
          "the migrations folder must start with the three revisions of lesson 04 that came with "
          "the lesson (98c992defab7, 882669b367ba, 176c054b45cd, in this order); yours do not. "
          "Bring them back with git checkout -- " LESSON_PATH
          "/migrations/versions, and keep your own new revisions after them";
      in_short = "lesson 04's revisions are missing from the migrations folder";
    } else if (problem.empty() && chain.size() == kLesson04Revisions.size()) {
      problem =
          "there is no revision after lesson 04's yet. Make it with ./workbook run 05 db migrate "
          "-m \"adds Author model\", read it, apply it with ./workbook run 05 db upgrade (step 4)";
      in_short = "there is no revision after lesson 04's yet";
    }
  }
  if (!problem.empty()) {
    if (primary) FAIL("Your migrations: " << problem << ". Then run " << rerun());
    FAIL("Not checked yet: " << in_short
                             << " (see the check \"step 4: your revision creates authors ...\").");
  }
  return chain;
}

std::vector<Column> columns_of(orm::Session& session, const std::string& table) {
  std::vector<Column> columns = lesson_check::columns_in(session, table);
  // Compared by name: PostgreSQL adds a column at the end of its table, so a downgrade that
  // brings one back cannot restore its place.
  std::sort(columns.begin(), columns.end(),
            [](const Column& a, const Column& b) { return a.name < b.name; });
  return columns;
}

// The tables books and authors as PostgreSQL has them, and the ON DELETE rule of the foreign key
// of books.author_id ("" without one).
struct Schema {
  std::vector<Column> books;
  std::vector<Column> authors;
  std::string author_key;  // "SET NULL", "CASCADE", "NO ACTION", "RESTRICT" or ""
  std::string author_key_target;

  bool operator==(const Schema& other) const {
    return books == other.books && authors == other.authors && author_key == other.author_key &&
           author_key_target == other.author_key_target;
  }
  bool has_author_link() const {
    return !authors.empty() && find(books, "author_id") != nullptr && !author_key.empty();
  }
  std::string text() const {
    std::string out = "  books:\n";
    for (const auto& column : books) out += "    " + column.text() + "\n";
    if (books.empty()) out += "    (no table books)\n";
    out += "  authors:\n";
    for (const auto& column : authors) out += "    " + column.text() + "\n";
    if (authors.empty()) out += "    (no table authors)\n";
    if (!author_key.empty()) {
      out += "  books.author_id refers to " + author_key_target + " ON DELETE " + author_key + "\n";
    }
    return out;
  }
};

Schema schema_of(const orm::DatabaseUrl& url) {
  orm::Database db(url);
  orm::Session session(db);
  Schema schema;
  schema.books = columns_of(session, "books");
  schema.authors = columns_of(session, "authors");
  const auto keys = session.execute(
      "SELECT CASE c.confdeltype WHEN 'n' THEN 'SET NULL' WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN "
      "'RESTRICT' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END, "
      "c.confrelid::regclass::text || '.' || ta.attname "
      "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = "
      "c.conkey[1] JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = c.confkey[1] "
      "WHERE c.contype = 'f' AND c.conrelid = to_regclass('books') AND a.attname = 'author_id'");
  if (!keys.empty()) {
    schema.author_key = keys[0][0].as<std::string>();
    schema.author_key_target = keys[0][1].as<std::string>();
  }
  return schema;
}

// The schema after each revision, applied one by one to an empty database of its own (once per
// check process: several checks ask).
const std::vector<Schema>& walk(const std::vector<orm::migrate::Revision>& chain) {
  static std::optional<std::vector<Schema>> schemas;
  if (schemas) return *schemas;
  const Program program = on_empty_database("walk");
  std::vector<Schema> result;
  // Up to the first revision that fails: the check of that step explains it.
  lesson_check::upgrade_one_at_a_time(program.database, kMigrations, chain,
                                      [&] { result.push_back(schema_of(program.database)); });
  testing_support::drop_scratch_database(program.database.database());
  schemas = std::move(result);
  return *schemas;
}

// The index of the first revision after which authors and books.author_id (with its foreign
// key) exist, if any.
std::optional<std::size_t> author_revision(const std::vector<Schema>& schemas) {
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    if (schemas[i].has_author_link()) return i;
  }
  return std::nullopt;
}

// While Your turn is half done, the models and the newest revision differ in books.author_name
// only. The revision the program can run on: the newest one, except while Book still has
// author_name and a Your turn revision drops it already (then the newest one with author_name).
// `problem`: what is half done, for the checks that need the models and the newest revision to
// agree; "" when they do.
std::string revision_for_model(const std::vector<orm::migrate::Revision>& chain,
                               const std::vector<Schema>& schemas, std::string& problem) {
  const bool in_model = book_model_has_column("author_name");
  const bool at_head = find(schemas.back().books, "author_name") != nullptr;
  problem.clear();
  if (in_model == at_head) return chain.back().id;
  if (!in_model) {
    problem =
        "Not checked yet: Book has no author_name any more, but no revision drops the column "
        "yet (Your turn; see the check \"your turn: your revision moves every author name into "
        "authors ...\").";
    return chain.back().id;  // an extra column the model does not list does not stop it
  }
  problem =
      "Not checked yet: your revision drops books.author_name, but Book still has the member "
      "author_name (Your turn; see the check \"your turn: Book has no author_name, and db check "
      "--roundtrip agrees\").";
  for (std::size_t i = schemas.size(); i-- > 0;) {
    if (find(schemas[i].books, "author_name") != nullptr) return chain[i].id;
  }
  return chain.back().id;
}

// Step 4 made, applied, and every revision applies: the program on a database at the revision
// that matches the models (see revision_for_model), whose tables match the models.
Program upgraded_database(const std::string& suffix) {
  require_models_registered();
  const Program program = on_empty_database(suffix);
  const auto chain = revisions();
  const auto& schemas = walk(chain);
  if (schemas.size() != chain.size() || !author_revision(schemas)) {
    FAIL(
        "Not checked yet: your migrations do not build authors and books.author_id on an empty "
        "database (see the check \"step 4: your revision creates authors ...\").");
  }
  std::string half_done;
  const std::string target = revision_for_model(chain, schemas, half_done);
  if (program({"db", "upgrade", target}).exit_code != 0) {
    FAIL(
        "Not checked yet: `./workbook run 05 db upgrade` fails on an empty database (see the "
        "check \"step 4: your revision creates authors ...\").");
  }
  if (half_done.empty() && program({"db", "check"}).exit_code != 0) {
    FAIL(
        "Not checked yet: after db upgrade the tables differ from your models (see the check "
        "\"step 4: after db upgrade on an empty database, db check finds nothing to "
        "migrate\").");
  }
  return program;
}

// ---------------------------------------------------------------------------------------------
// The program's output

// The lines of `out` after the line `header` and before the line `next` (or the end).
std::vector<std::string> section(const std::string& out, const std::string& header,
                                 const std::string& next) {
  std::vector<std::string> lines;
  bool inside = false;
  for (const auto& line : lesson_check::lines_of(out)) {
    if (line == header) {
      inside = true;
    } else if (line == next) {
      inside = false;
    } else if (inside) {
      lines.push_back(line);
    }
  }
  return lines;
}

std::string indented(const std::vector<std::string>& lines, std::size_t from, std::size_t count) {
  std::string text;
  for (std::size_t i = from; i < lines.size() && i < from + count; ++i) {
    text += "    " + lines[i] + "\n";
  }
  return text.empty() ? "    (nothing)\n" : text;
}

// "" when `actual` is `expected`; else where they first differ, with a few lines around.
std::string first_difference(const std::vector<std::string>& expected,
                             const std::vector<std::string>& actual) {
  if (expected == actual) return {};
  std::size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
  const std::size_t from = i < 2 ? 0 : i - 2;
  return "They differ at line " + std::to_string(i + 1) + " of " + std::to_string(expected.size()) +
         ". Expected there:\n" + indented(expected, from, 5) + "Your program printed:\n" +
         indented(actual, from, 5);
}

const char* const kAuthorsHeader = "Authors and their books:";
const char* const kBooksHeader = "Books and their authors:";

// How many of `statements` name the table `table` (as a whole word: quoted or not, any case).
long long naming(const std::vector<std::string>& statements, const std::string& table) {
  const auto part_of_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  };
  long long count = 0;
  for (std::string statement : statements) {
    for (char& c : statement) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::size_t at = statement.find(table); at != std::string::npos;
         at = statement.find(table, at + 1)) {
      const std::size_t end = at + table.size();
      if ((at == 0 || !part_of_name(statement[at - 1])) &&
          (end == statement.size() || !part_of_name(statement[end]))) {
        ++count;
        break;
      }
    }
  }
  return count;
}

// A library of many authors, and what the program printed on it: the program runs once per
// check process, and the steps 6 and 7 checks read the result.
struct Library {
  Program program;
  ProgramRun run;
  std::vector<std::string> expected_authors;  // the lines after kAuthorsHeader
  std::vector<std::string> expected_books;    // the lines after kBooksHeader
  int author_count = 0;
  int book_count = 0;
  long long book_reads = 0;    // the program's statements that name books
  long long author_reads = 0;  // and authors
};

const Library& many_authors() {
  static std::optional<Library> library;
  if (library) return *library;
  Library made{upgraded_database("many"), {}, {}, {}, 0, 0, 0, 0};
  {
    orm::Database db(made.program.database);
    orm::Session session(db);
    // Author i has i % 3 books (some none), and a few books have no author.
    const int authors = 300;
    std::vector<std::vector<std::string>> titles(authors);
    std::vector<std::pair<std::string, std::string>> books;  // title, author
    // Our own names and numbers only: two multi-row INSERTs instead of 700 round trips.
    std::string author_rows;
    for (int i = 0; i < authors; ++i) {
      const std::string name = "Author " + std::to_string(i + 1);
      author_rows +=
          (i == 0 ? "" : ", ") + std::string("(") + std::to_string(i + 1) + ", '" + name + "')";
      made.expected_authors.push_back(std::to_string(i + 1) + ": " + name);
    }
    session.execute("INSERT INTO authors (id, name) VALUES " + author_rows);
    std::string book_rows;
    int book_id = 0;
    const auto add_book = [&](const std::string& author_id) {
      const std::string title = "Book " + std::to_string(++book_id);
      book_rows += (book_rows.empty() ? "" : ", ") + std::string("(") + std::to_string(book_id) +
                   ", '" + title + "', 'en', " + author_id + ")";
      return title;
    };
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < authors; ++i) {
        if (i % 3 <= round) continue;
        titles[static_cast<std::size_t>(i)].push_back(add_book(std::to_string(i + 1)));
        books.emplace_back(titles[static_cast<std::size_t>(i)].back(),
                           "Author " + std::to_string(i + 1));
      }
      books.emplace_back(add_book("NULL"), "(no author)");
    }
    session.execute("INSERT INTO books (id, title, language, author_id) VALUES " + book_rows);
    session.execute("SELECT setval(pg_get_serial_sequence('authors', 'id'), 1000)");
    session.execute("SELECT setval(pg_get_serial_sequence('books', 'id'), 1000)");
    session.commit();
    std::vector<std::string> with_books;
    for (int i = 0; i < authors; ++i) {
      with_books.push_back(made.expected_authors[static_cast<std::size_t>(i)]);
      if (titles[static_cast<std::size_t>(i)].empty()) with_books.push_back("    (no books)");
      for (const auto& title : titles[static_cast<std::size_t>(i)]) {
        with_books.push_back("    " + title);
      }
    }
    made.expected_authors = std::move(with_books);
    for (const auto& [title, author] : books) made.expected_books.push_back(title + ": " + author);
    made.author_count = authors;
    made.book_count = book_id;
  }
  // Every statement the program sends, from the library's statement log.
  const auto statements = lesson_check::statements_during(
      "listing",
      [&](const lesson_check::EnvChange& logging) { made.run = made.program({}, {logging}); });
  made.book_reads = naming(statements, "books");
  made.author_reads = naming(statements, "authors");
  library = std::move(made);
  return *library;
}

// The program on the many authors' library must have run through; else one message per cause.
const Library& many_authors_listed(const std::string& step, const std::string& header,
                                   const std::string& next) {
  const Library& library = many_authors();
  const ProgramRun& run = library.run;
  if (!run.out_lines().empty() && run.out_lines().front().rfind("Added", 0) == 0) {
    FAIL(
        "Not checked yet: your program adds the example authors although there are authors "
        "already (see the check \"step 5: hello_books adds the example authors with their "
        "books\").");
  }
  if (run.not_done()) {
    const std::string said = run.err_lines().empty() ? "" : run.err_lines().front();
    if (said.find("(" + step + ")") != std::string::npos) {
      FAIL(lesson_check::not_finished(run, "hello_books", true));
    }
    if (section(run.out, header, next).empty()) {
      FAIL(lesson_check::not_finished(run, "hello_books"));
    }
  } else if (run.exit_code != 0) {
    FAIL("`./workbook run 05` on a database with " << library.author_count << " authors and "
                                                   << library.book_count
                                                   << " books must list them and exit with 0.\n"
                                                   << run.describe() << fix("main.cpp", step));
  }
  return library;
}

// The rows of books with their author's name, in id order: "title: name" or "title: -".
std::vector<std::string> books_and_authors(orm::Session& session) {
  std::vector<std::string> lines;
  for (const auto& row : session.execute(
           "SELECT b.title, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id "
           "ORDER BY b.id")) {
    lines.push_back(row[0].as<std::string>() + ": " +
                    (row[1].is_null() ? std::string("-") : row[1].as<std::string>()));
  }
  return lines;
}

std::string listed(const std::vector<std::string>& lines) {
  return indented(lines, 0, lines.size());
}

// ---------------------------------------------------------------------------------------------
// Your turn: the revision after the author revision that drops books.author_name.

struct Turn {
  std::vector<orm::migrate::Revision> chain;
  std::string before;  // the revision your revision follows (books has author_name)
  std::string yours;   // your revision (books has no author_name)
};

Turn your_turn(bool primary = false) {
  require_models_registered();
  Turn turn;
  turn.chain = revisions();
  const auto& schemas = walk(turn.chain);
  const auto author = author_revision(schemas);
  if (schemas.size() != turn.chain.size() || !author) {
    FAIL(
        "Not checked yet: your migrations do not build authors and books.author_id on an empty "
        "database (see the check \"step 4: your revision creates authors ...\").");
  }
  std::optional<std::size_t> before;
  for (std::size_t i = *author; i < schemas.size(); ++i) {
    if (find(schemas[i].books, "author_name") != nullptr) before = i;
  }
  if (!before) {
    FAIL(
        "Your migrations drop books.author_name before (or in) the revision that creates "
        "authors. Lesson 04's revisions keep it, the step 4 revision keeps it (the model still "
        "had it), and your own revision moves the names, then drops it: Your turn in " LESSON_TEXT
        ". Then run "
        << rerun());
  }
  if (*before + 1 == schemas.size()) {
    if (!primary) {
      FAIL(
          "Not checked yet: no revision moves the author names yet (see the check \"your turn: "
          "your revision moves every author name into authors ...\").");
    }
    FAIL("No revision after "
         << turn.chain[*before].id
         << " (the newest with books.author_name) drops author_name yet. Write it: ./workbook "
            "run 05 db revision -m \"moves author names to authors\", then its SQL, and apply "
            "it with ./workbook run 05 db upgrade (Your turn in " LESSON_TEXT "). Then run "
         << rerun() << " (stuck? ./workbook hint 05 your-turn)");
  }
  turn.before = turn.chain[*before].id;
  turn.yours = turn.chain[*before + 1].id;
  return turn;
}

// The books the Your turn checks store before your revision: title, author_name, and whether
// author_id already points to Ursula K. Le Guin (added by the program earlier).
struct OldBook {
  const char* title;
  const char* author_name;  // nullptr: NULL
  bool linked;
};
const std::vector<OldBook> kOldBooks = {
    {"The Dispossessed", "Ursula K. Le Guin", true},
    {"A Wizard of Earthsea", "Ursula K. Le Guin", false},
    {"Kindred", "Octavia E. Butler", false},
    {"Ocean Book", nullptr, false},
    {"Dawn", "Octavia E. Butler", false},
    {"Sky Book", nullptr, false},
};

// The books and the authors they should have after your revision: "title: name" or "title: -".
std::vector<std::string> expected_after_turn() {
  std::vector<std::string> lines;
  for (const auto& book : kOldBooks) {
    lines.push_back(std::string(book.title) + ": " + (book.author_name ? book.author_name : "-"));
  }
  return lines;
}

// A database at `turn.before` with the old books and two authors (Ursula K. Le Guin, linked to
// one book already, and N. K. Jemisin, without books), then your revision applied. The primary
// check explains a failing upgrade; the others wait for it.
Program turn_applied(const std::string& suffix, const Turn& turn, bool primary) {
  const Program program = on_empty_database(suffix);
  require_success(program, {"db", "upgrade", turn.before},
                  "on an empty database, up to " + turn.before, "step 4");
  {
    orm::Database db(program.database);
    orm::Session session(db);
    session.execute("INSERT INTO authors (name) VALUES ('Ursula K. Le Guin'), ('N. K. Jemisin')");
    for (const auto& book : kOldBooks) {
      session.execute(
          "INSERT INTO books (title, language, author_name, author_id) VALUES ($1, 'en', $2, "
          "(SELECT id FROM authors WHERE name = 'Ursula K. Le Guin' AND $3))",
          book.title,
          book.author_name ? std::optional<std::string>(book.author_name) : std::nullopt,
          book.linked);
    }
    session.commit();
  }
  const std::vector<std::string> upgrade = {"db", "upgrade", turn.yours};
  if (!primary && program(upgrade).exit_code != 0) {
    FAIL(
        "Not checked yet: your revision's upgrade fails on a database with books (see the check "
        "\"your turn: your revision moves every author name into authors ...\").");
  }
  require_success(program, upgrade,
                  "on a database at " + turn.before +
                      " with books by Ursula K. Le Guin (one already linked to her row in "
                      "authors), by Octavia E. Butler, and without an author",
                  "Your turn");
  return program;
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson05]") {
  lesson_check::require_server();
}

TEST_CASE("step 1: Author is stored in authors, with an id and a name", "[lesson05]") {
  check_author_model();
}

TEST_CASE("step 2: books.author_id refers to authors.id, and deleting an author keeps the books",
          "[lesson05]") {
  require_author_model();
  const std::string problem = book_author_problem();
  if (!problem.empty()) FAIL(problem << ". " << fix("models/book.hpp", "step 2"));
}

TEST_CASE("step 3: create_app() registers Author and Book", "[lesson05]") {
  require_author_model();
  const lesson_check::Registration found = lesson_check::app_registration({"authors", "books"});
  if (!found.error.empty()) {
    FAIL("create_app(orm::TestConfig{}) threw:\n    " << found.error << "\n"
                                                      << fix("app/app.cpp", "step 3"));
  }
  if (!found.missing.empty()) {
    FAIL(
        "The app made by create_app() must know both models: its metadata must have the tables "
        "authors and books, or db migrate will not see authors. "
        << fix("app/app.cpp", "step 3"));
  }
}

TEST_CASE("step 4: your revision creates authors and books.author_id, its downgrade drops them",
          "[lesson05]") {
  require_models_registered();
  const Program program = on_empty_database("author");
  const auto chain = revisions(true);
  const auto& schemas = walk(chain);
  if (schemas.size() != chain.size()) {
    require_success(program, {"db", "upgrade", chain[schemas.size()].id},
                    "on an empty database, at revision " + chain[schemas.size()].id + " (" +
                        chain[schemas.size()].path.filename().string() + ")",
                    "step 4");
  }
  const auto author = author_revision(schemas);
  if (!author) {
    FAIL(
        "No revision after lesson 04's creates the table authors and books.author_id with its "
        "foreign key. After all your revisions the tables are:\n"
        << schemas.back().text()
        << "Make the revision from your models (./workbook run 05 db migrate -m \"adds Author "
           "model\"; step 4), read it, apply it (./workbook run 05 db upgrade). If db migrate "
           "found no change, check steps 1 to 3 first. Then run "
        << rerun());
  }
  const Schema& made = schemas[*author];
  if (made.author_key != "SET NULL" || made.author_key_target != "authors.id") {
    FAIL("In your revision " << chain[*author].id
                             << ", books.author_id must refer to authors.id ON DELETE SET NULL, "
                                "as the model says. It gives:\n"
                             << made.text()
                             << "Was the revision made before the model was finished? Delete it "
                                "(./workbook run 05 db downgrade first if you applied it), then "
                                "make it again (step 4). Then run "
                             << rerun());
  }
  // The downgrade drops what the upgrade made, in reverse order, and the upgrade works again.
  require_success(program, {"db", "upgrade", chain[*author].id}, "on an empty database", "step 4");
  const std::string& previous = chain[*author - 1].id;
  require_success(program, {"db", "downgrade", previous},
                  "from " + chain[*author].id + " back to " + previous, "step 4");
  const Schema down = schema_of(program.database);
  if (!(down == schemas[*author - 1])) {
    FAIL("Downgrading " << chain[*author].id << " must give back the tables of " << previous
                        << ":\n"
                        << schemas[*author - 1].text() << "It leaves:\n"
                        << down.text()
                        << "The downgrade section must undo the upgrade, in reverse order. "
                        << fix("migrations/versions/ (the revision " + chain[*author].id + ")",
                               "step 4"));
  }
  require_success(program, {"db", "upgrade", chain[*author].id}, "after its downgrade", "step 4");
  // The rule chosen in step 2, on the real tables: the books stay, without an author.
  orm::Database db(program.database);
  orm::Session session(db);
  session.execute("INSERT INTO authors (name) VALUES ('Ursula K. Le Guin')");
  session.execute(
      "INSERT INTO books (title, language, author_id) SELECT 'The Dispossessed', 'en', id FROM "
      "authors");
  session.execute("DELETE FROM authors");
  const auto left = session.execute("SELECT count(*), count(author_id) FROM books");
  session.rollback();
  if (left[0][0].as<int>() != 1 || left[0][1].as<int>() != 0) {
    FAIL("After deleting an author, their book must still be there, without an author. "
         << fix("models/book.hpp", "step 2"));
  }
}

TEST_CASE("step 4: after db upgrade on an empty database, db check finds nothing to migrate",
          "[lesson05]") {
  require_models_registered();
  const Program program = on_empty_database("check");
  const auto chain = revisions();
  require_success(program, {"db", "upgrade"}, "on an empty database", "step 4");
  // While Your turn is half done, the models and the newest revision differ for that reason.
  std::string half_done;
  const auto& schemas = walk(chain);
  if (schemas.size() == chain.size()) revision_for_model(chain, schemas, half_done);
  if (!half_done.empty()) FAIL(half_done);
  const ProgramRun check = program({"db", "check"});
  if (check.exit_code != 0) {
    FAIL(
        "After `./workbook run 05 db upgrade` on an empty database, the tables differ from your "
        "models (db check's findings below). Either a model changed after your newest revision "
        "(make a revision for the change), or a revision builds something other than "
        "models/author.hpp and models/book.hpp say (fix it in " LESSON_PATH
        "/migrations/versions). Then run "
        << rerun() << "\n"
        << check.describe());
  }
}

TEST_CASE("step 5: hello_books adds the example authors with their books", "[lesson05]") {
  const Program program = upgraded_database("examples");
  const ProgramRun run = program({});
  if (run.not_done() && run.err.find("(step 5)") != std::string::npos) {
    FAIL(lesson_check::not_finished(run, "hello_books", true));
  }
  const auto lines = run.out_lines();
  if (lines.empty() || lines.front() != "Added 2 authors and 3 books.") {
    FAIL(
        "`./workbook run 05` on a database without authors must first add the example authors "
        "with their books, then say:\n    Added 2 authors and 3 books.\n"
        << run.describe() << fix("main.cpp", "step 5"));
  }
  orm::Database db(program.database);
  orm::Session session(db);
  const std::vector<std::string> expected = {"A Wizard of Earthsea: Ursula K. Le Guin",
                                             "The Dispossessed: Ursula K. Le Guin",
                                             "Kindred: Octavia E. Butler"};
  const auto stored = books_and_authors(session);
  const auto authors = session.execute("SELECT count(*) FROM authors")[0][0].as<int>();
  if (stored != expected || authors != 2) {
    FAIL(
        "After `./workbook run 05` the tables must hold the two example authors, and the three "
        "books, each linked to its author (\"-\": no author):\n"
        << listed(expected) << "They hold " << authors << " authors, and the books:\n"
        << listed(stored)
        << "Add each book through its author's books, so that its author_id is set. "
        << fix("main.cpp", "step 5"));
  }
  const ProgramRun again = program({});
  const auto after = books_and_authors(session);
  if (!again.out_lines().empty() && again.out_lines().front().rfind("Added", 0) == 0) {
    FAIL(
        "The second `./workbook run 05` must not add the examples again: there are authors "
        "already. It printed:\n    "
        << again.out_lines().front() << "\n"
        << fix("main.cpp", "step 5"));
  }
  if (after != expected) {
    FAIL(
        "The second `./workbook run 05` changed the books; it must only list them. They are "
        "now:\n"
        << listed(after) << fix("main.cpp", "step 5"));
  }
}

TEST_CASE("step 6: hello_books lists every author with their books, in one query for all",
          "[lesson05]") {
  const Library& library = many_authors_listed("step 6", kAuthorsHeader, kBooksHeader);
  const auto printed = section(library.run.out, kAuthorsHeader, kBooksHeader);
  const std::string difference = first_difference(library.expected_authors, printed);
  if (!difference.empty()) {
    FAIL("With " << library.author_count << " authors (author i has i % 3 books) the lines after "
                 << kAuthorsHeader
                 << " must list every author in id order, as to_string() shows them, each "
                    "followed by the titles of their books (four spaces in front), or by "
                    "\"    (no books)\". "
                 << difference << fix("main.cpp", "step 6"));
  }
  if (library.book_reads > library.author_count / 10) {
    FAIL("Your program read the table books "
         << library.book_reads << " times to list " << library.author_count
         << " authors: about once per author. That is the N+1 problem (1 query for the "
            "authors, then N more, one for each author's books): with many authors it is "
            "slow. Load the books of all the authors together, in one query. "
         << fix("main.cpp", "step 6"));
  }
}

TEST_CASE("step 7: hello_books lists every book with its author, in one query for all",
          "[lesson05]") {
  const Library& library = many_authors_listed("step 7", kBooksHeader, "");
  const auto printed = section(library.run.out, kBooksHeader, "");
  const std::string difference = first_difference(library.expected_books, printed);
  if (!difference.empty()) {
    FAIL("With " << library.book_count << " books the lines after " << kBooksHeader
                 << " must list every book in id order: \"<title>: <author's name>\", or "
                    "\"<title>: (no author)\". "
                 << difference << fix("main.cpp", "step 7"));
  }
  // The authors are read once for the list of authors (step 6), once to count them (step 5).
  if (library.author_reads > library.book_count / 10) {
    FAIL("Your program read the table authors "
         << library.author_reads << " times to list " << library.book_count
         << " books with their authors: about once per book, the N+1 problem again. Load the "
            "authors of all the books together, in one query. "
         << fix("main.cpp", "step 7"));
  }
}

TEST_CASE("your turn: your revision moves every author name into authors and drops author_name",
          "[lesson05]") {
  const Turn turn = your_turn(true);
  const Program program = turn_applied("move", turn, true);
  const Schema schema = schema_of(program.database);
  if (find(schema.books, "author_name") != nullptr) {
    FAIL("After your revision " << turn.yours << " books must have no author_name. It has:\n"
                                << schema.text()
                                << fix("migrations/versions/ (your revision)", "Your turn"));
  }
  orm::Database db(program.database);
  orm::Session session(db);
  const auto stored = books_and_authors(session);
  const auto expected = expected_after_turn();
  if (stored != expected) {
    FAIL("Before your revision the books had these author names (\"-\": NULL):\n"
         << listed(expected)
         << "After it, each book's author_id must point to the author of that name (\"-\": "
            "none). They point to:\n"
         << listed(stored) << fix("migrations/versions/ (your revision)", "Your turn"));
  }
  std::vector<std::string> authors;
  for (const auto& row : session.execute("SELECT name FROM authors ORDER BY name, id")) {
    authors.push_back(row[0].as<std::string>());
  }
  const std::vector<std::string> once = {"N. K. Jemisin", "Octavia E. Butler", "Ursula K. Le Guin"};
  if (authors != once) {
    FAIL(
        "After your revision authors must hold each name once: the authors there were "
        "(Ursula K. Le Guin, N. K. Jemisin) and one new row per distinct name that was not "
        "there yet (Octavia E. Butler). It holds:\n"
        << listed(authors)
        << "Ursula K. Le Guin was in authors already: her books get that row. Two books by "
           "Octavia E. Butler make one author, not two. "
        << fix("migrations/versions/ (your revision)", "Your turn"));
  }
}

TEST_CASE("your turn: downgrading your revision gives every book its author_name back",
          "[lesson05]") {
  const Turn turn = your_turn();
  const Program program = on_empty_database("restore_schema");
  require_success(program, {"db", "upgrade", turn.before}, "on an empty database", "step 4");
  const Schema before = schema_of(program.database);
  const Program moved = turn_applied("restore", turn, false);
  {
    orm::Database db(moved.database);
    orm::Session session(db);
    if (books_and_authors(session) != expected_after_turn()) {
      FAIL(
          "Not checked yet: your upgrade does not link every book to the author of its name (see "
          "the check \"your turn: your revision moves every author name into authors ...\").");
    }
  }
  const std::vector<std::string> downgrade = {"db", "downgrade", turn.before};
  require_success(moved, downgrade, "from your revision " + turn.yours + " back to " + turn.before,
                  "Your turn");
  const Schema after = schema_of(moved.database);
  if (!(after.books == before.books) || !(after.authors == before.authors)) {
    FAIL("Downgrading your revision must give back the tables as they were at "
         << turn.before << ":\n"
         << before.text() << "After upgrade and downgrade they are:\n"
         << after.text() << fix("migrations/versions/ (your revision)", "Your turn"));
  }
  orm::Database db(moved.database);
  orm::Session session(db);
  std::vector<std::string> names;
  for (const auto& row : session.execute("SELECT title, author_name FROM books ORDER BY id")) {
    names.push_back(row[0].as<std::string>() + ": " +
                    (row[1].is_null() ? std::string("-") : row[1].as<std::string>()));
  }
  const auto expected = expected_after_turn();
  if (names != expected) {
    FAIL(
        "After the downgrade each book's author_name must be what it was before your revision "
        "(\"-\": NULL), taken from its author:\n"
        << listed(expected) << "It is:\n"
        << listed(names) << fix("migrations/versions/ (your revision)", "Your turn"));
  }
  require_success(moved, {"db", "upgrade", turn.yours}, "again after its downgrade", "Your turn");
  const auto again = books_and_authors(session);
  if (again != expected) {
    FAIL(
        "Upgrade, downgrade and upgrade again must keep every book's author. After the second "
        "upgrade the books point to:\n"
        << listed(again) << "instead of:\n"
        << listed(expected) << fix("migrations/versions/ (your revision)", "Your turn"));
  }
}

TEST_CASE("your turn: Book has no author_name, and db check --roundtrip agrees", "[lesson05]") {
  const Turn turn = your_turn();
  if (book_model_has_column("author_name")) {
    FAIL(
        "Book still has the member author_name: the name is the author's now, and books has "
        "no such column after your revision. "
        << fix("models/book.hpp", "Your turn"));
  }
  const Program program = on_empty_database("roundtrip");
  const ProgramRun check = program({"db", "check", "--roundtrip"});
  if (check.exit_code != 0) {
    FAIL(
        "`./workbook run 05 db check --roundtrip` upgrades a scratch database from base to "
        "head, compares it with your models, downgrades to base and upgrades again. It found:\n"
        << check.describe() << "Fix the revision it names in " LESSON_PATH
        << "/migrations/versions (or the model), then run " << rerun());
  }
}

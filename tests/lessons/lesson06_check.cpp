// Do not change this file: it checks your work on lesson 06 (label lesson06). Run it with
// ./workbook check 06.
//
// It checks your Genre and BookGenre models on tables made from them in databases of its own
// (names that must be unique, links that go with their book or genre), that create_app()
// registers them, then runs your program's db commands with your migrations (the lesson folder's
// migrations/) on fresh, empty databases, and your program on them: with the example genres, and
// with hundreds of genres or books, where it counts how often your program asks the database.
// Last, your Your turn functions on databases of their own. Your migrations folder and your
// hello_books_development database are never changed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lesson06_model.hpp"
#include "lesson_check.hpp"
#include "lesson_migrations.hpp"
#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using lesson_check::command_text;
using lesson_check::fix;
using lesson_check::kCommand;
using lesson_check::Program;
using lesson_check::ProgramRun;
using lesson_check::rerun;

namespace {

const std::filesystem::path kMigrations = std::filesystem::path(LESSON_DIR) / "migrations";
// Lesson 05's revisions, oldest first: the starter's migrations folder holds them.
const std::vector<std::string> kLesson05Revisions = {"98c992defab7", "882669b367ba", "176c054b45cd",
                                                     "65f95fab51d7", "e7250f230796"};

// ---------------------------------------------------------------------------------------------
// Helpers

int count_of(orm::Session& session, const std::string& sql) {
  return session.execute(sql)[0][0].as<int>();
}

// Lines `from` to `from + count` of `lines`, indented for a message ("(nothing)" for none).
std::string indented(const std::vector<std::string>& lines, std::size_t from, std::size_t count) {
  std::string text;
  for (std::size_t i = from; i < lines.size() && i < from + count; ++i) {
    text += "    " + lines[i] + "\n";
  }
  return text.empty() ? "    (nothing)\n" : text;
}

// Every line of `lines`, indented for a message.
std::string listed(const std::vector<std::string>& lines) {
  return indented(lines, 0, lines.size());
}

// The genre and book of every link, "<genre>: <title>", by genre id then book id.
std::vector<std::string> links_in(orm::Session& session) {
  std::vector<std::string> links;
  for (const auto& row : session.execute(
           "SELECT g.name || ': ' || b.title FROM book_genres l JOIN genres g ON g.id = l.genre_id "
           "JOIN books b ON b.id = l.book_id ORDER BY g.id, b.id")) {
    links.push_back(row[0].as<std::string>());
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// The models: lesson06_model.cpp compiles whatever models/genre.hpp and models/book_genre.hpp
// hold so far.

void require_genre() {
  if (!genre_problem().empty()) {
    FAIL(
        "Not checked yet: Genre is not finished (step 1; see the check \"step 1: Genre is "
        "stored in genres ...\").");
  }
}

// Steps 1 and 2: Genre and BookGenre are declared.
void require_link() {
  require_genre();
  if (!link_problem().empty()) {
    FAIL(
        "Not checked yet: BookGenre is not finished (step 2; see the check \"step 2: "
        "book_genres links a book to a genre ...\").");
  }
}

// True when BookGenre makes the pair (book_id, genre_id) unique (step 3).
void require_pair_unique() {
  require_link();
  if (!pair_unique()) {
    FAIL(
        "Not checked yet: book_genres does not refuse the same link twice (step 3; see the check "
        "\"step 3: a book cannot have the same genre twice\").");
  }
}

// Steps 1 to 4: the models, and create_app() registers them.
void require_models_registered() {
  require_pair_unique();
  if (!lesson_check::app_registration({"genres", "book_genres"}).complete()) {
    FAIL(
        "Not checked yet: create_app() does not register Genre and BookGenre (step 4; see the "
        "check \"step 4: create_app() registers Genre and BookGenre\").");
  }
}

// Runs `sql`; returns the SQLSTATE of the error it gives, or "" when it succeeds.
template <class... Args>
std::string sqlstate_of(orm::Session& session, const std::string& sql, const Args&... args) {
  try {
    session.execute(sql, args...);
    session.commit();
    return {};
  } catch (const std::exception& e) {
    session.rollback();
    const std::string state = orm::sqlstate_of(e);
    return state.empty() ? std::string("error") : state;
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
             << run.describe() << "Read the error, fix what it names (" << part
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
              " any more. Lesson 06 starts with lesson 05's migrations: bring them back with git "
              "checkout -- " LESSON_PATH "/migrations";
  } else {
    try {
      chain = orm::migrate::ScriptDirectory::load(kMigrations, kCommand).revisions();
    } catch (const std::exception& e) {
      problem = std::string("the migrations folder cannot be read: ") + e.what();
      in_short = "the migrations folder cannot be read";
    }
    std::vector<std::string> first;
    for (std::size_t i = 0; i < chain.size() && i < kLesson05Revisions.size(); ++i) {
      first.push_back(chain[i].id);
    }
    if (problem.empty() && first != kLesson05Revisions) {
      problem =
          "the migrations folder must start with the five revisions of lessons 04 and 05 that "
          "came with the lesson (98c992defab7 ... e7250f230796, in this order); yours do not. "
          "Bring them back with git checkout -- " LESSON_PATH
          "/migrations/versions, and keep your own new revisions after them";
      in_short = "lesson 05's revisions are missing from the migrations folder";
    } else if (problem.empty() && chain.size() == kLesson05Revisions.size()) {
      problem =
          "there is no revision after lesson 05's yet. Make it with ./workbook run 06 db migrate "
          "-m \"adds Genre model\", read it, apply it with ./workbook run 06 db upgrade (step 5)";
      in_short = "there is no revision after lesson 05's yet";
    }
  }
  if (!problem.empty()) {
    if (primary) FAIL("Your migrations: " << problem << ". Then run " << rerun());
    FAIL("Not checked yet: " << in_short
                             << " (see the check \"step 5: your revision creates genres and "
                                "book_genres ...\").");
  }
  return chain;
}

// The columns of a table as PostgreSQL has them: "name type [NOT NULL]", sorted by name
// (PostgreSQL adds a column at the end of its table, so a downgrade cannot restore its place).
std::vector<std::string> columns_of(orm::Session& session, const std::string& table) {
  std::vector<std::string> columns;
  for (const auto& column : lesson_check::columns_in(session, table)) {
    columns.push_back(column.name + " " + column.type + (column.nullable ? "" : " NOT NULL"));
  }
  std::sort(columns.begin(), columns.end());
  return columns;
}

// The four tables as PostgreSQL has them, with the foreign keys and unique rules of the new two.
struct Schema {
  std::vector<std::string> authors;
  std::vector<std::string> books;
  std::vector<std::string> genres;
  std::vector<std::string> book_genres;
  // "book_id -> books.id ON DELETE CASCADE", ..., sorted.
  std::vector<std::string> link_keys;
  bool genre_name_unique = false;
  bool link_pair_unique = false;

  bool operator==(const Schema& other) const {
    return authors == other.authors && books == other.books && genres == other.genres &&
           book_genres == other.book_genres && link_keys == other.link_keys &&
           genre_name_unique == other.genre_name_unique &&
           link_pair_unique == other.link_pair_unique;
  }
  bool has_genres() const { return !genres.empty() && !book_genres.empty(); }
  std::string text() const {
    std::string out;
    const std::pair<const char*, const std::vector<std::string>*> tables[] = {
        {"authors", &authors},
        {"books", &books},
        {"genres", &genres},
        {"book_genres", &book_genres}};
    for (const auto& [name, columns] : tables) {
      out += std::string("  ") + name + ":";
      if (columns->empty()) out += " (no such table)";
      for (const auto& column : *columns) out += "\n    " + column;
      out += "\n";
    }
    for (const auto& key : link_keys) out += "  book_genres." + key + "\n";
    if (!genres.empty()) {
      out += genre_name_unique ? "  genres.name is unique\n" : "  genres.name is not unique\n";
    }
    if (!book_genres.empty()) {
      out += link_pair_unique ? "  book_genres (book_id, genre_id) is unique\n"
                              : "  book_genres (book_id, genre_id) is not unique\n";
    }
    return out;
  }
};

// True when a unique constraint or index of `table` covers exactly `columns` (sorted, joined by
// ",").
bool unique_in_database(orm::Session& session, const std::string& table,
                        const std::string& columns) {
  return count_of(session,
                  "SELECT count(*) FROM pg_index i WHERE i.indrelid = to_regclass('" + table +
                      "') AND i.indisunique AND (SELECT string_agg(a.attname, ',' ORDER BY "
                      "a.attname) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND "
                      "a.attnum = ANY(i.indkey)) = '" +
                      columns + "'") > 0;
}

Schema schema_of(const orm::DatabaseUrl& url) {
  orm::Database db(url);
  orm::Session session(db);
  Schema schema;
  schema.authors = columns_of(session, "authors");
  schema.books = columns_of(session, "books");
  schema.genres = columns_of(session, "genres");
  schema.book_genres = columns_of(session, "book_genres");
  for (const auto& row : session.execute(
           "SELECT a.attname || ' -> ' || c.confrelid::regclass::text || '.' || ta.attname || "
           "' ON DELETE ' || CASE c.confdeltype WHEN 'n' THEN 'SET NULL' WHEN 'c' THEN 'CASCADE' "
           "WHEN 'r' THEN 'RESTRICT' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END "
           "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = "
           "c.conkey[1] JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = "
           "c.confkey[1] WHERE c.contype = 'f' AND c.conrelid = to_regclass('book_genres') "
           "ORDER BY 1")) {
    schema.link_keys.push_back(row[0].as<std::string>());
  }
  schema.genre_name_unique = unique_in_database(session, "genres", "name");
  schema.link_pair_unique = unique_in_database(session, "book_genres", "book_id,genre_id");
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

// The index of the first revision after which genres and book_genres exist, if any.
std::optional<std::size_t> genre_revision(const std::vector<Schema>& schemas) {
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    if (schemas[i].has_genres()) return i;
  }
  return std::nullopt;
}

// Step 5 made, applied, and every revision applies: the program on a database at head.
Program upgraded_database(const std::string& suffix) {
  require_models_registered();
  const Program program = on_empty_database(suffix);
  const auto chain = revisions();
  const auto& schemas = walk(chain);
  if (schemas.size() != chain.size() || !genre_revision(schemas)) {
    FAIL(
        "Not checked yet: your migrations do not build genres and book_genres on an empty "
        "database (see the check \"step 5: your revision creates genres and book_genres "
        "...\").");
  }
  if (program({"db", "upgrade"}).exit_code != 0) {
    FAIL(
        "Not checked yet: `./workbook run 06 db upgrade` fails on an empty database (see the "
        "check \"step 5: your revision creates genres and book_genres ...\").");
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

const char* const kGenresHeader = "Genres and their books:";
const char* const kBooksHeader = "Books and their genres:";

// A library with many genres or many books, and what the program printed on it (once per check
// process and shape; the step 7 checks read it).
struct Library {
  Program program;
  ProgramRun run;
  int genre_count = 0;
  int book_count = 0;
  std::vector<std::string> expected_genres;  // the lines after kGenresHeader
  std::vector<std::string> expected_books;   // the lines after kBooksHeader
  std::size_t questions = 0;                 // statements the program sent
};

// Genre g links to the books `books_of(g)`; filled in as the pattern in `library()` says.
Library make_library(const std::string& suffix, int genres, int books) {
  Library made{upgraded_database(suffix), {}, genres, books, {}, {}, 0};
  // The links: with many genres, genre g has a book unless g % 4 == 0 (then none), and a second
  // one when g % 5 == 1; the last book has no genre. With many books, the same from the books'
  // side: the last genre has no book.
  std::vector<std::vector<int>> genre_books(static_cast<std::size_t>(genres) + 1);
  std::vector<std::vector<int>> book_genres(static_cast<std::size_t>(books) + 1);
  auto link = [&](int genre, int book) {
    for (int known : genre_books[genre]) {
      if (known == book) return;
    }
    genre_books[genre].push_back(book);
    book_genres[book].push_back(genre);
  };
  if (genres >= books) {
    for (int g = 1; g <= genres; ++g) {
      if (g % 4 != 0) link(g, (g * 7) % (books - 1) + 1);
      if (g % 5 == 1) link(g, (g * 3) % (books - 1) + 1);
    }
  } else {
    for (int b = 1; b <= books; ++b) {
      if (b % 4 != 0) link((b * 7) % (genres - 1) + 1, b);
      if (b % 5 == 1) link((b * 3) % (genres - 1) + 1, b);
    }
  }
  {
    orm::Database db(made.program.database);
    orm::Session session(db);
    // An author, so that the program does not add the example authors and books.
    session.execute("INSERT INTO authors (name) VALUES ('Ursula K. Le Guin')");
    // One statement per table, not one round trip per row.
    session.execute(
        "INSERT INTO books (id, title, language, author_id) SELECT id, 'Book ' || id, 'en', "
        "(SELECT min(id) FROM authors) FROM generate_series(1, $1) AS id",
        books);
    session.execute(
        "INSERT INTO genres (id, name) SELECT id, 'Genre ' || id FROM generate_series(1, $1) AS id",
        genres);
    std::vector<int> link_books, link_genres;
    for (int g = 1; g <= genres; ++g) {
      for (int b : genre_books[g]) {
        link_books.push_back(b);
        link_genres.push_back(g);
      }
    }
    session.execute(
        "INSERT INTO book_genres (book_id, genre_id) SELECT * FROM unnest($1::int[], $2::int[])",
        lesson_check::array_of(link_books), lesson_check::array_of(link_genres));
    session.commit();
  }
  for (int g = 1; g <= genres; ++g) {
    std::sort(genre_books[g].begin(), genre_books[g].end());
    made.expected_genres.push_back("Genre " + std::to_string(g));
    if (genre_books[g].empty()) made.expected_genres.push_back("    (no books)");
    for (int b : genre_books[g]) made.expected_genres.push_back("    Book " + std::to_string(b));
  }
  for (int b = 1; b <= books; ++b) {
    std::sort(book_genres[b].begin(), book_genres[b].end());
    std::string line = "Book " + std::to_string(b) + ":";
    if (book_genres[b].empty()) line += " (no genres)";
    for (std::size_t k = 0; k < book_genres[b].size(); ++k) {
      line += (k == 0 ? " Genre " : ", Genre ") + std::to_string(book_genres[b][k]);
    }
    made.expected_books.push_back(line);
  }
  made.questions = lesson_check::statements_during("listing_" + suffix,
                                                   [&](const lesson_check::EnvChange& logging) {
                                                     made.run = made.program({}, {logging});
                                                   })
                       .size();
  return made;
}

// Many genres with few books each (`many_genres`), or many books with few genres each.
const Library& library(bool many_genres) {
  static std::optional<Library> genres_library;
  static std::optional<Library> books_library;
  std::optional<Library>& made = many_genres ? genres_library : books_library;
  if (!made) made = many_genres ? make_library("genres", 400, 12) : make_library("books", 12, 400);
  return *made;
}

// The library, after the program ran on it to its end. `step`: the check asking.
const Library& library_listed(bool many_genres, const std::string& step) {
  const Library& made = library(many_genres);
  const ProgramRun& run = made.run;
  if (run.not_done()) {
    const bool own = run.err.find("(" + step + ")") != std::string::npos;
    FAIL(lesson_check::not_finished(run, "hello_books", own));
  }
  if (run.exit_code != 0) {
    FAIL("`./workbook run 06` failed on a database with "
         << made.genre_count << " genres and " << made.book_count << " books.\n"
         << run.describe() << fix("main.cpp", step));
  }
  return made;
}

std::vector<std::string> genre_names_in(orm::Session& session) {
  std::vector<std::string> names;
  for (const auto& row : session.execute("SELECT name FROM genres ORDER BY id")) {
    names.push_back(row[0].as<std::string>());
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Your turn: genre_counts and remove_genre of models/genre_queries.hpp, which lesson06_model.cpp
// calls.

// Your turn waits for the models (steps 1 to 3): its checks make their tables from them.
void require_models_for_your_turn() {
  if (!genre_problem().empty() || !link_problem().empty() || !pair_unique()) {
    FAIL(
        "Not checked yet: Genre and BookGenre are not finished (steps 1 to 3; see their "
        "checks).");
  }
}

// Genres with names (inserted in this order) and links ("<genre>: <title>") for the Your turn
// checks, on tables made from the models.
orm::DatabaseUrl library_for_your_turn(const std::string& suffix,
                                       const std::vector<std::string>& genres,
                                       const std::vector<std::string>& titles,
                                       const std::vector<std::pair<int, int>>& links) {
  const orm::DatabaseUrl url = tables_from_models(suffix);
  orm::Database db(url);
  orm::Session session(db);
  session.execute(
      "INSERT INTO genres (id, name) SELECT id, name FROM unnest($1::text[]) WITH ORDINALITY AS "
      "given(name, id)",
      lesson_check::array_of(genres));
  session.execute(
      "INSERT INTO books (id, title, language) SELECT id, title, 'en' FROM unnest($1::text[]) "
      "WITH ORDINALITY AS given(title, id)",
      lesson_check::array_of(titles));
  std::vector<int> link_genres, link_books;
  for (const auto& [genre, book] : links) {
    link_genres.push_back(genre);
    link_books.push_back(book);
  }
  session.execute(
      "INSERT INTO book_genres (genre_id, book_id) SELECT * FROM unnest($1::int[], $2::int[])",
      lesson_check::array_of(link_genres), lesson_check::array_of(link_books));
  session.commit();
  return url;
}

void check_genre_counts() {
  require_models_for_your_turn();
  // Inserted in another order than the expected one; Kindred has two genres, Horror and
  // Poetry none, Fantasy and Science fiction as many books.
  const orm::DatabaseUrl url = library_for_your_turn(
      "counts", {"Science fiction", "Poetry", "Mystery", "Horror", "Fantasy", "Historical fiction"},
      {"A Wizard of Earthsea", "The Dispossessed", "Kindred", "Gaudy Night", "The Big Sleep",
       "The Moonstone", "Dune"},
      {{5, 1}, {5, 3}, {1, 2}, {1, 7}, {6, 3}, {3, 4}, {3, 5}, {3, 6}});
  orm::Database db(url);
  orm::Session session(db);
  const std::vector<std::string> lines = genre_count_lines(session);
  const std::vector<std::string> expected = {"Mystery: 3",         "Fantasy: 2",
                                             "Science fiction: 2", "Historical fiction: 1",
                                             "Horror: 0",          "Poetry: 0"};
  // A genre without books counted as 1: count(*) counts the row a LEFT JOIN makes for it.
  const bool counted_empty_genre =
      std::find(lines.begin(), lines.end(), "Horror: 1") != lines.end() ||
      std::find(lines.begin(), lines.end(), "Poetry: 1") != lines.end();
  if (lines != expected) {
    FAIL(
        "With six genres (stored in the order Science fiction, Poetry, Mystery, Horror, "
        "Fantasy, Historical fiction) and seven books, genre_counts(session) must give (genre: "
        "number of books):\n"
        << listed(expected) << "It gave:\n"
        << listed(lines)
        << (lines.size() < expected.size()
                ? "Every genre belongs in the list, also those that no book has: they count "
                  "0 (a join that keeps only the genres with links leaves them out). "
                : "")
        << (counted_empty_genre
                ? "Horror and Poetry have no book, yet they count 1: count(*) counts rows, and a "
                  "LEFT JOIN gives a genre without links one row, with NULL in the link's "
                  "columns. Count one of those columns instead: count(column) skips NULLs. "
                : "")
        << "The most books first; genres with as many books by name. "
        << fix("models/genre_queries.hpp", "Your turn"));
  }
}

void check_genre_counts_questions() {
  require_models_for_your_turn();
  const int genres = 300;
  std::vector<std::string> names;
  std::vector<std::pair<int, int>> links;
  for (int g = 1; g <= genres; ++g) {
    names.push_back("Genre " + std::to_string(1000 + g));
    if (g % 3 != 0) links.emplace_back(g, 1);
    if (g % 3 == 1) links.emplace_back(g, 2);
  }
  const orm::DatabaseUrl url =
      library_for_your_turn("questions", names, {"Book 1", "Book 2"}, links);
  std::size_t listed_genres = 0;
  const std::size_t asked =
      lesson_check::statements_during("genre_counts", [&](const lesson_check::EnvChange&) {
        orm::Database db(url);
        orm::Session session(db);
        listed_genres = genre_count_lines(session).size();
      }).size();
  if (listed_genres != static_cast<std::size_t>(genres)) {
    FAIL("Not checked yet: with " << genres << " genres genre_counts(session) gave "
                                  << listed_genres
                                  << " lines (see the check \"your turn: genre_counts lists "
                                     "every genre ...\").");
  }
  if (asked > static_cast<std::size_t>(genres / 10)) {
    FAIL("genre_counts(session) asked the database "
         << asked << " times for " << genres
         << " genres: about once per genre, the N+1 problem of the lesson text. Ask for the "
            "books of all the genres together (or let the database count them), whatever the "
            "number of genres. "
         << fix("models/genre_queries.hpp", "Your turn"));
  }
}

void check_remove_genre() {
  require_models_for_your_turn();
  // Books 1 A Wizard of Earthsea, 2 Kindred; genres 1 Fantasy, 2 Historical fiction, 3 Poetry.
  const orm::DatabaseUrl url =
      library_for_your_turn("remove", {"Fantasy", "Historical fiction", "Poetry"},
                            {"A Wizard of Earthsea", "Kindred"}, {{1, 1}, {1, 2}, {2, 2}});
  const int earthsea = 1, kindred = 2, fantasy = 1, poetry = 3;
  orm::Database db(url);
  orm::Session session(db);
  const std::vector<std::string> before = links_in(session);
  // Like session.append, it leaves the commit to its caller: a rollback undoes it.
  remove_genre_between(session, kindred, fantasy);
  session.rollback();
  if (links_in(session) != before) {
    FAIL(
        "After remove_genre(session, Kindred, Fantasy) and then session.rollback(), the "
        "links must be as before:\n"
        << listed(before) << "but they are:\n"
        << listed(links_in(session))
        << "remove_genre must leave the commit to its caller, like session.append. (SQL "
           "sent with session.execute while no transaction is open runs on its own and is "
           "permanent at once.) "
        << fix("models/genre_queries.hpp", "Your turn"));
  }
  const bool removed = remove_genre_between(session, kindred, fantasy);
  session.commit();
  const std::vector<std::string> after = links_in(session);
  const std::vector<std::string> expected = {"Fantasy: A Wizard of Earthsea",
                                             "Historical fiction: Kindred"};
  const int books = count_of(session, "SELECT count(*) FROM books");
  const int genre_count = count_of(session, "SELECT count(*) FROM genres");
  if (!removed || after != expected || books != 2 || genre_count != 3) {
    FAIL("The links were (genre: book):\n"
         << listed(before)
         << "After remove_genre(session, Kindred, Fantasy) and a commit, they must be:\n"
         << listed(expected) << "with both books and all three genres (Fantasy, Historical "
         << "fiction, Poetry) still stored, and it "
         << "must return true. It returned " << (removed ? "true" : "false") << "; the links are:\n"
         << listed(after) << "and there are " << books << " books and " << genre_count
         << " genres. Only the link between Kindred and Fantasy goes: it is one row of "
            "book_genres. "
         << fix("models/genre_queries.hpp", "Your turn"));
  }
  const bool again = remove_genre_between(session, kindred, fantasy);
  const bool never = remove_genre_between(session, earthsea, poetry);
  session.commit();
  if (again || never || links_in(session) != expected) {
    FAIL(
        "remove_genre(session, book, genre) for a book that does not have that genre must "
        "change nothing and return false. Kindred (no longer Fantasy) gave "
        << (again ? "true" : "false") << ", A Wizard of Earthsea with Poetry gave "
        << (never ? "true" : "false") << "; the links are now:\n"
        << listed(links_in(session)) << fix("models/genre_queries.hpp", "Your turn"));
  }
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson06]") {
  lesson_check::require_server();
}

TEST_CASE("step 1: Genre is stored in genres, with an id and a name no two genres share",
          "[lesson06]") {
  const std::string problem = genre_problem();
  if (!problem.empty()) FAIL(problem << ". " << fix("models/genre.hpp", "step 1"));
  // The rule, on a table made from the model.
  const orm::DatabaseUrl url = tables_from_models("genre", false);
  orm::Database db(url);
  orm::Session session(db);
  const std::string first = sqlstate_of(session, "INSERT INTO genres (name) VALUES ('Fantasy')");
  const std::string second = sqlstate_of(session, "INSERT INTO genres (name) VALUES ('Fantasy')");
  const std::string other = sqlstate_of(session, "INSERT INTO genres (name) VALUES ('Poetry')");
  if (!first.empty() || second != "23505" || !other.empty()) {
    FAIL(
        "On a table genres made from your model, storing Fantasy must work, a second Fantasy "
        "must be refused (unique_violation, SQLSTATE 23505), and Poetry must work. They gave: "
        << (first.empty() ? "ok" : first) << ", " << (second.empty() ? "ok" : second) << ", "
        << (other.empty() ? "ok" : other) << ". " << fix("models/genre.hpp", "step 1"));
  }
}

TEST_CASE(
    "step 2: book_genres links a book to a genre; deleting either deletes its links, never the "
    "other side",
    "[lesson06]") {
  require_genre();
  const std::string problem = link_problem();
  if (!problem.empty()) FAIL(problem << ". " << fix("models/book_genre.hpp", "step 2"));
  // The rules, on tables made from the models, with links that share neither their book nor
  // their genre (the rule of step 3 is not this check's business).
  const orm::DatabaseUrl url = tables_from_models("link");
  orm::Database db(url);
  orm::Session session(db);
  session.execute(
      "INSERT INTO books (id, title, language) VALUES (1, 'A Wizard of Earthsea', 'en'), "
      "(2, 'Kindred', 'en')");
  session.execute("INSERT INTO genres (id, name) VALUES (1, 'Fantasy'), (2, 'Historical fiction')");
  session.execute("INSERT INTO book_genres (book_id, genre_id) VALUES (1, 1), (2, 2)");
  session.commit();
  const std::string dangling =
      sqlstate_of(session, "INSERT INTO book_genres (book_id, genre_id) VALUES (3, 1)");
  if (dangling != "23503") {
    FAIL(
        "A link to the book 3, which does not exist, must be refused (foreign_key_violation, "
        "SQLSTATE 23503); it gave "
        << (dangling.empty() ? "no error" : dangling) << ". "
        << fix("models/book_genre.hpp", "step 2"));
  }
  const std::string book_deleted = sqlstate_of(session, "DELETE FROM books WHERE id = 1");
  const int genres_left = count_of(session, "SELECT count(*) FROM genres");
  const std::vector<std::string> links_left = links_in(session);
  const std::vector<std::string> expected_links = {"Historical fiction: Kindred"};
  if (!book_deleted.empty() || genres_left != 2 || links_left != expected_links) {
    FAIL(
        "With the links Fantasy: A Wizard of Earthsea and Historical fiction: Kindred, deleting "
        "the book A Wizard of Earthsea must delete its link and keep both genres. The DELETE "
        "gave "
        << (book_deleted.empty() ? "no error" : "the error " + book_deleted) << "; there are "
        << genres_left << " genres and the links (genre: book):\n"
        << listed(links_left) << fix("models/book_genre.hpp", "step 2"));
  }
  const std::string genre_deleted =
      sqlstate_of(session, "DELETE FROM genres WHERE name = 'Historical fiction'");
  const int books_left = count_of(session, "SELECT count(*) FROM books");
  const std::vector<std::string> after_genre = links_in(session);
  if (!genre_deleted.empty() || books_left != 1 || !after_genre.empty()) {
    FAIL(
        "Deleting the genre Historical fiction must delete its link to Kindred and keep the "
        "book. The DELETE gave "
        << (genre_deleted.empty() ? "no error" : "the error " + genre_deleted) << "; there are "
        << books_left << " books and the links:\n"
        << listed(after_genre) << fix("models/book_genre.hpp", "step 2"));
  }
}

TEST_CASE("step 3: a book cannot have the same genre twice", "[lesson06]") {
  require_link();
  if (!pair_unique()) {
    const std::string alone = link_column_unique_alone();
    if (!alone.empty()) {
      FAIL("BookGenre makes " << alone << " unique on its own: then a "
                              << (alone == "book_id" ? "book could have only one genre"
                                                     : "genre could have only one book")
                              << ". What must be unique is the pair (book_id, genre_id), not each "
                                 "column alone (a book has several genres, a genre several "
                                 "books). "
                              << fix("models/book_genre.hpp", "step 3"));
    }
    FAIL(
        "Nothing in BookGenre stops a second link between the same book and the same genre: "
        "the pair (book_id, genre_id) must be unique, not each column alone (a book has several "
        "genres, a genre several books). "
        << fix("models/book_genre.hpp", "step 3"));
  }
  const orm::DatabaseUrl url = tables_from_models("pair");
  orm::Database db(url);
  orm::Session session(db);
  session.execute(
      "INSERT INTO books (id, title, language) VALUES (1, 'Kindred', 'en'), (2, 'Dune', 'en')");
  session.execute("INSERT INTO genres (id, name) VALUES (1, 'Fantasy'), (2, 'Science fiction')");
  session.commit();
  const std::string first =
      sqlstate_of(session, "INSERT INTO book_genres (book_id, genre_id) VALUES (1, 1)");
  const std::string twice =
      sqlstate_of(session, "INSERT INTO book_genres (book_id, genre_id) VALUES (1, 1)");
  const std::string same_book =
      sqlstate_of(session, "INSERT INTO book_genres (book_id, genre_id) VALUES (1, 2)");
  const std::string same_genre =
      sqlstate_of(session, "INSERT INTO book_genres (book_id, genre_id) VALUES (2, 1)");
  auto said = [](const std::string& state) { return state.empty() ? std::string("ok") : state; };
  if (!first.empty() || twice != "23505" || !same_book.empty() || !same_genre.empty()) {
    FAIL(
        "On tables made from your models: Kindred as Fantasy must work, Kindred as Fantasy a "
        "second time must be refused (SQLSTATE 23505), Kindred as Science fiction and Dune as "
        "Fantasy must work. They gave: "
        << said(first) << ", " << said(twice) << ", " << said(same_book) << ", " << said(same_genre)
        << ". " << fix("models/book_genre.hpp", "step 3"));
  }
}

TEST_CASE("step 4: create_app() registers Genre and BookGenre", "[lesson06]") {
  require_link();  // not step 3: registering does not need the unique pair
  const lesson_check::Registration found =
      lesson_check::app_registration({"authors", "books", "genres", "book_genres"});
  if (!found.error.empty()) {
    FAIL("create_app(orm::TestConfig{}) threw:\n    " << found.error << "\n"
                                                      << fix("app/app.cpp", "step 4"));
  }
  if (!found.missing.empty()) {
    FAIL("The app made by create_app() must know every model: its metadata has no table "
         << found.missing.front() << ", so db migrate would not see it. "
         << fix("app/app.cpp", "step 4"));
  }
}

TEST_CASE("step 5: your revision creates genres and book_genres, its downgrade drops them",
          "[lesson06]") {
  require_models_registered();
  const Program program = on_empty_database("genres");
  const auto chain = revisions(true);
  const auto& schemas = walk(chain);
  if (schemas.size() != chain.size()) {
    require_success(program, {"db", "upgrade", chain[schemas.size()].id},
                    "on an empty database, at revision " + chain[schemas.size()].id + " (" +
                        chain[schemas.size()].path.filename().string() + ")",
                    "step 5");
  }
  const auto made_at = genre_revision(schemas);
  if (!made_at) {
    FAIL(
        "No revision after lesson 05's creates the tables genres and book_genres. After all "
        "your revisions the tables are:\n"
        << schemas.back().text()
        << "Make the revision from your models (./workbook run 06 db migrate -m \"adds Genre "
           "model\"; step 5), read it, apply it (./workbook run 06 db upgrade). If db migrate "
           "found no change, check steps 1 to 4 first. Then run "
        << rerun());
  }
  const Schema& made = schemas[*made_at];
  const std::vector<std::string> keys = {"book_id -> books.id ON DELETE CASCADE",
                                         "genre_id -> genres.id ON DELETE CASCADE"};
  if (made.link_keys != keys || !made.genre_name_unique || !made.link_pair_unique) {
    FAIL("In your revision " << chain[*made_at].id
                             << " genres.name must be unique, book_genres.book_id and genre_id "
                                "must refer to books.id and genres.id ON DELETE CASCADE, and "
                                "the pair (book_id, genre_id) must be unique, as the models say. "
                                "It gives:\n"
                             << made.text()
                             << "Was the revision made before the models were finished? Delete "
                                "it (./workbook run 06 db downgrade first if you applied it), "
                                "then make it again (step 5). Then run "
                             << rerun());
  }
  // The downgrade drops what the upgrade made, and leaves lesson 05's tables as they were.
  require_success(program, {"db", "upgrade", chain[*made_at].id}, "on an empty database", "step 5");
  const std::string& previous = chain[*made_at - 1].id;
  require_success(program, {"db", "downgrade", previous},
                  "from " + chain[*made_at].id + " back to " + previous, "step 5");
  const Schema down = schema_of(program.database);
  if (!(down == schemas[*made_at - 1])) {
    FAIL("Downgrading " << chain[*made_at].id << " must give back the tables of " << previous
                        << ":\n"
                        << schemas[*made_at - 1].text() << "It leaves:\n"
                        << down.text()
                        << "The downgrade section must undo the upgrade, in reverse order. "
                        << fix("migrations/versions/ (the revision " + chain[*made_at].id + ")",
                               "step 5"));
  }
  require_success(program, {"db", "upgrade", chain[*made_at].id}, "after its downgrade", "step 5");
}

TEST_CASE("step 5: after db upgrade on an empty database, db check finds nothing to migrate",
          "[lesson06]") {
  require_models_registered();
  const Program program = on_empty_database("check");
  revisions();
  require_success(program, {"db", "upgrade"}, "on an empty database", "step 5");
  const ProgramRun check = program({"db", "check"});
  if (check.exit_code != 0) {
    FAIL(
        "After `./workbook run 06 db upgrade` on an empty database, the tables differ from your "
        "models (db check's findings below). Either a model changed after your newest revision "
        "(make a revision for the change), or a revision builds something other than the "
        "models say: make or fix the revision in " LESSON_PATH "/migrations/versions. Then run "
        << rerun() << "\n"
        << check.describe());
  }
}

TEST_CASE("step 6: hello_books stores the example genres and links them to their books",
          "[lesson06]") {
  const Program program = upgraded_database("examples");
  const ProgramRun run = program({});
  if (run.not_done() && run.err.find("(step 6)") != std::string::npos) {
    FAIL(lesson_check::not_finished(run, "hello_books", true));
  }
  const auto lines = run.out_lines();
  if (lines.size() < 2 || lines[0] != "Added 2 authors and 3 books." ||
      lines[1] != "Added 4 genres and 4 links.") {
    FAIL(
        "`./workbook run 06` on an empty database must first add the example authors with their "
        "books (that part comes from lesson 05), then the example genres with their links, and "
        "say:\n    Added 2 authors and 3 books.\n    Added 4 genres and 4 links.\n"
        << run.describe() << fix("main.cpp", "step 6"));
  }
  orm::Database db(program.database);
  orm::Session session(db);
  const std::vector<std::string> genres = {"Fantasy", "Science fiction", "Historical fiction",
                                           "Poetry"};
  const std::vector<std::string> links = {"Fantasy: A Wizard of Earthsea", "Fantasy: Kindred",
                                          "Science fiction: The Dispossessed",
                                          "Historical fiction: Kindred"};
  const auto stored_genres = genre_names_in(session);
  const auto stored_links = links_in(session);
  if (stored_genres != genres || stored_links != links) {
    FAIL(
        "After `./workbook run 06` the table genres must hold the four example genres, in "
        "this order:\n"
        << listed(genres) << "and book_genres these links (genre: book):\n"
        << listed(links) << "They hold the genres:\n"
        << listed(stored_genres) << "and the links:\n"
        << listed(stored_links)
        << "Store every genre, also the one without books, and link each genre to its books "
           "through the relationship. "
        << fix("main.cpp", "step 6"));
  }
  const ProgramRun again = program({});
  if (again.out.find("Added 4 genres") != std::string::npos || genre_names_in(session) != genres ||
      links_in(session) != links) {
    FAIL(
        "The second `./workbook run 06` must not add the genres again: there are genres "
        "already. It printed:\n"
        << again.describe() << "and the links are now:\n"
        << listed(links_in(session)) << fix("main.cpp", "step 6"));
  }
}

TEST_CASE("step 7: hello_books lists every genre with its books, in one query for all",
          "[lesson06]") {
  const Library& made = library_listed(true, "step 7");
  const auto printed = section(made.run.out, kGenresHeader, kBooksHeader);
  const std::string difference = first_difference(made.expected_genres, printed);
  if (!difference.empty()) {
    FAIL("With " << made.genre_count << " genres and " << made.book_count
                 << " books, the lines after " << kGenresHeader
                 << " must list every genre in id order by its name, each followed by the "
                    "titles of its books (four spaces in front, in id order), or by "
                    "\"    (no books)\". "
                 << difference << fix("main.cpp", "step 7"));
  }
  if (made.questions > static_cast<std::size_t>(made.genre_count / 10)) {
    FAIL("Your program asked the database "
         << made.questions << " times to list " << made.genre_count
         << " genres with their books: about once per genre. That is the N+1 problem (1 query "
            "for the genres, then N more, one for each genre's books): with many genres it is "
            "slow. Load the books of all the genres together, in one query. "
         << fix("main.cpp", "step 7"));
  }
}

TEST_CASE("step 7: hello_books lists every book with its genres, in one query for all",
          "[lesson06]") {
  const Library& made = library_listed(false, "step 7");
  const auto printed = section(made.run.out, kBooksHeader, "");
  const std::string difference = first_difference(made.expected_books, printed);
  if (!difference.empty()) {
    FAIL("With " << made.book_count << " books and " << made.genre_count
                 << " genres, the lines after " << kBooksHeader
                 << " must list every book in id order: \"<title>: <its genres' names, in id "
                    "order, separated by \", \">\", or \"<title>: (no genres)\". "
                 << difference << fix("main.cpp", "step 7"));
  }
  if (made.questions > static_cast<std::size_t>(made.book_count / 10)) {
    FAIL("Your program asked the database "
         << made.questions << " times to list " << made.book_count
         << " books with their genres: about once per book, the N+1 problem again. Load the "
            "genres of all the books together, in one query. "
         << fix("main.cpp", "step 7"));
  }
}

TEST_CASE("your turn: genre_counts lists every genre with the number of its books, most first",
          "[lesson06]") {
  check_genre_counts();
}

TEST_CASE("your turn: genre_counts asks the same few questions for 6 genres or 300", "[lesson06]") {
  check_genre_counts_questions();
}

TEST_CASE("your turn: remove_genre takes one genre from one book, and nothing else", "[lesson06]") {
  check_remove_genre();
}

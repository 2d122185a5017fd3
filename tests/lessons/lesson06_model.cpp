// Do not change this file: it is part of lesson 06's checks (see lesson06_model.hpp).
#include "lesson06_model.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lesson_check.hpp"
#include "model_traits.hpp"
#include "models/author.hpp"
#include "models/book.hpp"
#include "models/book_genre.hpp"
#include "models/genre.hpp"
#include "models/genre_queries.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using lesson_check::column_rule;
using lesson_check::fix;
using lesson_check::has_fields;
using lesson_check::has_table;

// ---------------------------------------------------------------------------------------------
// Helpers both parts of the checks use.

int count_of(orm::Session& session, const std::string& sql) {
  return session.execute(sql)[0][0].as<int>();
}

std::string indented(const std::vector<std::string>& lines, std::size_t from, std::size_t count) {
  std::string text;
  for (std::size_t i = from; i < lines.size() && i < from + count; ++i) {
    text += "    " + lines[i] + "\n";
  }
  return text.empty() ? "    (nothing)\n" : text;
}

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
// The models: whatever models/genre.hpp and models/book_genre.hpp hold so far. Each check is a
// template whose parameters default to the models, so that a model not written yet is a
// message, not a compile error.

namespace {

// True when M names its table and lists its columns: the library can read its declaration.
template <class M>
constexpr bool declared_v = has_table<M>::value&& has_fields<M>::value;

// What keeps the library from reading model M (called `name`), or "".
template <class M>
std::string declaration_problem(const std::string& name) {
  if constexpr (!has_table<M>::value) {
    return name + " has no table name yet";
  } else if constexpr (!has_fields<M>::value) {
    return name + " has no fields() yet";
  } else {
    try {
      orm::table_info<M>();
    } catch (const std::exception& e) {
      return name + "'s declaration is not valid: " + e.what();
    }
    return {};
  }
}

// True when `table` makes the columns `columns` (in any order) unique together: a unique
// column (one column), a unique constraint or a unique index.
bool unique_over(const orm::TableInfo& table, std::set<std::string> columns) {
  if (columns.size() == 1) {
    const orm::ColumnInfo* column = table.find(*columns.begin());
    if (column != nullptr && (column->unique || column->primary_key)) return true;
  }
  for (const auto& constraint : table.unique_constraints) {
    if (std::set<std::string>(constraint.columns.begin(), constraint.columns.end()) == columns) {
      return true;
    }
  }
  for (const auto& index : table.indexes) {
    if (index.unique &&
        std::set<std::string>(index.columns.begin(), index.columns.end()) == columns) {
      return true;
    }
  }
  return false;
}

// The first thing wrong with the Genre model (step 1), or "".
template <class G = Genre>
std::string genre_problem_of() {
  std::string problem = declaration_problem<G>("Genre");
  if (!problem.empty()) return problem;
  if constexpr (declared_v<G>) {
    const orm::TableInfo& table = orm::table_info<G>();
    std::string names;
    for (const auto& column : table.columns) names += " " + column.name;
    if (table.name != "genres") problem += "  the table is \"" + table.name + "\";\n";
    if (names != " id name") problem += "  the columns are" + names + ";\n";
    if (problem.empty()) {
      problem += column_rule(table.find("id"), "id", "integer", false, true) +
                 column_rule(table.find("name"), "name", "text", false, false);
    }
    if (!problem.empty()) {
      return "Expected the table genres with id (integer primary key numbered by the database) "
             "and name (text NOT NULL), in this order. Instead:\n" +
             problem;
    }
    if (!unique_over(table, {"name"})) {
      return "genres.name is not unique yet: nothing stops a second genre called Fantasy. "
             "Declare the column unique, so that the database refuses a second one";
    }
  }
  return {};
}

const orm::ForeignKeyInfo* foreign_key_of(const orm::TableInfo& table, const std::string& column) {
  for (const auto& key : table.foreign_keys) {
    if (key.column == column) return &key;
  }
  return nullptr;
}

// What is wrong with the foreign key of book_genres.`column`, which must refer to
// `target`.id (`side`: "book" or "genre"), or "".
std::string link_key_problem(const orm::TableInfo& table, const std::string& column,
                             const std::string& target, const std::string& side) {
  const orm::ForeignKeyInfo* key = foreign_key_of(table, column);
  if (key == nullptr) {
    return "book_genres." + column + " is not a foreign key yet: nothing stops it from holding " +
           "an id that no " + side + " has. Declare it as referring to the primary key of " +
           target;
  }
  if (key->target_table != target || key->target_column != "id") {
    return "book_genres." + column + " refers to " + key->target_table + "." + key->target_column +
           "; it must refer to " + target + ".id";
  }
  switch (key->on_delete) {
    case orm::OnDelete::cascade:
      return {};
    case orm::OnDelete::set_null:
      return "book_genres." + column + " is ON DELETE SET NULL: deleting a " + side +
             " would leave links to nothing (and a link always has both keys). The links of a "
             "deleted " +
             side + " must go with it";
    case orm::OnDelete::no_action:
    case orm::OnDelete::restrict:
      break;
  }
  return "book_genres." + column + " has no ON DELETE rule (or RESTRICT): deleting a " + side +
         " that has links would be refused with an error. The " + side +
         " must go, and its links with it";
}

// The first thing wrong with the BookGenre model's columns and keys (step 2), or "".
template <class L = BookGenre>
std::string link_problem_of() {
  std::string problem = declaration_problem<L>("BookGenre");
  if (!problem.empty()) return problem;
  if constexpr (declared_v<L>) {
    const orm::TableInfo& table = orm::table_info<L>();
    if (table.name != "book_genres") problem += "  the table is \"" + table.name + "\";\n";
    problem += column_rule(table.find("book_id"), "book_id", "integer", false, false) +
               column_rule(table.find("genre_id"), "genre_id", "integer", false, false);
    const orm::ColumnInfo& key = table.primary_key();
    if (key.name != "book_id" && key.name != "genre_id" && !key.autoincrement) {
      problem += "  " + key.name + ", the primary key, must be an integer numbered by the " +
                 "database;\n";
    }
    if (!problem.empty()) {
      return "Expected the table book_genres with a key of its own numbered by the database, "
             "book_id and genre_id (integers, NOT NULL: a link always has both). Instead:\n" +
             problem;
    }
    problem = link_key_problem(table, "book_id", "books", "book");
    if (problem.empty()) problem = link_key_problem(table, "genre_id", "genres", "genre");
  }
  return problem;
}

template <class L = BookGenre>
bool pair_unique_of() {
  if constexpr (declared_v<L>) {
    return unique_over(orm::table_info<L>(), {"book_id", "genre_id"});
  } else {
    return false;
  }
}

// A fresh, empty database of this check with tables made from the models (Author, Book and, when
// declared, Genre and BookGenre), like create_all.
template <class G = Genre, class L = BookGenre>
orm::DatabaseUrl tables_from_models_of(const std::string& suffix, bool with_links) {
  lesson_check::require_server();
  const orm::DatabaseUrl url = testing_support::scratch_database(suffix);
  orm::Metadata metadata;
  metadata.add<Author>().add<Book>();
  if constexpr (declared_v<G>) metadata.add<G>();
  if constexpr (declared_v<L>) {
    if (with_links) metadata.add<L>();
  }
  orm::Database db(url);
  orm::create_all(db, metadata);
  return url;
}

// "book_id" or "genre_id" when the link model makes that column unique on its own, else "".
template <class L = BookGenre>
std::string link_column_unique_alone_of() {
  if constexpr (declared_v<L>) {
    for (const char* column : {"book_id", "genre_id"}) {
      if (unique_over(orm::table_info<L>(), {column})) return column;
    }
  }
  return {};
}

}  // namespace

std::string genre_problem() {
  return genre_problem_of();
}

std::string link_column_unique_alone() {
  return link_column_unique_alone_of();
}

std::string link_problem() {
  return link_problem_of();
}

bool pair_unique() {
  return pair_unique_of();
}

orm::DatabaseUrl tables_from_models(const std::string& suffix, bool with_links) {
  return tables_from_models_of(suffix, with_links);
}

// ---------------------------------------------------------------------------------------------
// Your turn: genre_counts(session) and remove_genre(session, book, genre) when
// models/genre_queries.hpp declares them, else NotWritten. The two are found together (the
// using-directive puts the fallbacks in the global namespace), and the student's function, not a
// template, wins.
namespace genre_queries_fallback {
struct NotWritten {};
template <class Session>
NotWritten genre_counts(Session&) {
  return {};
}
template <class Session, class B, class G>
NotWritten remove_genre(Session&, const B&, const G&) {
  return {};
}
}  // namespace genre_queries_fallback
using namespace genre_queries_fallback;

namespace {

template <class Session>
auto counts_from(Session& session) {
  return genre_counts(session);
}

template <class Session, class B, class G>
auto remove_from(Session& session, B& book, G& genre) {
  return remove_genre(session, book, genre);
}

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

// genre_counts(session) as lines "<genre>: <books>", or a message when it is not written yet or
// returns something else than std::vector<GenreCount>.
template <class Session>
std::vector<std::string> counted(Session& session) {
  using Result = decltype(counts_from(session));
  if constexpr (std::is_same_v<Result, NotWritten>) {
    FAIL("models/genre_queries.hpp has no function genre_counts(orm::Session&) yet. "
         << fix("models/genre_queries.hpp", "Your turn"));
  } else if constexpr (!std::is_same_v<Result, std::vector<GenreCount>>) {
    FAIL(
        "genre_counts(session) must return a std::vector<GenreCount> (GenreCount is declared "
        "in models/genre_queries.hpp). "
        << fix("models/genre_queries.hpp", "Your turn"));
  } else {
    std::vector<std::string> lines;
    for (const GenreCount& count : counts_from(session)) {
      lines.push_back(count.genre + ": " + std::to_string(count.books));
    }
    return lines;
  }
  return {};
}

template <class G = Genre, class L = BookGenre>
void check_genre_counts_of() {
  require_models_for_your_turn();
  if constexpr (declared_v<G> && declared_v<L>) {
    // Inserted in another order than the expected one; Kindred has two genres, Horror and
    // Poetry none, Fantasy and Science fiction as many books.
    const orm::DatabaseUrl url = library_for_your_turn(
        "counts",
        {"Science fiction", "Poetry", "Mystery", "Horror", "Fantasy", "Historical fiction"},
        {"A Wizard of Earthsea", "The Dispossessed", "Kindred", "Gaudy Night", "The Big Sleep",
         "The Moonstone", "Dune"},
        {{5, 1}, {5, 3}, {1, 2}, {1, 7}, {6, 3}, {3, 4}, {3, 5}, {3, 6}});
    orm::Database db(url);
    orm::Session session(db);
    const std::vector<std::string> lines = counted(session);
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
}

template <class G = Genre, class L = BookGenre>
void check_genre_counts_questions_of() {
  require_models_for_your_turn();
  if constexpr (declared_v<G> && declared_v<L>) {
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
          listed_genres = counted(session).size();
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
}

template <class G = Genre, class L = BookGenre>
void check_remove_genre_of() {
  require_models_for_your_turn();
  if constexpr (declared_v<G> && declared_v<L>) {
    const orm::DatabaseUrl url =
        library_for_your_turn("remove", {"Fantasy", "Historical fiction", "Poetry"},
                              {"A Wizard of Earthsea", "Kindred"}, {{1, 1}, {1, 2}, {2, 2}});
    orm::Database db(url);
    orm::Session session(db);
    std::optional<Book> earthsea = session.get<Book>(1);
    std::optional<Book> kindred = session.get<Book>(2);
    std::optional<G> fantasy = session.get<G>(1);
    std::optional<G> poetry = session.get<G>(3);
    using Result = decltype(remove_from(session, *kindred, *fantasy));
    if constexpr (std::is_same_v<Result, NotWritten>) {
      FAIL(
          "models/genre_queries.hpp has no function remove_genre(orm::Session&, const Book&, "
          "const Genre&) yet. "
          << fix("models/genre_queries.hpp", "Your turn"));
    } else if constexpr (!std::is_convertible_v<Result, bool>) {
      FAIL(
          "remove_genre(session, book, genre) must return a bool: true when the book had the "
          "genre. "
          << fix("models/genre_queries.hpp", "Your turn"));
    } else {
      const std::vector<std::string> before = links_in(session);
      // Like session.append, it leaves the commit to its caller: a rollback undoes it.
      remove_from(session, *kindred, *fantasy);
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
      const bool removed = remove_from(session, *kindred, *fantasy);
      session.commit();
      const std::vector<std::string> after = links_in(session);
      const std::vector<std::string> expected = {"Fantasy: A Wizard of Earthsea",
                                                 "Historical fiction: Kindred"};
      const int books = count_of(session, "SELECT count(*) FROM books");
      const int genres = count_of(session, "SELECT count(*) FROM genres");
      if (!removed || after != expected || books != 2 || genres != 3) {
        FAIL("The links were (genre: book):\n"
             << listed(before)
             << "After remove_genre(session, Kindred, Fantasy) and a commit, they must be:\n"
             << listed(expected) << "with both books and all three genres (Fantasy, Historical "
             << "fiction, Poetry) still stored, and it "
             << "must return true. It returned " << (removed ? "true" : "false")
             << "; the links are:\n"
             << listed(after) << "and there are " << books << " books and " << genres
             << " genres. Only the link between Kindred and Fantasy goes: it is one row of "
                "book_genres. "
             << fix("models/genre_queries.hpp", "Your turn"));
      }
      const bool again = remove_from(session, *kindred, *fantasy);
      const bool never = remove_from(session, *earthsea, *poetry);
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
  }
}

}  // namespace

void check_genre_counts() {
  check_genre_counts_of();
}

void check_genre_counts_questions() {
  check_genre_counts_questions_of();
}

void check_remove_genre() {
  check_remove_genre_of();
}

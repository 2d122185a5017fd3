// Do not change this file: it is part of lesson 03's checks (see lesson03_model.hpp).
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "lesson03_model.hpp"
#include "lesson_check.hpp"
#include "models/book.hpp"
#include "orm/orm.hpp"
#include "workbook/not_done.hpp"

using lesson_check::fix;

// The first thing wrong with the Book model's declaration, in a few words with the check that
// explains it, or "".
std::string book_model_problem() {
  if (book_table().empty()) {
    return "Book has no table name yet (step 1; see the check \"Book's table is called books\")";
  }
  if (book_column_names() != std::vector<std::string>{"id", "title", "description"}) {
    return "Book's column list is not complete (step 2; see the check \"Book lists the columns "
           "id, title and description\")";
  }
  return {};
}

std::string book_table() {
  return Book::table;
}

std::string book_columns_error() {
  try {
    orm::table_info<Book>();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

std::vector<std::string> book_column_names() {
  std::vector<std::string> names;
  if (!book_columns_error().empty()) return names;
  for (const auto& column : orm::table_info<Book>().columns) names.push_back(column.name);
  return names;
}

std::string book_column_problems() {
  return column_rule(orm::column_of(&Book::id), "integer", false, true) +
         column_rule(orm::column_of(&Book::title), "text", false, false) +
         column_rule(orm::column_of(&Book::description), "text", true, false);
}

namespace {

// A Book's description as a std::optional<std::string>. A description declared as a
// std::string (NOT NULL, which the check of the column types explains) still compiles here.
template <class B>
std::optional<std::string> description_of(const B& book) {
  return book.description;
}

template <class B>
void set_description(B& book, std::optional<std::string> description) {
  if constexpr (std::is_assignable_v<decltype((book.description)), std::optional<std::string>>) {
    book.description = std::move(description);
  } else if (description) {
    book.description = std::move(*description);
  }
}

Book make_book(std::string title, std::optional<std::string> description) {
  Book book;
  book.title = std::move(title);
  set_description(book, std::move(description));
  return book;
}

// The checks that store books wait for the column types (step 2), which have a check of their own.
void require_book_columns() {
  if (!book_column_problems().empty()) {
    FAIL(
        "Not checked yet: Book's columns do not have the right types yet (step 2; see the check "
        "\"Book's columns have the right types, key and nullability\").");
  }
}

std::string to_string_of(const Book& book) {
  try {
    return book.to_string();
  } catch (const workbook::NotDoneYet& e) {
    FAIL("Book::to_string() is not finished yet. It says:\n    "
         << e.what() << "\nWrite that part first, then run " << lesson_check::rerun()
         << lesson_check::stuck_for(e.what()));
  }
  throw std::logic_error("unreachable");
}

}  // namespace

void check_book_to_string() {
  Book ocean = make_book("Ocean Book", "watr 4evr");
  ocean.id = 1;
  Book sky = make_book("Sky Book", std::nullopt);
  sky.id = 12;
  const std::string with = to_string_of(ocean);
  const std::string without = to_string_of(sky);
  if (with != "1: Ocean Book. Description: watr 4evr" ||
      without != "12: Sky Book. Description: (none)") {
    FAIL(
        "Expected:\n    1: Ocean Book. Description: watr 4evr\n"
        "    12: Sky Book. Description: (none)\nActual:\n    "
        << with << "\n    " << without << "\n"
        << fix("models/book.hpp", "step 3"));
  }
}

void check_books_stored() {
  require_book_columns();
  Tables<Book> tables;
  orm::Session session(tables.db);
  Book ocean = make_book("Ocean Book", "watr 4evr");
  Book sky = make_book("Sky Book", std::nullopt);
  session.add(ocean);
  session.add(sky);
  session.commit();
  if (ocean.id != 1 || sky.id != 2) {
    FAIL(
        "After session.add() and commit() the database numbers the books 1 and 2; the objects "
        "have the ids "
        << ocean.id << " and " << sky.id
        << ". The id must be the primary key the database numbers. "
        << fix("models/book.hpp", "step 2"));
  }
  orm::Session reader(tables.db);
  const auto loaded = reader.get<Book>(1);
  const auto all = reader.all<Book>();
  const bool ok = loaded && loaded->title == "Ocean Book" &&
                  description_of(*loaded) == std::optional<std::string>("watr 4evr") &&
                  all.size() == 2 && all[1].title == "Sky Book" && !description_of(all[1]) &&
                  !reader.get<Book>(3);
  if (!ok) {
    FAIL(
        "session.get<Book>(1) and session.all<Book>() must give back the two books as they were "
        "saved (Ocean Book with its description, Sky Book without). Check that fields() lists "
        "every member under the right column name. "
        << fix("models/book.hpp", "step 2"));
  }
}

void check_null_description() {
  require_book_columns();
  Tables<Book> tables;
  orm::Session session(tables.db);
  Book sky = make_book("Sky Book", std::nullopt);
  session.add(sky);
  session.commit();
  const auto rows =
      session.execute("SELECT description IS NULL FROM books WHERE title = 'Sky Book'");
  const auto loaded = session.get<Book>(sky.id);
  if (rows.size() != 1 || !rows[0][0].as<bool>() || !loaded || description_of(*loaded)) {
    FAIL(
        "description is a std::optional<std::string>: std::nullopt must be stored as NULL and "
        "NULL must load back as std::nullopt. "
        << fix("models/book.hpp", "step 2"));
  }
}

// The Book model: one Book object is one row of the table `books`, and the relationship between
// authors and their books.
#pragma once

#include <optional>
#include <string>

#include "models/author.hpp"
#include "orm/model.hpp"
#include "orm/relationship.hpp"

/// A book, like the classic tutorial's `class Book(db.Model)`.
///
/// The members are the columns; `fields()` tells the library their column names, once, for
/// saving objects, loading rows and, with `db migrate`, for writing the migrations.
///
/// @code
/// Book book;
/// book.title = "Ocean Book";
/// book.description = "watr 4evr";
/// session.add(book);  // INSERT sent now, in the session's transaction: book.id is set, e.g. 1
/// session.commit();   // and now it is permanent
/// book.to_string();   // "1: Ocean Book. Description: watr 4evr"
/// @endcode
struct Book {
  static constexpr const char* table = "books";

  int id = 0;                              ///< primary key; 0 until the database numbers the row
  std::string title;                       ///< std::string: NOT NULL, every book has a title
  std::optional<std::string> description;  ///< std::optional: the column accepts NULL
  std::string language = "en";             ///< NOT NULL; new books are in English unless set
  std::optional<int> author_id;            ///< the key of the book's author; NULL: no author
  std::optional<std::string> isbn;         ///< unique; NULL: not known yet (your branch)

  /// The columns: one `v(member, "column name", options...)` call per member, in table order.
  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(description, "description");
    v(language, "language");
    v(author_id, "author_id", orm::foreign_key(&Author::id, orm::OnDelete::set_null));
    v(isbn, "isbn", orm::unique);
  }

  /// "<id>: <title>. Description: <description>", e.g. "1: Ocean Book. Description: watr 4evr";
  /// a NULL description reads "(none)".
  std::string to_string() const {
    return std::to_string(id) + ": " + title + ". Description: " + description.value_or("(none)");
  }
};

// The relationship between authors and their books (lesson 05), both ways: an author's books
// (Flask: Author.books) and a book's author (Book.author, its back_populates).
inline const auto author_books = orm::relationship<Author, Book>(&Book::author_id);
inline const auto book_author = author_books.back_populates();

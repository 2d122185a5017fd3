// The Book model: one Book object is one row of the table `books`.
#pragma once

#include <optional>
#include <string>

#include "orm/model.hpp"

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
  // TODO (step 6): books have an author. The books already stored have none, so the column
  // must accept NULL.
  // TODO (your turn): the author column becomes author_name (keeping every author), and every
  // book gets a language, "en" unless the program says otherwise.

  /// The columns: one `v(member, "column name", options...)` call per member, in table order.
  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(description, "description");
    // TODO (step 6): list the author column too.
    // TODO (your turn): and then the renamed column and the language.
  }

  /// "<id>: <title>. Description: <description>", e.g. "1: Ocean Book. Description: watr 4evr";
  /// a NULL description reads "(none)".
  std::string to_string() const {
    return std::to_string(id) + ": " + title + ". Description: " + description.value_or("(none)");
  }
};

// The Book model: one Book object is one row of the table `books`.
#pragma once

#include <optional>
#include <string>

#include "orm/model.hpp"
#include "workbook/not_done.hpp"

/// A book, like the classic tutorial's `class Book(db.Model)`.
///
/// The members are the columns; `fields()` tells the library their column names, once, for
/// creating the table, saving objects and loading rows.
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
  // TODO (step 1): name the table this model is stored in. The classic tutorial calls it
  // "books", one table holding many books (Flask-SQLAlchemy 3.0 would name it after the class,
  // "book", unless told otherwise); the checks and the next lessons expect the same.
  static constexpr const char* table = "books";

  int id = 0;                              ///< primary key; 0 until the database numbers the row
  std::string title;                       ///< std::string: NOT NULL, every book has a title
  std::optional<std::string> description;  ///< std::optional: the column accepts NULL

  /// The columns: one `v(member, "column name", options...)` call per member, in table order.
  template <class Visitor>
  void fields(Visitor& v) {
    // TODO (step 2): tell the library about every member, in table order: which column it is
    // stored in, and which member is the primary key the database numbers. This list is all the
    // library knows about the table: it builds the CREATE TABLE, the INSERTs and the SELECTs
    // from it.
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(description, "description");
  }

  /// "<id>: <title>. Description: <description>", e.g. "1: Ocean Book. Description: watr 4evr";
  /// a NULL description reads "(none)".
  std::string to_string() const {
    // TODO (step 3): describe the book in one line, as the comment above shows: its id, its
    // title, and its description, or "(none)" when it has none.
    return std::to_string(id) + ": " + title + ". Description: " + description.value_or("(none)");
  }
};

// Do not change this file: it belongs to the migration tests (label: migrate).
//
// Versions of a `books` model for the migration tests: each struct is the model at one point of
// its history, so a test registers one, migrates, registers the next, and migrates again.
#pragma once

#include <optional>
#include <string>

#include "orm/model.hpp"
#include "test_models.hpp"

namespace migrate_models {

// The lesson's first model: id, title, description.
using Book = models::Book;

// Lesson 04's second step: an author column.
struct BookWithAuthor {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;
  std::optional<std::string> description;
  std::optional<std::string> author;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(description, "description");
    v(author, "author");
  }
};

// The classic tutorial's typo, and its fix (a rename).
struct BookTypo {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;
  std::optional<std::string> descrption;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(descrption, "descrption");
  }
};

// Without the description column (a drop).
struct BookNoDescription {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
  }
};

// Title as varchar(200), then varchar(100): a length change Alembic does not see.
struct BookTitle200 {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title", orm::varchar(200));
  }
};
struct BookTitle100 {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title", orm::varchar(100));
  }
};

// Title nullable (std::optional): a nullability change.
struct BookOptionalTitle {
  static constexpr const char* table = "books";
  int id = 0;
  std::optional<std::string> title;
  std::optional<std::string> description;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(description, "description");
  }
};

// A unique ISBN and a status with a server default.
struct BookWithIsbn {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;
  std::optional<std::string> description;
  std::string isbn;
  std::string status;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(description, "description");
    v(isbn, "isbn", orm::varchar(13), orm::unique);
    v(status, "status", orm::server_default("'new'"));
  }
};

// Keyed by ISBN instead of id: a primary key change.
struct BookByIsbn {
  static constexpr const char* table = "books";
  std::string isbn;
  std::string title;
  std::optional<std::string> description;

  template <class Visitor>
  void fields(Visitor& v) {
    v(isbn, "isbn", orm::primary_key, orm::varchar(13));
    v(title, "title");
    v(description, "description");
  }
};

// The Book columns in a table called volumes: a table rename.
struct Volume : Book {
  static constexpr const char* table = "volumes";
};

// A second table, to check that migrations keep the data of tables they do not touch.
struct Author {
  static constexpr const char* table = "authors";
  int id = 0;
  std::string name;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
  }
};

}  // namespace migrate_models

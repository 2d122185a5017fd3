// Models with foreign keys, indexes and constraints, for the relationship and autogenerate tests:
// authors, their books, and genres through a join table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orm/model.hpp"
#include "orm/relationship.hpp"

namespace relation_models {

struct Author {
  static constexpr const char* table = "authors";
  int id = 0;
  std::string name;

  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(name, "name", orm::unique);
  }
};

struct Book {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;
  int year = 2000;
  int author_id = 0;

  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(year, "year", orm::check("year > 0"));
    v(author_id, "author_id", orm::foreign_key(&Author::id, orm::OnDelete::cascade), orm::index);
  }
  static std::vector<orm::TableArg> table_args() {
    return {orm::unique_constraint(&Book::author_id, &Book::title),
            orm::index_on(&Book::year, &Book::title)};
  }
};

struct Genre {
  static constexpr const char* table = "genres";
  int id = 0;
  std::string name;

  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
  }
};

struct BookGenre {
  static constexpr const char* table = "book_genres";
  int id = 0;
  int book_id = 0;
  int genre_id = 0;

  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(book_id, "book_id", orm::foreign_key(&Book::id, orm::OnDelete::cascade));
    v(genre_id, "genre_id", orm::foreign_key(&Genre::id, orm::OnDelete::cascade), orm::index);
  }
  static std::vector<orm::TableArg> table_args() {
    return {orm::unique_constraint(&BookGenre::book_id, &BookGenre::genre_id)};
  }
};

// Flask: Author.books = db.relationship("Book", back_populates="author") and its other side.
inline const auto author_books = orm::relationship<Author, Book>(&Book::author_id);
inline const auto book_author = author_books.back_populates();
// Flask: Book.genres = db.relationship("Genre", secondary=book_genres, back_populates="books").
inline const auto book_genres =
    orm::relationship<Book, Genre>(orm::secondary(&BookGenre::book_id, &BookGenre::genre_id));
inline const auto genre_books = book_genres.back_populates();

}  // namespace relation_models

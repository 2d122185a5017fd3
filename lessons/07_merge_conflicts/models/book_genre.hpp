// The join model: one BookGenre object is one row of the table `book_genres`, a link that pairs
// one book with one genre. Through these links a book has many genres and a genre many books:
// the relationship, both ways, is declared at the end of this file.
#pragma once

#include <vector>

#include "models/book.hpp"
#include "models/genre.hpp"
#include "orm/model.hpp"
#include "orm/relationship.hpp"

// A link between one book and one genre, stored in the table "book_genres": a key
// of its own that the database numbers (every model has exactly one primary key), the key of the
// book and the key of the genre. A link always has both. Deleting a book or a genre deletes its
// links (a link to nothing means nothing), never the other side: deleting Fantasy leaves its
// books in the library, deleting a book leaves its genres.
struct BookGenre {
  static constexpr const char* table = "book_genres";

  int id = 0;
  int book_id = 0;
  int genre_id = 0;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(book_id, "book_id", orm::foreign_key(&Book::id, orm::OnDelete::cascade));
    v(genre_id, "genre_id", orm::foreign_key(&Genre::id, orm::OnDelete::cascade));
  }

  // A book cannot have the same genre twice: the database must refuse a second
  // link between the same book and the same genre. The rule is about two columns together, so it
  // belongs to the table, not to one column (see lib/include/orm/model.hpp).
  static std::vector<orm::TableArg> table_args() {
    return {orm::unique_constraint(&BookGenre::book_id, &BookGenre::genre_id)};
  }
};

// The relationship, both ways, named as in Flask-SQLAlchemy: a book's genres
// (Book.genres, through the join table: its secondary) and a genre's books (Genre.books, its
// back_populates). Both come from the two foreign keys of BookGenre.
inline const auto book_genres =
    orm::relationship<Book, Genre>(orm::secondary(&BookGenre::book_id, &BookGenre::genre_id));
inline const auto genre_books = book_genres.back_populates();

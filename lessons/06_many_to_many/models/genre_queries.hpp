// Questions about genres and their books (Your turn in lessons/06_many_to_many/README.md).
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "models/book.hpp"
#include "models/book_genre.hpp"
#include "models/genre.hpp"
#include "orm/session.hpp"

/// One line of the genre report: a genre's name and how many books have that genre.
struct GenreCount {
  std::string genre;
  int books = 0;
};

// TODO (your turn): genre_counts(session) returns a std::vector<GenreCount>: every genre with
// the number of its books, the genres with the most books first, genres with as many books by
// name (A before Z). A genre that no book has yet is in the list too, with 0: the library wants
// to know which shelves are empty. However many genres there are, it asks the database the same
// few times.

// TODO (your turn): remove_genre(session, book, genre): takes the genre away from the book, as
// Flask's book.genres.remove(genre) does. The book and the genre stay in the library, and so do
// their other links. Returns true when the book had that genre, false when it did not (then
// nothing changes). Like session.append, it does not commit: the caller does.

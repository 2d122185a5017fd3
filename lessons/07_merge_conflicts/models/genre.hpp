// The Genre model: one Genre object is one row of the table `genres`. A genre has many books and
// a book has many genres: the join model that pairs them, and the relationship, are in
// models/book_genre.hpp.
#pragma once

#include <string>

#include "orm/model.hpp"

// A genre of books, stored in the table "genres": an id the database numbers and a
// name, which every genre has. No two genres have the same name: the database itself must refuse
// a second "Fantasy", whichever program tries to store it.
struct Genre {
  static constexpr const char* table = "genres";

  int id = 0;
  std::string name;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name", orm::unique);
  }
};

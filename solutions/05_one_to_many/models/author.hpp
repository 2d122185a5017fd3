// The Author model: one Author object is one row of the table `authors`. An author has many
// books: the relationship between the two is declared in models/book.hpp, beside Book.
#pragma once

#include <string>

#include "orm/model.hpp"

// TODO (step 1): an author of books, stored in the table "authors": an id the database numbers
// and a name, which every author has. to_string() reads "<id>: <name>", e.g.
// "2: Octavia E. Butler".
struct Author {
  // TODO (step 1): the table name, the members, fields() and to_string().
  static constexpr const char* table = "authors";

  int id = 0;
  std::string name;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
  }

  std::string to_string() const { return std::to_string(id) + ": " + name; }
};

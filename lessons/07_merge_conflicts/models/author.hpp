// The Author model: one Author object is one row of the table `authors`. An author has many
// books: the relationship between the two is declared in models/book.hpp, beside Book.
#pragma once

#include <optional>
#include <string>

#include "orm/model.hpp"

// An author of books, stored in the table "authors". to_string() reads "<id>: <name>", e.g.
// "2: Octavia E. Butler".
struct Author {
  static constexpr const char* table = "authors";

  int id = 0;
  std::string name;
  std::optional<int> born_year;  ///< the year the author was born; NULL: not known (Sam's branch)

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
    v(born_year, "born_year");
  }

  std::string to_string() const { return std::to_string(id) + ": " + name; }
};

// The Author model (lesson 05): one Author object is one row of the table `authors`. An author
// has many books: that relationship is declared in models/book.hpp, beside Book.
#pragma once

#include <optional>
#include <string>

#include "orm/model.hpp"

/// An author of books: an id the database numbers and a name, which every author has.
struct Author {
  static constexpr const char* table = "authors";

  int id = 0;
  std::string name;
  std::optional<int> born_year;  ///< NULL: not known yet (Sam's branch)

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
    v(born_year, "born_year");
  }

  /// "<id>: <name>", e.g. "2: Octavia E. Butler".
  std::string to_string() const { return std::to_string(id) + ": " + name; }
};

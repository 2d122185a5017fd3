// The benchmarks' model: the tutorial's Book, as the lessons declare it.
#pragma once

#include <optional>
#include <string>

#include "orm/model.hpp"
#include "orm/relationship.hpp"

namespace bench {

struct Book {
  static constexpr const char* table = "books";
  int id = 0;
  std::string title;
  std::optional<std::string> description;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(description, "description");
  }
};

}  // namespace bench

namespace bench {

// The load_related row: authors and their books, in tables of their own.
struct Author {
  static constexpr const char* table = "bench_authors";
  int id = 0;
  std::string name;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
  }
};

struct AuthorBook {
  static constexpr const char* table = "bench_author_books";
  int id = 0;
  std::string title;
  int author_id = 0;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(title, "title");
    v(author_id, "author_id", orm::foreign_key(&Author::id), orm::index);
  }
};

inline const auto author_books = orm::relationship<Author, AuthorBook>(&AuthorBook::author_id);

}  // namespace bench

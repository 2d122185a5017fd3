// The benchmarks' model: the tutorial's Book, as the lessons declare it.
#pragma once

#include <optional>
#include <string>

#include "orm/model.hpp"

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

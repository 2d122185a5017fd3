// Models the library and migration tests use (not the lessons' Book: the lessons are checked
// separately).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "orm/model.hpp"
#include "orm/schema.hpp"
#include "test_database.hpp"

namespace models {

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

// Every supported type and option, for round trips.
struct Everything {
  static constexpr const char* table = "everything";
  long id = 0;
  std::int16_t small = 0;
  int number = 0;
  long big = 0;
  float ratio = 0;
  double precise = 0;
  bool flag = false;
  std::string text;
  std::string code;
  orm::Timestamp at{};
  std::optional<int> maybe_number;
  std::optional<std::string> maybe_text;
  std::optional<orm::Timestamp> maybe_at;
  std::string status = "new";

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(small, "small");
    v(number, "number");
    v(big, "big");
    v(ratio, "ratio");
    v(precise, "precise");
    v(flag, "flag");
    v(text, "text");
    v(code, "code", orm::varchar(12), orm::unique);
    v(at, "at");
    v(maybe_number, "maybe_number");
    v(maybe_text, "maybe_text");
    v(maybe_at, "maybe_at");
    v(status, "status", orm::server_default("'new'"));
  }
};

// An Everything whose unique code is `code`, every other member left at its default.
inline Everything with_code(std::string code) {
  Everything e;
  e.code = std::move(code);
  return e;
}

// A test fixture: this process's database with fresh, empty tables for the models above.
struct TablesFixture {
  TablesFixture() : db(testing_support::test_database()) {
    metadata.add<Book>().add<Everything>();
    orm::drop_all(db, metadata);
    orm::create_all(db, metadata);
  }
  orm::Database db;
  orm::Metadata metadata;
};

}  // namespace models

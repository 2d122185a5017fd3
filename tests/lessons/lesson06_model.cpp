// Do not change this file: it is part of lesson 06's checks (see lesson06_model.hpp).
#include "lesson06_model.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "lesson_check.hpp"
#include "model_traits.hpp"
#include "models/author.hpp"
#include "models/book.hpp"
#include "models/book_genre.hpp"
#include "models/genre.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using lesson_check::column_rule;
using lesson_check::declared_v;
using lesson_check::has_fields;
using lesson_check::has_table;

// ---------------------------------------------------------------------------------------------
// The models: whatever models/genre.hpp and models/book_genre.hpp hold so far. Each check is a
// template whose parameters default to the models, so that a model not written yet is a
// message, not a compile error.

namespace {

// What keeps the library from reading model M (called `name`), or "".
template <class M>
std::string declaration_problem(const std::string& name) {
  if constexpr (!has_table<M>::value) {
    return name + " has no table name yet";
  } else if constexpr (!has_fields<M>::value) {
    return name + " has no fields() yet";
  } else {
    try {
      orm::table_info<M>();
    } catch (const std::exception& e) {
      return name + "'s declaration is not valid: " + e.what();
    }
    return {};
  }
}

// True when `table` makes the columns `columns` (in any order) unique together: a unique
// column (one column), a unique constraint or a unique index.
bool unique_over(const orm::TableInfo& table, std::set<std::string> columns) {
  if (columns.size() == 1) {
    const orm::ColumnInfo* column = table.find(*columns.begin());
    if (column != nullptr && (column->unique || column->primary_key)) return true;
  }
  for (const auto& constraint : table.unique_constraints) {
    if (std::set<std::string>(constraint.columns.begin(), constraint.columns.end()) == columns) {
      return true;
    }
  }
  for (const auto& index : table.indexes) {
    if (index.unique &&
        std::set<std::string>(index.columns.begin(), index.columns.end()) == columns) {
      return true;
    }
  }
  return false;
}

// The first thing wrong with the Genre model (step 1), or "".
template <class G = Genre>
std::string genre_problem_of() {
  std::string problem = declaration_problem<G>("Genre");
  if (!problem.empty()) return problem;
  if constexpr (declared_v<G>) {
    const orm::TableInfo& table = orm::table_info<G>();
    std::string names;
    for (const auto& column : table.columns) names += " " + column.name;
    if (table.name != "genres") problem += "  the table is \"" + table.name + "\";\n";
    if (names != " id name") problem += "  the columns are" + names + ";\n";
    if (problem.empty()) {
      problem += column_rule(table.find("id"), "id", "integer", false, true) +
                 column_rule(table.find("name"), "name", "text", false, false);
    }
    if (!problem.empty()) {
      return "Expected the table genres with id (integer primary key numbered by the database) "
             "and name (text NOT NULL), in this order. Instead:\n" +
             problem;
    }
    if (!unique_over(table, {"name"})) {
      return "genres.name is not unique yet: nothing stops a second genre called Fantasy. "
             "Declare the column unique, so that the database refuses a second one";
    }
  }
  return {};
}

const orm::ForeignKeyInfo* foreign_key_of(const orm::TableInfo& table, const std::string& column) {
  for (const auto& key : table.foreign_keys) {
    if (key.column == column) return &key;
  }
  return nullptr;
}

// What is wrong with the foreign key of book_genres.`column`, which must refer to
// `target`.id (`side`: "book" or "genre"), or "".
std::string link_key_problem(const orm::TableInfo& table, const std::string& column,
                             const std::string& target, const std::string& side) {
  const orm::ForeignKeyInfo* key = foreign_key_of(table, column);
  if (key == nullptr) {
    return "book_genres." + column + " is not a foreign key yet: nothing stops it from holding " +
           "an id that no " + side + " has. Declare it as referring to the primary key of " +
           target;
  }
  if (key->target_table != target || key->target_column != "id") {
    return "book_genres." + column + " refers to " + key->target_table + "." + key->target_column +
           "; it must refer to " + target + ".id";
  }
  switch (key->on_delete) {
    case orm::OnDelete::cascade:
      return {};
    case orm::OnDelete::set_null:
      return "book_genres." + column + " is ON DELETE SET NULL: deleting a " + side +
             " would leave links to nothing (and a link always has both keys). The links of a "
             "deleted " +
             side + " must go with it";
    case orm::OnDelete::no_action:
    case orm::OnDelete::restrict:
      break;
  }
  return "book_genres." + column + " has no ON DELETE rule (or RESTRICT): deleting a " + side +
         " that has links would be refused with an error. The " + side +
         " must go, and its links with it";
}

// The first thing wrong with the BookGenre model's columns and keys (step 2), or "".
template <class L = BookGenre>
std::string link_problem_of() {
  std::string problem = declaration_problem<L>("BookGenre");
  if (!problem.empty()) return problem;
  if constexpr (declared_v<L>) {
    const orm::TableInfo& table = orm::table_info<L>();
    if (table.name != "book_genres") problem += "  the table is \"" + table.name + "\";\n";
    problem += column_rule(table.find("book_id"), "book_id", "integer", false, false) +
               column_rule(table.find("genre_id"), "genre_id", "integer", false, false);
    const orm::ColumnInfo& key = table.primary_key();
    if (key.name != "book_id" && key.name != "genre_id" && !key.autoincrement) {
      problem += "  " + key.name + ", the primary key, must be an integer numbered by the " +
                 "database;\n";
    }
    if (!problem.empty()) {
      return "Expected the table book_genres with a key of its own numbered by the database, "
             "book_id and genre_id (integers, NOT NULL: a link always has both). Instead:\n" +
             problem;
    }
    problem = link_key_problem(table, "book_id", "books", "book");
    if (problem.empty()) problem = link_key_problem(table, "genre_id", "genres", "genre");
  }
  return problem;
}

template <class L = BookGenre>
bool pair_unique_of() {
  if constexpr (declared_v<L>) {
    return unique_over(orm::table_info<L>(), {"book_id", "genre_id"});
  } else {
    return false;
  }
}

// A fresh, empty database of this check with tables made from the models (Author, Book and, when
// declared, Genre and BookGenre), like create_all.
template <class G = Genre, class L = BookGenre>
orm::DatabaseUrl tables_from_models_of(const std::string& suffix, bool with_links) {
  lesson_check::require_server();
  const orm::DatabaseUrl url = testing_support::scratch_database(suffix);
  orm::Metadata metadata;
  metadata.add<Author>().add<Book>();
  if constexpr (declared_v<G>) metadata.add<G>();
  if constexpr (declared_v<L>) {
    if (with_links) metadata.add<L>();
  }
  orm::Database db(url);
  orm::create_all(db, metadata);
  return url;
}

// "book_id" or "genre_id" when the link model makes that column unique on its own, else "".
template <class L = BookGenre>
std::string link_column_unique_alone_of() {
  if constexpr (declared_v<L>) {
    for (const char* column : {"book_id", "genre_id"}) {
      if (unique_over(orm::table_info<L>(), {column})) return column;
    }
  }
  return {};
}

}  // namespace

std::string genre_problem() {
  return genre_problem_of();
}

std::string link_column_unique_alone() {
  return link_column_unique_alone_of();
}

std::string link_problem() {
  return link_problem_of();
}

bool pair_unique() {
  return pair_unique_of();
}

orm::DatabaseUrl tables_from_models(const std::string& suffix, bool with_links) {
  return tables_from_models_of(suffix, with_links);
}

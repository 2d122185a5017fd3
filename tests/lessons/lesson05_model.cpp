// Do not change this file: it is part of lesson 05's checks (see lesson05_model.hpp).
#include "lesson05_model.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "lesson_check.hpp"
#include "model_traits.hpp"
#include "models/author.hpp"
#include "models/book.hpp"
#include "orm/orm.hpp"

using lesson_check::column_rule;
using lesson_check::fix;
using lesson_check::has_fields;
using lesson_check::has_table;
using lesson_check::has_to_string;

namespace {

template <class M, class = void>
struct has_member_names : std::false_type {};
template <class M>
struct has_member_names<M, std::void_t<decltype(M::id), decltype(M::name)>> : std::true_type {};

template <class M, class = void>
struct has_members : std::false_type {};
template <class M>
struct has_members<M, std::void_t<decltype(M::id), decltype(M::name)>>
    : std::bool_constant<std::is_same_v<decltype(M::id), int> &&
                         std::is_same_v<decltype(M::name), std::string>> {};

// What models/author.hpp still lacks, or "".
template <class M = Author>
std::string author_missing_of() {
  if constexpr (!has_table<M>::value) {
    return "Author has no table name yet";
  } else if constexpr (!has_member_names<M>::value) {
    return "Author needs the members id and name";
  } else if constexpr (!has_members<M>::value) {
    return "Author's members: id is the integer key (int), and every author has a name (text, "
           "NOT NULL: a std::string)";
  } else if constexpr (!has_fields<M>::value) {
    return "Author has no fields() yet";
  } else if constexpr (!has_to_string<M>::value) {
    return "Author has no to_string() const yet";
  } else {
    try {
      orm::table_info<M>();
    } catch (const std::exception& e) {
      return std::string("Author's declaration is not valid: ") + e.what();
    }
    return {};
  }
}

template <class M = Author>
void check_author_model_of() {
  const std::string missing = author_missing_of<M>();
  if (!missing.empty()) FAIL(missing << ". " << fix("models/author.hpp", "step 1"));
  if constexpr (has_table<M>::value && has_members<M>::value && has_fields<M>::value &&
                has_to_string<M>::value) {
    const orm::TableInfo& table = orm::table_info<M>();
    std::string names;
    for (const auto& column : table.columns) names += " " + column.name;
    std::string problems;
    if (table.name != "authors") problems += "  the table is \"" + table.name + "\";\n";
    if (names != " id name") problems += "  the columns are" + names + ";\n";
    if (problems.empty()) {
      problems += column_rule(table.find("id"), "id", "integer", false, true) +
                  column_rule(table.find("name"), "name", "text", false, false);
    }
    if (!problems.empty()) {
      FAIL(
          "Expected the table authors with id (integer primary key numbered by the database) "
          "and name (text NOT NULL), in this order. Instead:\n"
          << problems << fix("models/author.hpp", "step 1"));
    }
    M author;
    author.id = 7;
    author.name = "Octavia E. Butler";
    const std::string text = author.to_string();
    if (text != "7: Octavia E. Butler") {
      FAIL("For the author 7 named Octavia E. Butler, to_string() must give\n"
           << "    7: Octavia E. Butler\nIt gives:\n    " << text << "\n"
           << fix("models/author.hpp", "step 1"));
    }
  }
}

// The foreign key of books.author_id in the Book model, or nullptr.
const orm::ForeignKeyInfo* author_foreign_key(const orm::TableInfo& books) {
  for (const auto& key : books.foreign_keys) {
    if (key.column == "author_id") return &key;
  }
  return nullptr;
}

}  // namespace

std::string author_missing() {
  return author_missing_of();
}

void check_author_model() {
  check_author_model_of();
}

bool book_model_has_column(const std::string& name) {
  return orm::table_info<Book>().find(name) != nullptr;
}

std::string book_author_problem() {
  const orm::TableInfo& books = orm::table_info<Book>();
  const orm::ColumnInfo* column = books.find("author_id");
  if (column == nullptr) {
    return "Book has no column author_id yet: a member for the key of the book's author, "
           "listed in fields()";
  }
  if (column->sql_type != "integer" || !column->nullable) {
    return "books.author_id is " + column->sql_type + (column->nullable ? "" : " NOT NULL") +
           "; it must hold an author's id (an integer) and accept NULL: the books stored so far "
           "have no author, and a book whose author is deleted keeps none";
  }
  const orm::ForeignKeyInfo* key = author_foreign_key(books);
  if (key == nullptr) {
    return "books.author_id is not a foreign key yet: nothing stops it from holding an id that "
           "no author has. Declare it as referring to Author's primary key";
  }
  if (key->target_table != "authors" || key->target_column != "id") {
    return "books.author_id refers to " + key->target_table + "." + key->target_column +
           "; it must refer to authors.id";
  }
  switch (key->on_delete) {
    case orm::OnDelete::set_null:
      return {};
    case orm::OnDelete::cascade:
      return "books.author_id is ON DELETE CASCADE: deleting an author would delete all their "
             "books too. The books must stay, without an author";
    case orm::OnDelete::no_action:
    case orm::OnDelete::restrict:
      break;
  }
  return "books.author_id has no ON DELETE rule (or RESTRICT): deleting an author who has books "
         "would be refused with an error. The author must go and their books must stay, "
         "without an author";
}

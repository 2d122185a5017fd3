// What the lesson checks ask of a student's model before they use it, at compile time: a model
// not written yet is a message, not a compile error. The checks test these traits on a template
// parameter that defaults to the model (`template <class M = Author>`), so that nothing is
// instantiated for a model that is not declared yet.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "orm/model.hpp"

namespace lesson_check {

/// A visitor that takes any column: for asking whether `fields()` accepts one.
struct AnyVisitor {
  template <class T, class... Options>
  void operator()(T&, const char*, Options...) {}
};

/// True when M names its table (`static constexpr const char* table`).
template <class M, class = void>
struct has_table : std::false_type {};
template <class M>
struct has_table<M, std::void_t<decltype(std::string_view(M::table))>> : std::true_type {};

/// True when M lists its columns (`template <class Visitor> void fields(Visitor&)`).
template <class M, class = void>
struct has_fields : std::false_type {};
template <class M>
struct has_fields<M, std::void_t<decltype(std::declval<M&>().fields(std::declval<AnyVisitor&>()))>>
    : std::true_type {};

/// True when M names its table and lists its columns: the library can read its declaration.
template <class M>
constexpr bool declared_v = has_table<M>::value&& has_fields<M>::value;

/// True when M has `std::string to_string() const`.
template <class M, class = void>
struct has_to_string : std::false_type {};
template <class M>
struct has_to_string<M, std::void_t<decltype(std::string(std::declval<const M&>().to_string()))>>
    : std::true_type {};

/// What a column should be, for messages: "  name: its type is ..., not text;\n", or "" when it
/// is right; "  there is no column name;\n" for no column.
inline std::string column_rule(const orm::ColumnInfo* column, const std::string& name,
                               const std::string& type, bool nullable, bool key) {
  if (column == nullptr) return "  there is no column " + name + ";\n";
  std::string problem;
  if (column->sql_type != type) {
    problem += " its type is " + column->sql_type + ", not " + type + ";";
  }
  if (column->nullable != nullable) {
    problem += nullable ? " it must accept NULL (a std::optional member);"
                        : " it must not be NULL (not a std::optional member);";
  }
  if (column->primary_key != key) {
    problem += key ? " it must be the primary key (orm::primary_key);"
                   : " it must not be the primary key;";
  }
  if (key && !column->autoincrement) problem += " the database must number it (an int key);";
  return problem.empty() ? "" : "  " + name + ":" + problem + "\n";
}

}  // namespace lesson_check

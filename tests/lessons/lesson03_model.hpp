// The parts of lesson 03's checks that include your models: lesson03_model_book.cpp includes
// models/book.hpp, lesson03_model_member.cpp models/member.hpp. Each is compiled on its own, so
// that saving a model recompiles its part and not every check.
#pragma once

#include <string>
#include <vector>

#include "lesson_check.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

// Book (lesson03_model_book.cpp)

/// The first thing wrong with the Book model's declaration, in a few words with the check that
/// explains it, or "".
std::string book_model_problem();
/// Book::table, "" when Book has no table name yet.
std::string book_table();
/// Why the library cannot read Book's columns, or "".
std::string book_columns_error();
/// Book's columns in the order fields() lists them (none when the library cannot read them).
std::vector<std::string> book_column_names();
/// What is wrong with the type, key and nullability of Book's id, title and description, or "".
std::string book_column_problems();
/// The checks of to_string, of storing and reading books, and of a NULL description; each FAILs
/// with its first problem.
void check_book_to_string();
void check_books_stored();
void check_null_description();

// Member, the Your turn part (lesson03_model_member.cpp); each FAILs with its first problem.

void check_member_table();
void check_member_to_string();
void check_members_without_email();

// Both parts (lesson03_check.cpp)

/// What is wrong with `column`, for messages ("  title: it must be NOT NULL ...;\n"), or "".
std::string column_rule(const orm::ColumnInfo& column, const std::string& type, bool nullable,
                        bool key);

// A test database with empty tables for `Models`, made from your models.
template <class... Models>
struct Tables {
  Tables() : db((lesson_check::require_server(), testing_support::test_database())) {
    (metadata.add<Models>(), ...);
    orm::drop_all(db, metadata);
    orm::create_all(db, metadata);
  }
  orm::Database db;
  orm::Metadata metadata;
};

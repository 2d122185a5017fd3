// Do not change this file: it checks your work on lesson 03 (label lesson03). Run it with
// ./workbook check 03.
//
// It checks your Book model (table, columns, to_string), saves and loads books with it in a test
// database of its own, checks that create_app() registers it, runs your hello_books program
// against a fresh database, and checks the Member model of the Your turn part.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "app/app.hpp"
#include "lesson_check.hpp"
#include "model_traits.hpp"
#include "models/book.hpp"
#include "models/member.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"
#include "workbook/not_done.hpp"

using lesson_check::fix;
using lesson_check::has_fields;
using lesson_check::has_table;
using lesson_check::has_to_string;

namespace {

// ---------------------------------------------------------------------------------------------
// Book

// The first thing wrong with the Book model's declaration, in a few words with the check that
// explains it, or "".
std::string book_model_problem() {
  if (std::string_view(Book::table).empty()) {
    return "Book has no table name yet (step 1; see the check \"Book's table is called books\")";
  }
  bool readable = true;
  try {
    orm::table_info<Book>();
  } catch (const std::exception&) {
    readable = false;
  }
  std::vector<std::string> names;
  if (readable) {
    for (const auto& column : orm::table_info<Book>().columns) names.push_back(column.name);
  }
  if (!readable || names != std::vector<std::string>{"id", "title", "description"}) {
    return "Book's column list is not complete (step 2; see the check \"Book lists the columns "
           "id, title and description\")";
  }
  return {};
}

// A later check waits for the model instead of blaming its own part.
void require_book_model() {
  const std::string problem = book_model_problem();
  if (!problem.empty()) FAIL("Not checked yet: " << problem << ".");
}

orm::App make_test_app() {
  try {
    return create_app(orm::TestConfig{});
  } catch (const std::exception& e) {
    FAIL("create_app(orm::TestConfig{}) threw:\n    " << e.what() << "\n"
                                                      << fix("app/app.cpp", "step 4"));
  }
  throw std::logic_error("unreachable");
}

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

Book make_book(std::string title, std::optional<std::string> description) {
  Book book;
  book.title = std::move(title);
  book.description = std::move(description);
  return book;
}

std::string to_string_of(const Book& book) {
  try {
    return book.to_string();
  } catch (const workbook::NotDoneYet& e) {
    FAIL("Book::to_string() is not finished yet. It says:\n    "
         << e.what() << "\nWrite that part first, then run " << lesson_check::rerun()
         << lesson_check::stuck_for(e.what()));
  }
  throw std::logic_error("unreachable");
}

// The columns of `table` as PostgreSQL has them.
std::vector<lesson_check::Column> live_columns(orm::Database& db, const std::string& table) {
  orm::Session session(db);
  return lesson_check::columns_in(session, table);
}

std::string describe(const std::vector<lesson_check::Column>& columns) {
  std::string text;
  for (const auto& column : columns) {
    text += "    " + column.name + " " + column.type + (column.nullable ? "" : " NOT NULL") +
            (column.identity ? " (numbered by the database)" : "") + "\n";
  }
  return text.empty() ? "    (no such table)\n" : text;
}

// What a column should be, for messages: "title: text NOT NULL".
std::string column_rule(const orm::ColumnInfo& column, const std::string& type, bool nullable,
                        bool key) {
  std::string problem;
  if (column.sql_type != type) problem += " its type is " + column.sql_type + ", not " + type + ";";
  if (column.nullable != nullable) {
    problem += nullable ? " it must accept NULL (std::optional);"
                        : " it must be NOT NULL (not std::optional);";
  }
  if (column.primary_key != key) {
    problem += key ? " it must be the primary key (orm::primary_key);"
                   : " it must not be the primary key;";
  }
  if (key && !column.autoincrement) problem += " the database must number it (an int key);";
  return problem.empty() ? "" : "  " + column.name + ":" + problem + "\n";
}

// ---------------------------------------------------------------------------------------------
// Member (your turn): the checks compile whatever models/member.hpp holds so far.

template <class M, class = void>
struct has_member_names : std::false_type {};
template <class M>
struct has_member_names<M, std::void_t<decltype(M::id), decltype(M::name), decltype(M::email)>>
    : std::true_type {};

template <class M, class = void>
struct has_members : std::false_type {};
template <class M>
struct has_members<M, std::void_t<decltype(M::id), decltype(M::name), decltype(M::email)>>
    : std::bool_constant<std::is_same_v<decltype(M::id), int> &&
                         std::is_same_v<decltype(M::name), std::string> &&
                         std::is_same_v<decltype(M::email), std::optional<std::string>>> {};

// What is wrong with Member's members, in the student's terms.
template <class M>
std::string member_types_problem() {
  if constexpr (!has_member_names<M>::value) {
    return "Member needs the members id, name and email";
  } else if constexpr (std::is_same_v<decltype(M::email), std::string>) {
    return "Member's email is a std::string, so every member would have one (NOT NULL); but a "
           "member may have given none: the column must accept NULL";
  } else {
    return "Member's members: id is the integer key (int), every member has a name (text, NOT "
           "NULL), and an email may be missing (text that accepts NULL)";
  }
}

// What models/member.hpp still lacks, or "".
template <class M = Member>
std::string member_missing() {
  if constexpr (!has_table<M>::value) {
    return "Member has no table name yet";
  } else if constexpr (!has_members<M>::value) {
    return member_types_problem<M>();
  } else if constexpr (!has_fields<M>::value) {
    return "Member has no fields() yet";
  } else if constexpr (!has_to_string<M>::value) {
    return "Member has no to_string() const yet";
  } else {
    try {
      orm::table_info<M>();
    } catch (const std::exception& e) {
      return std::string("Member's declaration is not valid: ") + e.what();
    }
    return {};
  }
}

void require_member_model() {
  if (!member_missing().empty()) {
    FAIL(
        "Not checked yet: Member is not complete (see the check \"your turn: Member's table is "
        "members, with id, name and email\").");
  }
}

}  // namespace

// members_without_email(session) when models/member.hpp declares it, else NotWritten: the two
// are found together (the using-directive puts the fallback in the global namespace), and the
// student's function, not a template, wins.
namespace member_fallback {
struct NotWritten {};
template <class Session>
NotWritten members_without_email(Session&) {
  return {};
}
}  // namespace member_fallback
using namespace member_fallback;

namespace {

template <class Session>
auto query_without_email(Session& session) {
  return members_without_email(session);
}

// The Your turn checks, as templates: a part of models/member.hpp that is not written yet must
// not stop the rest of the checks from compiling.
template <class M = Member>
void check_member_table() {
  const std::string missing = member_missing<M>();
  if (!missing.empty()) FAIL(missing << ". " << fix("models/member.hpp", "Your turn"));
  if constexpr (has_table<M>::value && has_members<M>::value && has_fields<M>::value) {
    const orm::TableInfo& table = orm::table_info<M>();
    std::string names;
    for (const auto& column : table.columns) names += " " + column.name;
    std::string problems;
    if (table.name != "members") problems += "  the table is \"" + table.name + "\";\n";
    if (names != " id name email") problems += "  the columns are" + names + ";\n";
    if (problems.empty()) {
      problems += column_rule(orm::column_of(&M::id), "integer", false, true) +
                  column_rule(orm::column_of(&M::name), "text", false, false) +
                  column_rule(orm::column_of(&M::email), "text", true, false);
    }
    if (!problems.empty()) {
      FAIL(
          "Expected the table members with id (integer primary key numbered by the database), "
          "name (text NOT NULL) and email (text that may be NULL). Instead:\n"
          << problems << fix("models/member.hpp", "Your turn"));
    }
  }
}

template <class M = Member>
void check_member_to_string() {
  require_member_model();
  if constexpr (has_members<M>::value && has_to_string<M>::value) {
    M ada;
    ada.id = 3;
    ada.name = "Ada Lovelace";
    ada.email = "ada@example.org";
    M grace;
    grace.id = 4;
    grace.name = "Grace Hopper";
    const std::string with = ada.to_string();
    const std::string without = grace.to_string();
    if (with != "3: Ada Lovelace <ada@example.org>" || without != "4: Grace Hopper (no email)") {
      FAIL(
          "Expected:\n    3: Ada Lovelace <ada@example.org>\n    4: Grace Hopper (no email)\n"
          "Actual:\n    "
          << with << "\n    " << without << "\n"
          << fix("models/member.hpp", "Your turn"));
    }
  }
}

template <class M = Member>
void check_members_without_email() {
  require_member_model();
  if constexpr (has_members<M>::value && has_table<M>::value && has_fields<M>::value) {
    Tables<M> tables;
    orm::Session session(tables.db);
    using Result = decltype(query_without_email(session));
    if constexpr (std::is_same_v<Result, member_fallback::NotWritten>) {
      FAIL("models/member.hpp has no function members_without_email(orm::Session&) yet. "
           << fix("models/member.hpp", "Your turn"));
    } else {
      std::vector<M> members(4);
      members[0].name = "Grace Hopper";
      members[1].name = "Ada Lovelace";
      members[1].email = "ada@example.org";
      members[2].name = "Alan Turing";
      members[3].name = "Barbara Liskov";
      members[3].email = "barbara@example.org";
      session.add_all(members);
      session.commit();
      Result found{};
      // What it asks the database, from the library's statement log.
      const std::vector<std::string> statements = lesson_check::statements_during(
          "members_without_email",
          [&](const lesson_check::EnvChange&) { found = query_without_email(session); });
      std::string names;
      for (const M& member : found) names += " " + member.name;
      if (names != " Alan Turing Grace Hopper") {
        FAIL(
            "With the members Grace Hopper (no email), Ada Lovelace, Alan Turing (no email) and "
            "Barbara Liskov, members_without_email(session) must give Alan Turing, Grace "
            "Hopper, in this order. It gave:"
            << (names.empty() ? " nothing" : names) << ".\n"
            << (names.empty() ? "An email that was never given is NULL in the database, not an "
                                "empty text: see how the lesson text asks for NULL.\n"
                : names == " Grace Hopper Alan Turing"
                    ? "The right members, not sorted: the database returns rows in no "
                      "particular order unless the query asks for one.\n"
                    : "")
            << fix("models/member.hpp", "Your turn"));
      }
      const auto has = [&](const char* clause) {
        return statements.size() == 1 && statements[0].find(clause) != std::string::npos;
      };
      std::string problem;
      if (statements.size() != 1) {
        problem = "it must ask ONE query, not " + std::to_string(statements.size());
      } else if (!has(" WHERE ")) {
        problem =
            "its query has no WHERE: the database must pick the members without an email, "
            "not your C++ code after loading every member";
      } else if (!has(" ORDER BY ")) {
        problem =
            "its query has no ORDER BY: the database must sort them by name, not your C++ "
            "code";
      }
      if (!problem.empty()) {
        std::string sent;
        for (const auto& statement : statements) sent += "\n    " + statement;
        FAIL("members_without_email(session) gave the right members, but "
             << problem << ". It sent:" << (sent.empty() ? " nothing" : sent) << "\n"
             << fix("models/member.hpp", "Your turn"));
      }
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson03]") {
  lesson_check::require_server();
}

TEST_CASE("Book's table is called books", "[lesson03]") {
  const std::string table = Book::table;
  if (table != "books") {
    FAIL("Book's table name is \"" << table << "\"; it must be \"books\" (one table, many books). "
                                   << fix("models/book.hpp", "step 1"));
  }
}

TEST_CASE("Book lists the columns id, title and description", "[lesson03]") {
  if (std::string_view(Book::table).empty()) {
    FAIL(
        "Not checked yet: Book has no table name (step 1), so the library cannot read its "
        "columns. Finish step 1, then run "
        << lesson_check::rerun());
  }
  try {
    orm::table_info<Book>();
  } catch (const std::exception& e) {
    FAIL("The library cannot read Book's columns: " << e.what() << "\n"
                                                    << fix("models/book.hpp", "step 2"));
  }
  std::string names;
  for (const auto& column : orm::table_info<Book>().columns) names += " " + column.name;
  if (names != " id title description") {
    FAIL("fields() lists the columns" << (names.empty() ? " (none)" : names)
                                      << "; expected id title description, in this order, one "
                                         "per member. "
                                      << fix("models/book.hpp", "step 2"));
  }
}

TEST_CASE("Book's columns have the right types, key and nullability", "[lesson03]") {
  require_book_model();
  const std::string problems = column_rule(orm::column_of(&Book::id), "integer", false, true) +
                               column_rule(orm::column_of(&Book::title), "text", false, false) +
                               column_rule(orm::column_of(&Book::description), "text", true, false);
  if (!problems.empty()) {
    FAIL(
        "Expected id: integer primary key numbered by the database; title: text NOT NULL; "
        "description: text that may be NULL. Instead:\n"
        << problems << fix("models/book.hpp", "step 2"));
  }
}

TEST_CASE("to_string gives \"<id>: <title>. Description: <description>\"", "[lesson03]") {
  Book ocean = make_book("Ocean Book", "watr 4evr");
  ocean.id = 1;
  Book sky = make_book("Sky Book", std::nullopt);
  sky.id = 12;
  const std::string with = to_string_of(ocean);
  const std::string without = to_string_of(sky);
  if (with != "1: Ocean Book. Description: watr 4evr" ||
      without != "12: Sky Book. Description: (none)") {
    FAIL(
        "Expected:\n    1: Ocean Book. Description: watr 4evr\n"
        "    12: Sky Book. Description: (none)\nActual:\n    "
        << with << "\n    " << without << "\n"
        << fix("models/book.hpp", "step 3"));
  }
}

TEST_CASE("create_app() registers Book in the app's metadata", "[lesson03]") {
  lesson_check::require_server();
  require_book_model();
  orm::App app = make_test_app();
  if (app.metadata().find(orm::table_info<Book>().name) == nullptr) {
    FAIL(
        "The app made by create_app() does not know the Book model: its metadata has no table "
        "\"books\", so create_all cannot make it. "
        << fix("app/app.cpp", "step 4"));
  }
}

TEST_CASE("create_all makes the books table from the app's metadata", "[lesson03]") {
  lesson_check::require_server();
  require_book_model();
  orm::App app = make_test_app();
  const std::string table = orm::table_info<Book>().name;
  if (table != "books") {
    FAIL("Not checked yet: Book's table is called \"" << table
                                                      << "\", not \"books\" (see the check "
                                                         "\"Book's table is called books\"). "
                                                      << fix("models/book.hpp", "step 1"));
  }
  if (app.metadata().find(table) == nullptr) {
    FAIL(
        "Not checked yet: create_app() does not register Book (see the check \"create_app() "
        "registers Book in the app's metadata\"). Finish step 4, then run "
        << lesson_check::rerun());
  }
  orm::drop_all(app.db(), app.metadata());
  orm::create_all(app.db(), app.metadata());
  const auto columns = live_columns(app.db(), "books");
  const bool ok = columns.size() == 3 && columns[0].name == "id" && columns[0].type == "integer" &&
                  !columns[0].nullable && columns[0].identity && columns[1].name == "title" &&
                  columns[1].type == "text" && !columns[1].nullable &&
                  columns[2].name == "description" && columns[2].type == "text" &&
                  columns[2].nullable;
  if (!ok) {
    FAIL(
        "Expected create_all to make books(id integer NOT NULL numbered by the database, title "
        "text NOT NULL, description text). PostgreSQL has:\n"
        << describe(columns) << fix("models/book.hpp", "step 2"));
  }
}

TEST_CASE("session.add and commit store books, get and all read them back", "[lesson03]") {
  require_book_model();
  Tables<Book> tables;
  orm::Session session(tables.db);
  Book ocean = make_book("Ocean Book", "watr 4evr");
  Book sky = make_book("Sky Book", std::nullopt);
  session.add(ocean);
  session.add(sky);
  session.commit();
  if (ocean.id != 1 || sky.id != 2) {
    FAIL(
        "After session.add() and commit() the database numbers the books 1 and 2; the objects "
        "have the ids "
        << ocean.id << " and " << sky.id
        << ". The id must be the primary key the database numbers. "
        << fix("models/book.hpp", "step 2"));
  }
  orm::Session reader(tables.db);
  const auto loaded = reader.get<Book>(1);
  const auto all = reader.all<Book>();
  const bool ok = loaded && loaded->title == "Ocean Book" &&
                  loaded->description == std::optional<std::string>("watr 4evr") &&
                  all.size() == 2 && all[1].title == "Sky Book" && !all[1].description &&
                  !reader.get<Book>(3);
  if (!ok) {
    FAIL(
        "session.get<Book>(1) and session.all<Book>() must give back the two books as they were "
        "saved (Ocean Book with its description, Sky Book without). Check that fields() lists "
        "every member under the right column name. "
        << fix("models/book.hpp", "step 2"));
  }
}

TEST_CASE("a book without a description is stored as NULL", "[lesson03]") {
  require_book_model();
  Tables<Book> tables;
  orm::Session session(tables.db);
  Book sky = make_book("Sky Book", std::nullopt);
  session.add(sky);
  session.commit();
  const auto rows =
      session.execute("SELECT description IS NULL FROM books WHERE title = 'Sky Book'");
  const auto loaded = session.get<Book>(sky.id);
  if (rows.size() != 1 || !rows[0][0].as<bool>() || !loaded || loaded->description) {
    FAIL(
        "description is a std::optional<std::string>: std::nullopt must be stored as NULL and "
        "NULL must load back as std::nullopt. "
        << fix("models/book.hpp", "step 2"));
  }
}

TEST_CASE("hello_books creates the table, adds the two books and lists them", "[lesson03]") {
  lesson_check::require_server();
  const orm::DatabaseUrl database = testing_support::scratch_database("program");
  const std::vector<lesson_check::EnvChange> environment{
      {"DATABASE_URL", database.uri_with_password()}};
  const std::string listing =
      "1: Ocean Book. Description: watr 4evr\n2: Sky Book. Description: (none)\n";

  const auto first = lesson_check::run_program(LESSON_PROGRAM, {}, environment);
  if (first.not_done()) {
    // Steps 5 and 6 are this check's own; the model and its registration have checks of their own.
    const bool own_step = first.err.find("main.cpp (step") != std::string::npos;
    FAIL(lesson_check::not_finished(first, "hello_books", own_step));
  }
  if (first.exit_code != 0 || first.out != "Added 2 books.\n" + listing || !first.err.empty()) {
    FAIL(
        "Expected on a fresh database: exit code 0, nothing on stderr, and exactly\n"
        "    Added 2 books.\n    1: Ocean Book. Description: watr 4evr\n"
        "    2: Sky Book. Description: (none)\n"
        << first.describe() << fix("main.cpp", "steps 5 and 6"));
  }
  const auto second = lesson_check::run_program(LESSON_PROGRAM, {}, environment);
  if (second.exit_code != 0 || second.out != listing || !second.err.empty()) {
    FAIL(
        "Expected on the second run: nothing added, the same two books listed:\n"
        "    1: Ocean Book. Description: watr 4evr\n    2: Sky Book. Description: (none)\n"
        << second.describe()
        << (second.out.rfind("Added", 0) == 0
                ? "The second run found the table empty and added the books again: the first "
                  "run's books were not kept. Only what the session commits stays. " +
                      fix("main.cpp", "step 5")
                : fix("main.cpp", "step 6")));
  }
}

TEST_CASE("your turn: Member's table is members, with id, name and email", "[lesson03]") {
  check_member_table();
}

TEST_CASE("your turn: Member::to_string shows the email, or (no email)", "[lesson03]") {
  check_member_to_string();
}

TEST_CASE("your turn: create_app() registers Member next to Book", "[lesson03]") {
  lesson_check::require_server();
  require_book_model();
  orm::App app = make_test_app();
  if (app.metadata().find("members") == nullptr || app.metadata().find("books") == nullptr) {
    FAIL(
        "The app made by create_app() must know both models: its metadata must have the tables "
        "books and members, so create_all makes both. "
        << fix("app/app.cpp", "Your turn"));
  }
}

TEST_CASE(
    "your turn: members_without_email finds the members without an email, by name, in one query",
    "[lesson03]") {
  check_members_without_email();
}

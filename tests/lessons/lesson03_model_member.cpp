// Do not change this file: it is part of lesson 03's checks (see lesson03_model.hpp).
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "lesson03_model.hpp"
#include "lesson_check.hpp"
#include "model_traits.hpp"
#include "models/member.hpp"
#include "orm/orm.hpp"

using lesson_check::fix;
using lesson_check::has_fields;
using lesson_check::has_table;
using lesson_check::has_to_string;

// Member (your turn): the checks compile whatever models/member.hpp holds so far.

namespace {

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
std::string member_missing_of() {
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
  if (!member_missing_of().empty()) {
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
void check_member_table_of() {
  const std::string missing = member_missing_of<M>();
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
void check_member_to_string_of() {
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
void check_members_without_email_of() {
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

void check_member_table() {
  check_member_table_of();
}

void check_member_to_string() {
  check_member_to_string_of();
}

void check_members_without_email() {
  check_members_without_email_of();
}

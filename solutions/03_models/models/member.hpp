// The Member model (Your turn in lessons/03_models/README.md): the library's members.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orm/model.hpp"
#include "orm/session.hpp"

// TODO (your turn): a member of the library, stored in the table "members": an id the database
// numbers, a name (every member has one) and an email address (a member may not have given
// one). to_string() reads "<id>: <name> <<email>>", e.g. "3: Ada Lovelace <ada@example.org>",
// or "<id>: <name> (no email)" for a member without one.
struct Member {
  // TODO (your turn): the table name, the members, fields() and to_string().
  static constexpr const char* table = "members";

  int id = 0;
  std::string name;
  std::optional<std::string> email;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
    v(email, "email");
  }

  std::string to_string() const {
    return std::to_string(id) + ": " + name + (email ? " <" + *email + ">" : " (no email)");
  }
};

// TODO (your turn): members_without_email(session): the members who gave no email address, sorted
// by name, so the library can ask them for one. One query: let the database pick the rows and
// sort them, instead of loading every member.
inline std::vector<Member> members_without_email(orm::Session& session) {
  auto without_email = session.query<Member>().filter_by(&Member::email, std::nullopt);
  return without_email.order_by(&Member::name).all();
}

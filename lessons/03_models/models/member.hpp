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
};

// TODO (your turn): members_without_email(session): the members who gave no email address, sorted
// by name, so the library can ask them for one. One query: let the database pick the rows and
// sort them, instead of loading every member.

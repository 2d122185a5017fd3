/// @file
/// Database administration: create, drop and list databases on a server.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orm/database.hpp"
#include "orm/url.hpp"

namespace orm {

/// A PostgreSQL server, reached through its maintenance database `postgres`: what `psql -U
/// postgres` gives you in the classic tutorial, for creating and dropping databases.
///
/// Names are quoted safely, so any valid name works. Errors are orm::ConnectionError (server
/// down, wrong password) and orm::DatabaseError (e.g. permission denied), each one line.
///
/// @code
/// orm::Server server{orm::DatabaseUrl::parse("postgresql://postgres:postgres@localhost:55432/")};
/// if (server.create_database("hello_books_development")) std::cout << "created\n";
/// else std::cout << "already there\n";
/// @endcode
class Server {
 public:
  /// `url` names the server and the credentials; its database part is ignored.
  explicit Server(const DatabaseUrl& url);

  /// True when a database called `name` exists.
  bool database_exists(std::string_view name);
  /// Creates database `name` unless it exists (`if not exists` semantics). Returns true when it
  /// created it. `template_name` copies another database (it must have no open connection);
  /// `tablespace` puts its files there instead of the server's default place (the role needs
  /// CREATE on that tablespace).
  bool create_database(std::string_view name, std::string_view template_name = {},
                       std::string_view tablespace = {});
  /// The tablespace database `name` lives in, when it is not the server's default (pg_default)
  /// and this role may create databases there; "" otherwise.
  std::string creatable_tablespace_of(std::string_view name);
  /// Drops database `name` if it exists; returns true when it dropped it. With `force`, open
  /// connections to it are closed first (PostgreSQL 13+ `WITH (FORCE)`).
  bool drop_database(std::string_view name, bool force = false);
  /// Names of the databases whose name starts with `prefix`, sorted.
  std::vector<std::string> databases(std::string_view prefix = {});

  /// The maintenance database connection, for anything else.
  Database& maintenance() { return maintenance_; }

 private:
  Database maintenance_;
};

}  // namespace orm

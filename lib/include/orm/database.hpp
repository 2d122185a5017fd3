/// @file
/// A handle on one database: owns the connection, opened on first use.
#pragma once

#include <memory>
#include <string>

#include <pqxx/types>

#include "orm/url.hpp"

namespace orm {

/// @cond INTERNAL
namespace detail {
struct DatabaseState;
}
/// @endcond

/// One database on one server, like Flask-SQLAlchemy's `db.engine` (with one connection, not a
/// pool of them).
///
/// Server messages below WARNING (e.g. the NOTICE "table already exists, skipping") are dropped,
/// decided by the severity the server sends untranslated; warnings go on to the
/// pqxx::errorhandler objects registered on the connection (none by default).
///
/// The connection is opened on first use. It closes when disconnect() is called, or when the
/// Database and every orm::Session made from it are gone: a session keeps the connection it
/// works on alive, so destroying the Database first is safe. Connection failures throw
/// orm::ConnectionError with a one-line message that names the server (never the password) and
/// the fix.
///
/// The statements sessions prepare are prepared again after a schema change made through the
/// library (create_all, drop_all, Session::execute, migrations). After changing the schema any
/// other way on this connection, call forget_prepared_statements().
///
/// @code
/// orm::Database db{orm::DatabaseUrl::parse(url)};
/// std::cout << db.url().database() << " on PostgreSQL " << db.server_version() << "\n";
/// @endcode
class Database {
 public:
  /// A handle on the database `url` names; nothing is sent until the first use.
  explicit Database(DatabaseUrl url);
  /// Gives up this handle; the connection closes once no session uses it.
  ~Database();
  /// Takes over the other handle's connection; the other handle can no longer be used.
  Database(Database&&) noexcept;
  /// Gives up this handle's connection and takes over the other's.
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// The URL this database was opened with.
  const DatabaseUrl& url() const noexcept { return url_; }

  /// The libpqxx connection, opened now if it is not open yet (or was lost). For raw libpqxx
  /// work. Throws orm::Error while a session has a transaction open on it (commit or roll it
  /// back first, or use Session::execute): a second transaction would end the session's.
  /// Include `<pqxx/connection_base>` (or `<pqxx/pqxx>`) to use it: this header only declares
  /// the type.
  pqxx::connection_base& connection();
  /// True when a connection is open.
  bool connected() const noexcept;
  /// Closes the connection (the next use opens a new one). A session's open transaction is
  /// lost; that session then reports it.
  void disconnect() noexcept;

  /// The server's version, e.g. "15.18".
  std::string server_version();

  /// Makes the statements prepared on this connection be prepared again before their next use.
  /// The library calls it after every schema change it makes; call it after changing the schema
  /// on this connection by other means (a prepared statement keeps the parameter and result
  /// types of the schema it was prepared on).
  void forget_prepared_statements() noexcept;

  /// @cond INTERNAL
  /// The state shared with sessions. Throws orm::Error when this handle was moved from.
  const std::shared_ptr<detail::DatabaseState>& state() const;
  /// @endcond

 private:
  DatabaseUrl url_;
  std::shared_ptr<detail::DatabaseState> state_;
};

}  // namespace orm

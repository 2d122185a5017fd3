/// @file
/// A handle on one database: owns the connection, opened on first use.
#pragma once

#include <memory>
#include <set>
#include <string>

#include <pqxx/connection>
#include <pqxx/errorhandler>

#include "orm/url.hpp"

namespace orm {

/// One database on one server, like Flask-SQLAlchemy's `db.engine` (with one connection, not a
/// pool of them).
///
/// Server NOTICE messages (e.g. "table already exists, skipping") are dropped; warnings still
/// reach stderr.
///
/// The connection is opened on first use and kept until the Database is destroyed or
/// disconnect() is called. Connection failures throw orm::ConnectionError with a one-line message
/// that names the server (never the password) and the fix.
///
/// @code
/// orm::Database db{orm::DatabaseUrl::parse(url)};
/// std::cout << db.url().database() << " on PostgreSQL " << db.server_version() << "\n";
/// @endcode
class Database {
 public:
  /// A handle on the database `url` names; nothing is sent until the first use.
  explicit Database(DatabaseUrl url);
  /// Closes the connection.
  ~Database();
  /// Takes over the other handle's connection.
  Database(Database&&) noexcept;
  /// Closes this connection and takes over the other handle's.
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// The URL this database was opened with.
  const DatabaseUrl& url() const noexcept { return url_; }

  /// The libpqxx connection, opened now if it is not open yet (or was lost). For raw libpqxx
  /// work.
  pqxx::connection& connection();
  /// True when a connection is open.
  bool connected() const noexcept;
  /// Closes the connection (the next use opens a new one).
  void disconnect() noexcept;

  /// The server's version, e.g. "15.18".
  std::string server_version();

  /// Prepares `sql` under `name` once per connection; later calls with the same name are free.
  void prepare_once(const std::string& name, const std::string& sql);

 private:
  DatabaseUrl url_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::errorhandler> notice_filter_;  // destroyed before the connection
  std::set<std::string> prepared_;
};

}  // namespace orm

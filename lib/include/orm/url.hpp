/// @file
/// Connection URLs: `postgresql://user:password@host:port/dbname?option=value`.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orm {

/// A parsed, validated PostgreSQL connection URL.
///
/// Parsing is done by libpq itself (`PQconninfoParse`), so every URL that `psql` accepts works
/// here, and so do libpq's key=value strings (`host=localhost port=5432 dbname=books user=me
/// password='a b'`). The SQLAlchemy form used by Flask (`postgresql+psycopg2://...`) is accepted
/// too: the `+driver` part is dropped. On top of libpq's rules:
/// - the port must be a number from 1 to 65535, and the database name a valid one that libpq
///   programs would not read as a second connection string;
/// - in a URL, an '@' may appear once, right before the host: libpq reads `user:password@` up to
///   the first '@' and only when no '/' comes before it, so an unencoded '@' or '/' in a password
///   would put part of the password into the host, port or database name. Write them as `%40`
///   and `%2F` (every character may be percent-encoded).
///
/// A text that is refused is never repeated in the error, not even in part: the message names
/// the problem in general terms. The password (from `user:password@`, `?password=` or
/// `password=`, however encoded) never appears in `masked()`, in `to_string()` or in any error
/// message; those are built from the parsed parts, never by searching text for the password.
///
/// @code
/// auto url = orm::DatabaseUrl::parse(
///     "postgresql://postgres:postgres@localhost:55432/hello_books_development");
/// url.database();   // "hello_books_development"
/// url.masked();     // "postgresql://postgres:***@localhost:55432/hello_books_development"
/// auto admin = url.with_database("postgres");   // same server, maintenance database
/// @endcode
class DatabaseUrl {
 public:
  /// Parses and validates `text`, a URL or a key=value string. Throws orm::ConfigError with a
  /// one-line message that repeats nothing of `text` after its scheme.
  static DatabaseUrl parse(std::string_view text);

  /// Host name, IP address or unix-socket directory ("localhost" when the URL names none).
  std::string host() const;
  /// TCP port (5432 when the URL names none).
  int port() const;
  /// User name (empty: libpq uses the operating-system user).
  std::string user() const;
  /// Database name (empty: libpq uses the user name).
  std::string database() const;
  /// True when the URL carries a password.
  bool has_password() const;

  /// The same server and credentials with another database, e.g. `with_database("postgres")`.
  /// Throws orm::ConfigError when `name` is not a valid database name.
  DatabaseUrl with_database(std::string_view name) const;
  /// The same server and database, logging in as `user` with `password` (an empty one: none).
  /// Both may hold any character: uri_with_password() and conninfo() encode or quote them.
  DatabaseUrl with_login(std::string_view user, std::string_view password) const;

  /// Printable URL, rebuilt from the parsed parts with the password replaced by `***` (whatever
  /// form the password was given in).
  std::string masked() const;
  /// Same as masked(): a DatabaseUrl never prints its password.
  std::string to_string() const { return masked(); }
  /// "host:port", for messages.
  std::string server() const;

  /// libpq keyword/value connection string, password included: hand it to libpq, never print it.
  std::string conninfo() const;
  /// The full URL, password included: for handing to another program (e.g. in an environment
  /// variable), never for printing.
  std::string uri_with_password() const;

  /// Replaces this URL's password in `text` by `***` where it stands alone (not inside a longer
  /// word, so a password `postgres` leaves `postgres_audit` alone). A last resort for text from
  /// outside the library: orm messages are built without the password and need no scrubbing.
  std::string scrub(std::string text) const;

 private:
  DatabaseUrl() = default;
  std::string render(bool mask) const;
  const std::string* find(std::string_view keyword) const;
  void set(std::string_view keyword, std::string value);

  std::vector<std::pair<std::string, std::string>> options_;  // keyword -> value, as libpq parsed
};

/// Checks a database name: 1 to 63 bytes, no NUL byte, no leading or trailing space, not
/// something libpq programs read as a connection string (an '=' or a `postgresql://` prefix).
/// Throws orm::ConfigError naming the problem.
void validate_database_name(std::string_view name);

/// The value of the environment variable `name`, or `fallback` when it is unset or empty.
std::string env_or(const char* name, std::string_view fallback);

}  // namespace orm

/// @file
/// Errors thrown by the orm library.
///
/// Every orm error has a one-line what() that names the problem and the fix, and never contains
/// a password: connection messages are built from the parsed URL and libpq's status, never from
/// libpq's or the server's text. Errors are classified by SQLSTATE, exception type and libpq's
/// status functions, so they read the same whatever language libpq and the server speak.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace orm {

/// Base class of every error the library throws. `what()` is a single line without a password.
class Error : public std::runtime_error {
 public:
  /// `message`: one line that names the problem and the fix, without a password.
  explicit Error(const std::string& message);
};

/// A connection URL or another setting is invalid (nothing was sent to a server).
class ConfigError : public Error {
 public:
  /// Same as orm::Error's constructor.
  using Error::Error;
};

/// The server could not be reached or refused the connection, or the connection was lost.
class ConnectionError : public Error {
 public:
  /// Why the connection failed; lets callers react without parsing the message.
  enum class Reason {
    server_unreachable,  ///< no server answered at host:port (not running, wrong host or port)
    authentication,      ///< wrong password, or the server wants one and the URL has none
    database_missing,    ///< the database named in the URL does not exist (SQLSTATE 3D000)
    role_missing,        ///< the user does not exist or may not log in so (SQLSTATE 28000)
    connection_lost,     ///< an established connection broke (server restart, network)
    commit_in_doubt,     ///< the connection broke during COMMIT: it may or may not have happened
    other,               ///< anything else; the message names the SQLSTATE when there is one
  };
  /// `message` as for orm::Error; `reason` for callers that react to the cause.
  ConnectionError(Reason reason, const std::string& message);
  /// Why the connection failed.
  Reason reason() const noexcept { return reason_; }

 private:
  Reason reason_;
};

/// The server rejected a statement. Carries the five-character SQLSTATE code.
class DatabaseError : public Error {
 public:
  /// `message` as for orm::Error; `sqlstate` as the server sent it.
  DatabaseError(std::string sqlstate, const std::string& message);
  /// SQLSTATE code, e.g. "23505" for a unique violation (empty when the server sent none).
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// A value cannot be stored or loaded (e.g. a string containing a NUL byte, a bad number).
class ValueError : public Error {
 public:
  /// Same as orm::Error's constructor.
  using Error::Error;
};

/// A model declaration or use is invalid (e.g. no primary key, unknown member).
class ModelError : public Error {
 public:
  /// Same as orm::Error's constructor.
  using Error::Error;
};

/// The class of a failure, for code that reacts to it (report, retry, roll back).
enum class FailureClass {
  other,                 ///< not a failure of the database, its connection or its settings
  invalid_settings,      ///< orm::ConfigError: a bad URL or setting; nothing reached a server
  cannot_connect,        ///< no session could be opened; orm::ConnectionError::reason() says why
  connection_lost,       ///< an open session broke (server stopped or restarted, network, killed)
  commit_in_doubt,       ///< the session broke during COMMIT: it may or may not have happened
  canceled,              ///< statement_timeout, lock_timeout or a cancel request (57014, 55P03)
  transaction_conflict,  ///< serialization failure or deadlock (SQLSTATE class 40): retry
  statement_failed,      ///< the server refused a statement; sqlstate_of() says why
};

/// Which class of failure `error` is, decided from its C++ type (orm errors and the libpqxx
/// exceptions raw libpqxx code lets through), its SQLSTATE and libpq's connection status - never
/// from its message text, which libpq (LANGUAGE, LC_MESSAGES) and the server (`lc_messages`)
/// translate.
///
/// @code
/// try {
///   session.commit();
/// } catch (const std::exception& e) {
///   if (orm::failure_class(e) == orm::FailureClass::transaction_conflict) retry();
///   else throw;
/// }
/// @endcode
FailureClass failure_class(const std::exception& error) noexcept;

/// The five-character SQLSTATE the server sent with `error` (orm::DatabaseError,
/// pqxx::sql_error), or "" when there is none.
std::string sqlstate_of(const std::exception& error);

}  // namespace orm

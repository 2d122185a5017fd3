/// @file
/// Errors thrown by the orm library.
///
/// Every orm error has a one-line what() that names the problem and the fix, and never contains
/// a password: messages are built from masked URLs and scrubbed server texts.
#pragma once

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
    server_unreachable,  ///< nothing listens at host:port (server not running, wrong port)
    authentication,      ///< wrong password or authentication method
    database_missing,    ///< the database named in the URL does not exist
    role_missing,        ///< the user named in the URL does not exist
    connection_lost,     ///< an established connection broke (server restart, network)
    other,               ///< anything else; the message carries the server's text
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

}  // namespace orm

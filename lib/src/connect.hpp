// Internal: opening a libpq connection so that a failure can be classified without reading
// libpq's or the server's message text (both are translated).
#pragma once

#include <string>

#include <pqxx/connection_base>
#include <pqxx/connectionpolicy>
#include <pqxx/except>

namespace orm::detail {

/// Why a connection attempt failed, from libpq's status functions and the server's SQLSTATE.
struct ConnectDiagnosis {
  bool reached_server = false;  ///< a transport connection to a server was made (PQstatus)
  bool timed_out = false;       ///< connect_timeout expired before the login completed
  bool needs_password = false;  ///< PQconnectionNeedsPassword: asked for one, none was given
  bool used_password = false;   ///< PQconnectionUsedPassword: a password was sent
  std::string sqlstate;         ///< the server's SQLSTATE when it refused the login, else empty
  std::string user;             ///< the user libpq logged in as (PQuser, defaults applied)
  std::string database;         ///< the database libpq asked for (PQdb, defaults applied)
};

/// Thrown when a connection cannot be opened. Its what() is a fixed text: messages are built
/// from the diagnosis and the parsed URL (see rethrow_translated).
class ConnectFailure : public pqxx::broken_connection {
 public:
  explicit ConnectFailure(ConnectDiagnosis diagnosis)
      : pqxx::broken_connection("connection attempt failed"), diagnosis_(std::move(diagnosis)) {}
  const ConnectDiagnosis& diagnosis() const noexcept { return diagnosis_; }

 private:
  ConnectDiagnosis diagnosis_;
};

/// libpqxx connection policy: connects with PQconnectStart/PQconnectPoll (the SQLSTATE of a
/// refused login is only readable that way), throws ConnectFailure when it cannot, and drops
/// server notices below WARNING by their untranslated severity. It also records libpq's handle,
/// which libpqxx 6.4 keeps private (see Connection).
class ConnectPolicy final : public pqxx::connectionpolicy {
 public:
  explicit ConnectPolicy(const std::string& conninfo) : pqxx::connectionpolicy(conninfo) {}
  handle do_startconnect(handle existing) override;
  handle do_disconnect(handle existing) noexcept override {
    return current_ = pqxx::connectionpolicy::do_disconnect(existing);
  }
  /// libpq's handle of the open connection, or nullptr.
  handle current() const noexcept { return current_; }

 private:
  handle current_ = nullptr;
};

/// The connection type orm::Database holds: what pqxx::connection is (a connection_base with a
/// policy), with ConnectPolicy, and libpq's own handle for the session. The session needs the
/// handle for one thing libpqxx cannot do: send several statements in one round trip (libpq's
/// pipeline mode), e.g. BEGIN with the first INSERT.
class Connection final : public pqxx::connection_base {
 public:
  explicit Connection(const std::string& conninfo)
      : pqxx::connection_base(policy_), policy_(conninfo) {
    init();
  }
  ~Connection() noexcept { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// libpq's handle, or nullptr when closed.
  pg_conn* handle() const noexcept { return policy_.current(); }

 private:
  ConnectPolicy policy_;
};

/// The SQLSTATE at the end of a libpq error text written with PQERRORS_SQLSTATE verbosity
/// ("...: FATAL:  28P01"), or "" when the text ends with no SQLSTATE (libpq's own errors).
std::string trailing_sqlstate(const std::string& message);

}  // namespace orm::detail

#include "orm/errors.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <pqxx/except>

#include <algorithm>

#include "connect.hpp"
#include "translate.hpp"

namespace orm {
namespace {

using Reason = ConnectionError::Reason;

bool starts_with(const std::string& text, const char* prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Server states that mean the session is gone: connection exceptions (class 08) and the
// operator-intervention codes for shutdown and restart.
bool connection_state(const std::string& state) {
  return starts_with(state, "08") || state == "57P01" || state == "57P02" || state == "57P03";
}

// The key of a unique violation, from the part of its DETAIL line that PostgreSQL builds
// without translating it: "(title)=(Dune)" in "Key (title)=(Dune) already exists." and in
// every translation of that sentence. Parentheses are matched, so "(lower(title))=(x)" works.
bool violated_key(const std::string& what, std::string& columns, std::string& values) {
  const auto first_line_end = what.find('\n');
  if (first_line_end == std::string::npos) return false;
  const auto equals = what.find(")=(", first_line_end);
  if (equals == std::string::npos) return false;
  const auto line_end = std::min(what.find('\n', equals), what.size());

  std::size_t open = equals;  // walk back to the '(' that matches the ')' at `equals`
  for (int depth = 0; open > first_line_end; --open) {
    if (what[open] == ')') ++depth;
    if (what[open] == '(' && --depth == 0) break;
  }
  if (what[open] != '(') return false;
  std::size_t close = equals + 2;  // walk on to the ')' that matches the '(' after '='
  for (int depth = 0; close < line_end; ++close) {
    if (what[close] == '(') ++depth;
    if (what[close] == ')' && --depth == 0) break;
  }
  if (close >= line_end) close = what.rfind(')', line_end);  // a value with a stray ')'
  if (close == std::string::npos || close <= equals + 2) return false;
  columns = what.substr(open + 1, equals - open - 1);
  values = what.substr(equals + 3, close - equals - 3);
  return true;
}

std::string sql_error_message(const std::string& state, const std::string& what) {
  std::string reason = detail::server_message(what);  // not const: moved out by the last return
  std::string columns, values;
  if (state == "23505" && violated_key(what, columns, values)) {
    // A key of several columns, "book_id, genre_id" = "1, 2": the pair is what repeats.
    if (columns.find(", ") != std::string::npos && columns.find('(') == std::string::npos) {
      return "unique violation: a row with (" + columns + ") = (" + values +
             ") already exists; the combination must be new, not each value";
    }
    return "unique violation: a row with " + columns + " = '" + values +
           "' already exists; use that row, or a different " + columns;
  }
  if (state == "42P01") {
    return reason + ": create the table first (orm::create_all, or run the migrations)";
  }
  if (state == "42501") {
    return reason + ": connect as a user with this privilege (e.g. postgres)";
  }
  if (state == "55006") {
    return reason + ": close the other connections to it (other programs, psql) and retry";
  }
  return reason;
}

// True when `host` is one name that the resolver does not know (an IP address, a socket
// directory or a host list is never "unknown").
bool unknown_host_name(const std::string& host) {
  if (host.empty() || host.front() == '/' || host.find_first_of(",:") != std::string::npos) {
    return false;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (found != nullptr) ::freeaddrinfo(found);
  return status == EAI_NONAME || status == EAI_FAIL
#ifdef EAI_NODATA
         || status == EAI_NODATA
#endif
      ;
}

std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

// Every message here is built from the parsed URL and the diagnosis: libpq's and the server's
// texts are translated, and they repeat host names and other parts of what they were given.
[[noreturn]] void throw_connect_failure(const DatabaseUrl& url,
                                        const detail::ConnectDiagnosis& diagnosis) {
  const std::string where = url.server();
  const std::string user = quoted(diagnosis.user.empty() ? url.user() : diagnosis.user);
  const std::string database = diagnosis.database.empty() ? url.database() : diagnosis.database;
  const std::string& state = diagnosis.sqlstate;

  if (!diagnosis.reached_server) {
    if (unknown_host_name(url.host())) {
      throw ConnectionError(Reason::server_unreachable,
                            "cannot connect to PostgreSQL at " + where + ": the host name " +
                                quoted(url.host()) +
                                " is not known; check the host in the connection URL");
    }
    throw ConnectionError(Reason::server_unreachable,
                          "cannot connect to PostgreSQL at " + where +
                              (diagnosis.timed_out ? " (no answer within connect_timeout)"
                                                   : " (no server answers there)") +
                              ": is the server running? In this workbook: ./workbook db start");
  }
  if (diagnosis.needs_password) {
    throw ConnectionError(Reason::authentication,
                          "PostgreSQL at " + where + " wants a password for " + user +
                              ": add it to the URL, postgresql://USER:PASSWORD@HOST:PORT/DB");
  }
  if (state == "28P01") {
    throw ConnectionError(Reason::authentication,
                          "cannot log in to PostgreSQL at " + where + " as " + user +
                              ": wrong password; fix the password in the connection URL");
  }
  if (state == "28000") {
    throw ConnectionError(Reason::role_missing,
                          "cannot log in to PostgreSQL at " + where + " as " + user +
                              ": no such user, or the server does not let it log in this way "
                              "(SQLSTATE 28000); use an existing user in the URL (e.g. postgres)");
  }
  if (state == "3D000") {
    throw ConnectionError(Reason::database_missing,
                          "database " + quoted(database) + " does not exist on " + where +
                              ": create it first (lesson 01, or in psql: CREATE DATABASE " +
                              database + ";)");
  }
  if (state == "42501") {
    throw ConnectionError(Reason::other, "PostgreSQL at " + where + " does not let " + user +
                                             " connect to database " + quoted(database) +
                                             " (SQLSTATE 42501): grant CONNECT on it, or use "
                                             "another user");
  }
  if (state == "53300") {
    throw ConnectionError(Reason::other,
                          "PostgreSQL at " + where +
                              " has no free connection (SQLSTATE 53300): close other "
                              "programs' connections (psql, other runs) and retry");
  }
  if (state == "57P03") {
    throw ConnectionError(Reason::other,
                          "PostgreSQL at " + where +
                              " is starting up or shutting down (SQLSTATE 57P03): wait a "
                              "moment and retry");
  }
  if (!state.empty()) {
    throw ConnectionError(Reason::other, "PostgreSQL at " + where +
                                             " refused the connection (SQLSTATE " + state + ")");
  }
  throw ConnectionError(Reason::other,
                        "cannot connect to PostgreSQL at " + where +
                            ": the connection was made but ended before the login completed; "
                            "check the connection options (e.g. sslmode) and that this is a "
                            "PostgreSQL server");
}

[[noreturn]] void throw_connection_lost(const DatabaseUrl& url) {
  throw ConnectionError(Reason::connection_lost,
                        "lost the connection to PostgreSQL at " + url.server() +
                            ": the server stopped or restarted, or the network dropped it; "
                            "start it and retry");
}

}  // namespace

Error::Error(const std::string& message) : std::runtime_error(detail::one_line(message)) {}

ConnectionError::ConnectionError(Reason reason, const std::string& message)
    : Error(message), reason_(reason) {}

DatabaseError::DatabaseError(std::string sqlstate, const std::string& message)
    : Error(sqlstate.empty() ? message : message + " (SQLSTATE " + sqlstate + ")"),
      sqlstate_(std::move(sqlstate)) {}

std::string sqlstate_of(const std::exception& error) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    if (!sql->sqlstate().empty()) return sql->sqlstate();
    // libpqxx 6.4 throws these without their SQLSTATE (or as types outside sql_error): the type
    // is the code.
    if (dynamic_cast<const pqxx::insufficient_privilege*>(&error) != nullptr) return "42501";
    return {};
  }
  if (const auto* db = dynamic_cast<const DatabaseError*>(&error)) return db->sqlstate();
  if (dynamic_cast<const pqxx::serialization_failure*>(&error) != nullptr) return "40001";
  if (dynamic_cast<const pqxx::deadlock_detected*>(&error) != nullptr) return "40P01";
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&error) != nullptr) return "40003";
  if (dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr) return "40000";
  if (dynamic_cast<const pqxx::too_many_connections*>(&error) != nullptr) return "53300";
  return {};
}

FailureClass failure_class(const std::exception& error) noexcept {
  if (dynamic_cast<const ConfigError*>(&error) != nullptr) return FailureClass::invalid_settings;
  if (const auto* connection = dynamic_cast<const ConnectionError*>(&error)) {
    switch (connection->reason()) {
      case Reason::connection_lost:
        return FailureClass::connection_lost;
      case Reason::commit_in_doubt:
        return FailureClass::commit_in_doubt;
      default:
        return FailureClass::cannot_connect;
    }
  }
  if (dynamic_cast<const detail::ConnectFailure*>(&error) != nullptr) {
    return FailureClass::cannot_connect;
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) {
    return FailureClass::commit_in_doubt;
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
    return FailureClass::connection_lost;
  }
  const bool from_server = dynamic_cast<const pqxx::sql_error*>(&error) != nullptr ||
                           dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr ||
                           dynamic_cast<const DatabaseError*>(&error) != nullptr;
  if (!from_server) return FailureClass::other;
  std::string state;
  try {
    state = sqlstate_of(error);
  } catch (...) {  // out of memory copying five characters: classify by type alone
  }
  if (connection_state(state)) return FailureClass::connection_lost;
  if (state == "57014" || state == "55P03") return FailureClass::canceled;
  if (starts_with(state, "40")) return FailureClass::transaction_conflict;
  return FailureClass::statement_failed;
}

namespace detail {

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string server_message(const std::string& what) {
  std::string line = what.substr(0, what.find('\n'));
  // libpq writes "SEVERITY:  message"; the severity is translated ("ERROR", "FEHLER", ...),
  // the colon and two spaces are not.
  const auto separator = line.find(":  ");
  if (separator <= 32) line.erase(0, separator + 3);  // npos (not found) is never <= 32
  return one_line(line);
}

void rethrow_translated(const DatabaseUrl& url, Phase phase) {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const ConnectFailure& e) {
    throw_connect_failure(url, e.diagnosis());
  } catch (const pqxx::in_doubt_error&) {
    throw ConnectionError(Reason::commit_in_doubt,
                          "the connection to PostgreSQL at " + url.server() +
                              " broke while committing; the commit may or may not have "
                              "happened: check the data and retry");
  } catch (const pqxx::broken_connection&) {
    if (phase == Phase::connecting) {  // a connection opened without ConnectPolicy
      throw ConnectionError(Reason::other, "cannot connect to PostgreSQL at " + url.server());
    }
    throw_connection_lost(url);
  } catch (const pqxx::sql_error& e) {
    const std::string state = sqlstate_of(e);
    if (connection_state(state)) throw_connection_lost(url);
    throw DatabaseError(state, sql_error_message(state, e.what()));
  } catch (const pqxx::transaction_rollback& e) {  // class 40, not an sql_error in libpqxx 6.4
    throw DatabaseError(sqlstate_of(e), server_message(e.what()));
  } catch (const std::exception& e) {
    throw Error(e.what());
  }
}

}  // namespace detail
}  // namespace orm

#include <pqxx/except>

#include "orm/errors.hpp"
#include "translate.hpp"

namespace orm {
namespace {

bool contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

// The text between the first pair of double quotes after `marker`, e.g. the name in
// `database "x" does not exist`.
std::string quoted_after(const std::string& text, const std::string& marker) {
  auto pos = text.find(marker);
  if (pos == std::string::npos) return {};
  auto open = text.find('"', pos);
  auto close = open == std::string::npos ? open : text.find('"', open + 1);
  if (close == std::string::npos) return {};
  return text.substr(open + 1, close - open - 1);
}

// "DETAIL:  Key (title)=(Dune) already exists." -> "title" and "Dune".
bool key_detail(const std::string& text, std::string& column, std::string& value) {
  auto key = text.find("Key (");
  if (key == std::string::npos) return false;
  auto close = text.find(")=(", key);
  if (close == std::string::npos) return false;
  column = text.substr(key + 5, close - key - 5);
  auto end = text.find(") already exists", close);
  if (end == std::string::npos) end = text.find(')', close + 3);
  value = text.substr(close + 3, end == std::string::npos ? std::string::npos : end - close - 3);
  return true;
}

std::string sql_error_message(const std::string& state, const std::string& what) {
  const std::string first = detail::server_message(what);
  std::string column, value;
  if (state == "23505" && key_detail(what, column, value)) {
    return "unique violation: a row with " + column + " = '" + value + "' already exists (" +
           first + "); use a different " + column;
  }
  if (state == "42P01") {
    return first + ": create the table first (orm::create_all, or run the migrations)";
  }
  if (state == "42501") {
    return first + ": connect as a user with this privilege (e.g. postgres)";
  }
  if (state == "55006") {
    return first + ": close the other connections to it (other programs, psql) and retry";
  }
  return first;
}

}  // namespace

Error::Error(const std::string& message) : std::runtime_error(detail::one_line(message)) {}

ConnectionError::ConnectionError(Reason reason, const std::string& message)
    : Error(message), reason_(reason) {}

DatabaseError::DatabaseError(std::string sqlstate, const std::string& message)
    : Error(sqlstate.empty() ? message : message + " (SQLSTATE " + sqlstate + ")"),
      sqlstate_(std::move(sqlstate)) {}

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
  for (const char* prefix : {"ERROR:  ", "FATAL:  ", "ERROR: ", "FATAL: "}) {
    if (line.rfind(prefix, 0) == 0) {
      line.erase(0, std::string(prefix).size());
      break;
    }
  }
  return one_line(line);
}

namespace {

// libpq: 'connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused'.
std::string libpq_reason(const std::string& what) {
  const auto failed = what.find("failed: ");
  return server_message(failed == std::string::npos ? what : what.substr(failed + 8));
}

[[noreturn]] void throw_connection_error(const DatabaseUrl& url, const std::string& what,
                                         Phase phase) {
  using Reason = ConnectionError::Reason;
  const std::string where = url.server();
  if (phase == Phase::running) {
    throw ConnectionError(Reason::connection_lost,
                          "lost the connection to PostgreSQL at " + where + " (" +
                              server_message(what) +
                              "): the server stopped or restarted; start it and retry");
  }
  if (contains(what, "password authentication failed")) {
    throw ConnectionError(Reason::authentication,
                          "cannot log in to PostgreSQL at " + where + " as \"" + url.user() +
                              "\": wrong password; fix the password in the connection URL");
  }
  if (contains(what, "no password supplied")) {
    throw ConnectionError(Reason::authentication,
                          "PostgreSQL at " + where + " wants a password for \"" + url.user() +
                              "\": add it to the URL, postgresql://USER:PASSWORD@HOST:PORT/DB");
  }
  if (contains(what, "database \"") && contains(what, "does not exist")) {
    const std::string db = quoted_after(what, "database ");
    throw ConnectionError(Reason::database_missing,
                          "database \"" + db + "\" does not exist on " + where +
                              ": create it first (lesson 01, or in psql: CREATE DATABASE " + db +
                              ";)");
  }
  if (contains(what, "role \"") && contains(what, "does not exist")) {
    throw ConnectionError(Reason::role_missing,
                          "user \"" + quoted_after(what, "role ") + "\" does not exist on " +
                              where + ": use an existing user in the URL (e.g. postgres)");
  }
  if (contains(what, "Connection refused") || contains(what, "No such file or directory") ||
      contains(what, "could not translate host name") || contains(what, "timeout expired") ||
      contains(what, "Network is unreachable") || contains(what, "Cannot assign requested")) {
    throw ConnectionError(Reason::server_unreachable,
                          "cannot connect to PostgreSQL at " + where + " (" + libpq_reason(what) +
                              "): is the server running? In this workbook: ./workbook db start");
  }
  throw ConnectionError(Reason::other,
                        "cannot connect to PostgreSQL at " + where + ": " + server_message(what));
}

}  // namespace

void rethrow_translated(const DatabaseUrl& url, Phase phase) {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw_connection_error(url, url.scrub(e.what()), phase);
  } catch (const pqxx::sql_error& e) {
    const std::string what = url.scrub(e.what());
    if (e.sqlstate().rfind("08", 0) == 0 || e.sqlstate() == "57P01") {
      throw_connection_error(url, what, Phase::running);
    }
    throw DatabaseError(e.sqlstate(), sql_error_message(e.sqlstate(), what));
  } catch (const pqxx::in_doubt_error& e) {
    throw ConnectionError(ConnectionError::Reason::connection_lost,
                          "the connection broke while committing; the commit may or may not have "
                          "happened: check the data and retry (" +
                              url.scrub(e.what()) + ")");
  } catch (const std::exception& e) {
    throw Error(url.scrub(e.what()));
  }
}

}  // namespace detail
}  // namespace orm

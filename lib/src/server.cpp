#include "orm/server.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "orm/errors.hpp"
#include "translate.hpp"

namespace orm {

Server::Server(const DatabaseUrl& url) : maintenance_(url.with_database("postgres")) {}

bool Server::database_exists(std::string_view name) {
  validate_database_name(name);
  try {
    pqxx::nontransaction tx(maintenance_.connection());
    return !tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", std::string(name))
                .empty();
  } catch (...) {
    detail::rethrow_translated(maintenance_.url(), detail::Phase::running);
  }
}

bool Server::create_database(std::string_view name, std::string_view template_name,
                             std::string_view tablespace) {
  if (database_exists(name)) return false;
  if (!template_name.empty()) validate_database_name(template_name);
  auto& conn = maintenance_.connection();
  std::string sql = "CREATE DATABASE " + conn.quote_name(std::string(name));
  if (!template_name.empty()) sql += " TEMPLATE " + conn.quote_name(std::string(template_name));
  if (!tablespace.empty()) sql += " TABLESPACE " + conn.quote_name(std::string(tablespace));
  try {
    pqxx::nontransaction tx(conn);  // CREATE DATABASE cannot run inside a transaction block
    tx.exec0(sql);
    return true;
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "42P04") return false;  // created concurrently by someone else
    detail::rethrow_translated(maintenance_.url(), detail::Phase::running);
  } catch (...) {
    detail::rethrow_translated(maintenance_.url(), detail::Phase::running);
  }
}

std::string Server::creatable_tablespace_of(std::string_view name) {
  validate_database_name(name);
  try {
    pqxx::nontransaction tx(maintenance_.connection());
    const pqxx::result found = tx.exec_params(
        "SELECT t.spcname FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace "
        "WHERE d.datname = $1 AND t.spcname <> 'pg_default' AND "
        "has_tablespace_privilege(t.oid, 'CREATE')",
        std::string(name));
    return found.empty() ? std::string() : found[0][0].as<std::string>();
  } catch (...) {
    detail::rethrow_translated(maintenance_.url(), detail::Phase::running);
  }
}

bool Server::drop_database(std::string_view name, bool force) {
  validate_database_name(name);
  auto& conn = maintenance_.connection();
  const std::string sql = "DROP DATABASE IF EXISTS " + conn.quote_name(std::string(name)) +
                          (force ? " WITH (FORCE)" : "");
  try {
    if (!database_exists(name)) return false;
    pqxx::nontransaction tx(conn);
    tx.exec0(sql);
    return true;
  } catch (...) {
    detail::rethrow_translated(maintenance_.url(), detail::Phase::running);
  }
}

std::vector<std::string> Server::databases(std::string_view prefix) {
  try {
    pqxx::nontransaction tx(maintenance_.connection());
    std::vector<std::string> names;
    for (const auto& row :
         tx.exec_params("SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1 "
                        "ORDER BY datname",
                        std::string(prefix))) {
      names.push_back(row[0].as<std::string>());
    }
    return names;
  } catch (...) {
    detail::rethrow_translated(maintenance_.url(), detail::Phase::running);
  }
}

}  // namespace orm

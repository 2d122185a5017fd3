#include "orm/database.hpp"

#include <pqxx/nontransaction>

#include "connect.hpp"
#include "translate.hpp"

namespace orm {

Database::Database(DatabaseUrl url) : url_(std::move(url)) {}
Database::~Database() {
  disconnect();
}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    disconnect();
    url_ = std::move(other.url_);
    connection_ = std::move(other.connection_);
    prepared_ = std::move(other.prepared_);
  }
  return *this;
}

pqxx::connection_base& Database::connection() {
  if (connection_ && !connection_->is_open()) disconnect();  // lost: open a new one
  if (!connection_) {
    try {
      connection_ = std::make_unique<detail::Connection>(url_.conninfo());
    } catch (...) {
      detail::rethrow_translated(url_, detail::Phase::connecting);
    }
    prepared_.clear();
  }
  return *connection_;
}

bool Database::connected() const noexcept {
  return connection_ != nullptr;
}

void Database::disconnect() noexcept {
  connection_.reset();
  prepared_.clear();
}

std::string Database::server_version() {
  const int version = connection().server_version();  // e.g. 150018
  return std::to_string(version / 10000) + "." + std::to_string(version % 10000);
}

void Database::prepare_once(const std::string& name, const std::string& sql) {
  auto& conn = connection();  // first: a reconnect forgets what was prepared
  if (prepared_.count(name) != 0) return;
  try {
    conn.prepare(name, sql);
  } catch (...) {
    detail::rethrow_translated(url_, detail::Phase::running);
  }
  prepared_.insert(name);
}

}  // namespace orm

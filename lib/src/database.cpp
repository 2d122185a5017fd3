#include "orm/database.hpp"

#include "database_state.hpp"
#include "translate.hpp"

namespace orm {
namespace detail {

Connection& DatabaseState::open() {
  if (connection && !connection->is_open()) close();  // lost: open a new one
  if (!connection) {
    try {
      connection = std::make_unique<Connection>(url.conninfo());
    } catch (...) {
      connection.reset();
      rethrow_translated(url, Phase::connecting);
    }
    ++generation;
  }
  return *connection;
}

void DatabaseState::close() noexcept {
  connection.reset();
  prepared.clear();
  stale.clear();
  transaction_owner = nullptr;  // that session finds its connection gone (generation)
}

void DatabaseState::forget_prepared_statements() noexcept {
  for (auto it = prepared.begin(); it != prepared.end();) {
    stale.push_back(std::move(prepared.extract(it++).value()));
  }
}

}  // namespace detail

Database::Database(DatabaseUrl url)
    : url_(url), state_(std::make_shared<detail::DatabaseState>(std::move(url))) {}
Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

const std::shared_ptr<detail::DatabaseState>& Database::state() const {
  if (!state_) {
    throw Error("this orm::Database was moved from: use the object it was moved to");
  }
  return state_;
}

pqxx::connection_base& Database::connection() {
  auto& state = *this->state();
  if (state.transaction_owner != nullptr) {
    throw Error("a session has a transaction open on " + url_.database() +
                ": commit() or rollback() it before using the connection directly (or run the "
                "SQL with Session::execute)");
  }
  return state.open();
}

bool Database::connected() const noexcept {
  return state_ && state_->connection != nullptr;
}

void Database::disconnect() noexcept {
  if (state_) state_->close();
}

std::string Database::server_version() {
  const int version = state()->open().server_version();  // e.g. 150018
  return std::to_string(version / 10000) + "." + std::to_string(version % 10000);
}

void Database::forget_prepared_statements() noexcept {
  if (state_) state_->forget_prepared_statements();
}

}  // namespace orm

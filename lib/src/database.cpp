#include "orm/database.hpp"

#include <pqxx/nontransaction>

#include "translate.hpp"

namespace orm {
namespace {

// libpqxx prints every server notice to stderr; keep only warnings and errors.
class NoticeFilter final : public pqxx::errorhandler {
 public:
  using pqxx::errorhandler::errorhandler;
  bool operator()(const char message[]) noexcept override {
    return std::string_view(message).rfind("NOTICE:", 0) != 0 &&
           std::string_view(message).rfind("DEBUG:", 0) != 0 &&
           std::string_view(message).rfind("INFO:", 0) != 0;
  }
};

}  // namespace

Database::Database(DatabaseUrl url) : url_(std::move(url)) {}
Database::~Database() {
  disconnect();
}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    disconnect();  // the notice filter must go before its connection
    url_ = std::move(other.url_);
    connection_ = std::move(other.connection_);
    notice_filter_ = std::move(other.notice_filter_);
    prepared_ = std::move(other.prepared_);
  }
  return *this;
}

pqxx::connection& Database::connection() {
  if (connection_ && !connection_->is_open()) disconnect();  // lost: open a new one
  if (!connection_) {
    try {
      connection_ = std::make_unique<pqxx::connection>(url_.conninfo());
      notice_filter_ = std::make_unique<NoticeFilter>(*connection_);
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
  notice_filter_.reset();
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

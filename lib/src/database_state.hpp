// Internal: what an orm::Database shares with the sessions made from it.
#pragma once

#include <pqxx/connection>
#include <pqxx/connection_base>
#include <pqxx/errorhandler>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orm/url.hpp"

namespace orm::detail {

// A libpqxx connection that also gives the session libpq's own handle. libpqxx 6.4 keeps the
// handle private, and the session needs it for one thing libpqxx cannot do: send several
// statements in one round trip (libpq's pipeline mode), e.g. BEGIN with the first INSERT. A
// connection policy, libpqxx's hook for opening connections, records the handle; the class
// itself is what pqxx::connection is (basic_connection_base), with that policy.
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
  pg_conn* handle() const noexcept { return policy_.handle; }

 private:
  struct Policy final : pqxx::connect_direct {
    using connect_direct::connect_direct;
    pqxx::connectionpolicy::handle do_startconnect(pqxx::connectionpolicy::handle orig) override {
      return handle = connect_direct::do_startconnect(orig);
    }
    pqxx::connectionpolicy::handle do_disconnect(
        pqxx::connectionpolicy::handle orig) noexcept override {
      return handle = connect_direct::do_disconnect(orig);
    }
    pg_conn* handle = nullptr;
  };
  Policy policy_;
};

struct SessionCore;

// The connection of one Database and what the sessions on it must agree on. Owned by the
// Database and by every Session made from it, so a session never outlives it.
struct DatabaseState {
  explicit DatabaseState(DatabaseUrl database_url) : url(std::move(database_url)) {}
  ~DatabaseState() { close(); }

  /// The connection, opened now if it is not open yet or was lost. A lost connection is
  /// replaced; `generation` counts the connections opened, so a session can tell that the one
  /// its transaction ran on is gone.
  Connection& open();
  /// Closes the connection (the next open() makes a new one).
  void close() noexcept;

  /// Statements the library prepared on this connection are dropped before their next use (by a
  /// DEALLOCATE riding with it) and prepared again.
  void forget_prepared_statements() noexcept;

  DatabaseUrl url;
  std::unique_ptr<Connection> connection;
  std::unique_ptr<pqxx::errorhandler> notice_filter;  // destroyed before the connection
  std::uint64_t generation = 0;
  /// Names of the statements prepared on this connection, and of those to deallocate.
  std::set<std::string, std::less<>> prepared;
  std::vector<std::string> stale;
  /// The session whose transaction is open on this connection, if any: one at a time.
  const SessionCore* transaction_owner = nullptr;
};

}  // namespace orm::detail

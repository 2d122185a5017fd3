// Internal: what an orm::Database shares with the sessions made from it.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connect.hpp"
#include "orm/url.hpp"

namespace orm::detail {

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
  std::uint64_t generation = 0;
  /// Names of the statements prepared on this connection, and of those to deallocate.
  std::set<std::string, std::less<>> prepared;
  std::vector<std::string> stale;
  /// The session whose transaction is open on this connection, if any: one at a time.
  const SessionCore* transaction_owner = nullptr;
};

}  // namespace orm::detail

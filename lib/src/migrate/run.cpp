#include "run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "../translate.hpp"
#include "session.hpp"

namespace orm::migrate::detail {
namespace {

// Where each part of a revision's message is: [BEGIN] statements... reset... record [COMMIT].
struct Message {
  std::vector<Piece> pieces;
  std::size_t first_statement = 0;  // index of the revision's first statement
  std::size_t statements = 0;       // how many
  std::size_t bookkeeping = 0;      // index of the first reset statement

  bool is_statement(std::size_t piece) const {
    return piece >= first_statement && piece < first_statement + statements;
  }
};

Message message_of(const std::vector<Statement>& statements, const std::vector<std::string>& tail,
                   bool transactional) {
  Message message;
  if (transactional) message.pieces.push_back(Piece{"BEGIN", nullptr});
  message.first_statement = message.pieces.size();
  for (const Statement& statement : statements) {
    message.pieces.push_back(
        Piece{statement.sql, statement.copy_data ? &*statement.copy_data : nullptr});
  }
  message.statements = statements.size();
  message.bookkeeping = message.pieces.size();
  for (const std::string& sql : tail) message.pieces.push_back(Piece{sql, nullptr});
  if (transactional) message.pieces.push_back(Piece{"COMMIT", nullptr});
  return message;
}

class RevisionRun {
 public:
  RevisionRun(Database& db, const RunContext& context, const Revision& revision,
              Direction direction)
      : db_(db),
        context_(context),
        revision_(revision),
        up_(direction == Direction::upgrade),
        command_(up_ ? "upgrade" : "downgrade"),
        statements_(up_ ? revision.upgrade : revision.downgrade) {
    tail_ = session_reset(context.application_name);
    tail_.push_back(context.history.record(revision, direction, true));
  }

  void run() {
    try {
      PGconn* connection = libpq_handle(db_);
      if (revision_.transactional) {
        // The whole revision is one message: one round trip, whatever its size (a revision of
        // 3 statements took 3 round trips when each statement was sent alone).
        const Message message = message_of(statements_, tail_, true);
        if (const auto failure = send(connection, message.pieces)) {
          rollback_if_in_transaction(connection);
          failed(message, *failure);
        }
        return;
      }
      // Transaction: no: each statement alone, as psql runs them, then the bookkeeping.
      for (const Statement& statement : statements_) {
        const Message message = message_of({statement}, {}, false);
        if (const auto failure = send(connection, message.pieces)) {
          rollback_if_in_transaction(connection);
          statement_failed(statement, *failure);
        }
      }
      const Message bookkeeping = message_of({}, tail_, false);
      if (const auto failure = send(connection, bookkeeping.pieces)) {
        rollback_if_in_transaction(connection);
        failed(bookkeeping, *failure);
      }
    } catch (const MigrationError&) {
      throw;
    } catch (...) {
      orm::detail::rethrow_translated(db_.url(), orm::detail::Phase::running);
    }
  }

 private:
  std::string server_text(const Failure& failure) const {
    const std::string text = orm::detail::one_line(db_.url().scrub(failure.message));
    return failure.sqlstate.empty() ? text
                                    : fmt::format("{} (SQLSTATE {})", text, failure.sqlstate);
  }

  std::string again() const { return fmt::format("`{} db {}`", context_.program, command_); }

  [[noreturn]] void failed(const Message& message, const Failure& failure) const {
    if (message.is_statement(failure.piece)) {
      statement_failed(statements_[failure.piece - message.first_statement], failure);
    }
    if (failure.piece >= message.bookkeeping &&
        failure.piece < message.bookkeeping + tail_.size()) {
      throw MigrationError(fmt::format(
          "recording {} {} in {} failed: {}; {}", command_, revision_.id, context_.history.table(),
          server_text(failure),
          revision_.transactional
              ? "nothing of this revision was kept"
              : fmt::format("its statements ran (Transaction: no) but it is not recorded: record "
                            "it with `{} db stamp {}`",
                            context_.program, revision_.id)));
    }
    // BEGIN or COMMIT: a deferred constraint or trigger of the revision failed at COMMIT.
    throw MigrationError(fmt::format(
        "{}: {} at COMMIT (a deferred constraint or trigger); {} {} was rolled back (revisions "
        "before it stay applied): fix the SQL and run {} again",
        revision_.path.string(), server_text(failure), command_, describe(revision_), again()));
  }

  [[noreturn]] void statement_failed(const Statement& statement, const Failure& failure) const {
    int line = statement.line;
    if (failure.position) {
      line += static_cast<int>(
          std::count(statement.sql.begin(),
                     statement.sql.begin() + static_cast<std::ptrdiff_t>(*failure.position), '\n'));
    }
    const std::string where =
        fmt::format("{}:{}: {}", revision_.path.string(), line, server_text(failure));
    std::string fix = fmt::format("fix the SQL and run {} again", again());
    if (failure.sqlstate == "25001") {  // active_sql_transaction
      fix = fmt::format(
          "this statement cannot run inside a transaction: add '-- Transaction: no' to the "
          "file's header, then run {} again",
          again());
    }
    if (revision_.transactional) {
      throw MigrationError(
          fmt::format("{}; {} {} was rolled back (revisions before it stay applied): {}", where,
                      command_, describe(revision_), fix));
    }
    throw MigrationError(fmt::format(
        "{}; {} runs without a transaction (Transaction: no), so its statements above this one "
        "stay applied and it is not recorded: undo or finish them by hand, then {}",
        where, describe(revision_), fix));
  }

  Database& db_;
  const RunContext& context_;
  const Revision& revision_;
  const bool up_;
  const std::string command_;
  const std::vector<Statement>& statements_;
  std::vector<std::string> tail_;
};

}  // namespace

void run_revision(Database& db, const RunContext& context, const Revision& revision,
                  Direction direction) {
  RevisionRun(db, context, revision, direction).run();
}

}  // namespace orm::migrate::detail

#include "locks.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <ostream>

#include "../translate.hpp"
#include "orm/migrate/errors.hpp"
#include "session.hpp"

namespace orm::migrate::detail {
namespace {

// The advisory lock's key: the bytes of "migratio" as a bigint. Advisory locks are per
// database, so migrations of different databases never wait for each other.
constexpr const char* kLockKey = "7883946363647715695";

// Who holds the lock: "pid 4242 (hello_books db upgrade), connected since 10:21:07 (3 s ago)".
constexpr const char* kHolderSql = R"sql(
SELECT a.pid, coalesce(nullif(a.application_name, ''), 'no application name'),
       to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS'),
       floor(extract(epoch FROM now() - a.backend_start))::bigint
  FROM pg_catalog.pg_locks l
  JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
   AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
   AND ((l.classid::bigint << 32) | l.objid::bigint) = 7883946363647715695
 LIMIT 1
)sql";

std::string holder(pqxx::nontransaction& tx) {
  const pqxx::result rows = tx.exec(kHolderSql);
  if (rows.empty()) return "another session";
  return fmt::format("pid {} ({}), connected since {} ({} s ago)", rows[0][0].as<long>(),
                     rows[0][1].as<std::string>(), rows[0][2].as<std::string>(),
                     rows[0][3].as<long>());
}

}  // namespace

MigrationLock::MigrationLock(Database& db, std::ostream& out, const std::string& application_name,
                             std::optional<double> timeout_seconds)
    : db_(db) {
  try {
    std::string sql;
    for (const std::string& statement : session_reset(application_name)) sql += statement + ";\n";
    sql += fmt::format("SELECT pg_catalog.pg_try_advisory_lock({})", kLockKey);
    pqxx::nontransaction tx(db.connection());
    if (tx.exec1(sql)[0].as<bool>()) return;
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
  wait(out, timeout_seconds);
}

void MigrationLock::wait(std::ostream& out, std::optional<double> timeout_seconds) {
  std::string held_by = "another session";
  try {
    pqxx::nontransaction tx(db_.connection());
    held_by = holder(tx);
    out << fmt::format(
               "Waiting for the migration lock on {}: {} holds it (another migration command); "
               "{}",
               db_.url().database(), held_by,
               timeout_seconds ? fmt::format("giving up after {} s", *timeout_seconds)
                               : std::string("--lock-timeout SECONDS gives up"))
        << std::endl;
    const long milliseconds =
        timeout_seconds ? std::max(1L, std::lround(*timeout_seconds * 1000)) : 0L;
    tx.exec(
        fmt::format("SET lock_timeout = {}; SELECT pg_catalog.pg_advisory_lock({}); "
                    "RESET lock_timeout",
                    milliseconds, kLockKey));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "55P03") {  // lock_not_available: lock_timeout ran out
      orm::detail::rethrow_translated(db_.url(), orm::detail::Phase::running);
    }
    throw MigrationError(fmt::format(
        "gave up after {} s waiting for the migration lock on {}, held by {}: wait until that "
        "command ends (or stop it: SELECT pg_terminate_backend(PID) in psql) and run this one "
        "again",
        *timeout_seconds, db_.url().database(), held_by));
  } catch (...) {
    orm::detail::rethrow_translated(db_.url(), orm::detail::Phase::running);
  }
}

MigrationLock::~MigrationLock() {
  if (!db_.connected()) return;
  try {
    PGconn* connection = libpq_handle(db_);
    rollback_if_in_transaction(connection);
    PQclear(PQexec(connection,
                   fmt::format("SELECT pg_catalog.pg_advisory_unlock({})", kLockKey).c_str()));
  } catch (...) {  // a lost connection has released the lock with its session
  }
}

FolderLock::FolderLock(const std::string& directory, std::ostream& out) {
  fd_ = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) return;  // a missing folder is reported by the command itself
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  if (errno != EWOULDBLOCK) {  // a file system without flock: go on unlocked
    ::close(fd_);
    fd_ = -1;
    return;
  }
  out << fmt::format(
             "Waiting for another command that writes revisions in {} (db migrate, db "
             "revision or db merge) to finish ...",
             directory)
      << std::endl;
  while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace orm::migrate::detail

#include "connect.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace orm::detail {
namespace {

using Clock = std::chrono::steady_clock;

// libpq's own notice receiver (it hands the text to the notice processor libpqxx installs).
std::atomic<PQnoticeReceiver> default_receiver{nullptr};

// Drops NOTICE, INFO, LOG and DEBUG messages; passes WARNING on. Decided by the severity the
// server sends untranslated (PostgreSQL 9.6+), not by the localized text.
void filter_notices(void* /*unused*/, const PGresult* notice) {
  const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity != nullptr && std::strcmp(severity, "WARNING") != 0) return;
  if (const PQnoticeReceiver pass_on = default_receiver.load()) pass_on(nullptr, notice);
}

bool is_sqlstate_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

// A transport connection exists once libpq is past connect(): every status except the ones
// before it (STARTED: connect() in progress, NEEDED: next address) and BAD.
bool past_connect(ConnStatusType status) {
  return status != CONNECTION_STARTED && status != CONNECTION_NEEDED && status != CONNECTION_BAD;
}

// connect_timeout as libpq reads it: whole seconds, values 1 treated as 2, 0 or none: no limit.
// libpq applies it to each host it tries, so the whole attempt gets it once per host.
std::chrono::seconds connect_timeout(PGconn* conn) {
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfo(conn),
                                                                       &PQconninfoFree);
  long seconds = 0;
  long hosts = 1;
  for (auto* option = options.get(); option && option->keyword; ++option) {
    if (option->val == nullptr) continue;
    if (std::strcmp(option->keyword, "connect_timeout") == 0) {
      seconds = std::strtol(option->val, nullptr, 10);
    } else if (std::strcmp(option->keyword, "host") == 0) {
      for (const char* c = option->val; *c; ++c) hosts += (*c == ',');
    }
  }
  if (seconds <= 0) return std::chrono::seconds::zero();
  return std::chrono::seconds((seconds < 2 ? 2 : seconds) * hosts);
}

// Waits until the socket is ready for what PQconnectPoll asked; false on timeout.
bool wait_for(PGconn* conn, PostgresPollingStatusType want, Clock::time_point deadline,
              bool limited) {
  pollfd fd{};
  fd.fd = PQsocket(conn);
  fd.events = want == PGRES_POLLING_READING ? POLLIN : POLLOUT;
  while (true) {
    int wait_ms = -1;
    if (limited) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      wait_ms = static_cast<int>(left.count());
    }
    const int ready = ::poll(&fd, 1, wait_ms);
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return true;  // let PQconnectPoll find and report the socket's error
  }
}

}  // namespace

pqxx::connectionpolicy::handle ConnectPolicy::do_startconnect(handle existing) {
  if (existing != nullptr) return current_ = existing;
  PGconn* conn = PQconnectStart(options().c_str());
  if (conn == nullptr) throw std::bad_alloc();
  // With this verbosity a refused login's text ends in its SQLSTATE instead of its message.
  PQsetErrorVerbosity(conn, PQERRORS_SQLSTATE);

  ConnectDiagnosis diagnosis;
  const auto timeout = connect_timeout(conn);
  const bool limited = timeout.count() > 0;
  const auto deadline = Clock::now() + timeout;
  // Just after PQconnectStart, wait as if PQconnectPoll had asked to write (libpq's manual).
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (PQstatus(conn) != CONNECTION_BAD && poll != PGRES_POLLING_OK &&
         poll != PGRES_POLLING_FAILED) {
    diagnosis.reached_server = diagnosis.reached_server || past_connect(PQstatus(conn));
    if (!wait_for(conn, poll, deadline, limited)) {
      diagnosis.timed_out = true;
      break;
    }
    poll = PQconnectPoll(conn);
  }
  diagnosis.reached_server = diagnosis.reached_server || past_connect(PQstatus(conn));

  if (!diagnosis.timed_out && PQstatus(conn) == CONNECTION_OK) {
    PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
    PQnoticeReceiver previous = PQsetNoticeReceiver(conn, &filter_notices, nullptr);
    if (previous != &filter_notices) default_receiver.store(previous);
    return current_ = conn;
  }
  diagnosis.needs_password = PQconnectionNeedsPassword(conn) != 0;
  diagnosis.used_password = PQconnectionUsedPassword(conn) != 0;
  diagnosis.sqlstate = diagnosis.timed_out ? "" : trailing_sqlstate(PQerrorMessage(conn));
  if (const char* user = PQuser(conn)) diagnosis.user = user;
  if (const char* db = PQdb(conn)) diagnosis.database = db;
  PQfinish(conn);
  throw ConnectFailure(std::move(diagnosis));
}

std::string trailing_sqlstate(const std::string& message) {
  // Lines that end in ":  XXXXX" (severity, two spaces, five characters); the last one counts.
  std::string found;
  std::size_t start = 0;
  while (start < message.size()) {
    auto end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    const std::string_view line(message.data() + start, end - start);
    if (line.size() >= 8 && line.substr(line.size() - 8, 3) == ":  ") {
      const auto code = line.substr(line.size() - 5);
      bool valid = true;
      for (char c : code) valid = valid && is_sqlstate_char(c);
      if (valid) found = std::string(code);
    }
    start = end + 1;
  }
  return found;
}

}  // namespace orm::detail

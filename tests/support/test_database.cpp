#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "test_database.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

#include "orm/database.hpp"
#include "orm/errors.hpp"
#include "orm/server.hpp"

namespace testing_support {
namespace {

constexpr std::string_view kPrefix = "hello_books_test_";

std::string process_tag() {
  std::string name = std::filesystem::read_symlink("/proc/self/exe").filename().string();
  std::string tag;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    tag += ok ? c : (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : '_');
  }
  return tag.substr(0, 24) + "_" + std::to_string(::getpid());
}

void require_test_name(std::string_view name) {
  if (!is_test_database_name(name)) {
    throw orm::ConfigError("refusing to create or drop database '" + std::string(name) +
                           "': test databases must be named test_..., ..._test or ..._test_...");
  }
}

// Databases and files this process created; see CleanupListener.
class Registry {
 public:
  // The maintenance connection that creates and drops them, one per process (it reconnects
  // itself when the connection was lost).
  orm::Server& server() {
    if (!server_) server_ = std::make_unique<orm::Server>(server_url());
    return *server_;
  }
  void drop_all() noexcept {
    for (const auto& name : names_) {
      if (!server_) break;
      try {
        server_->drop_database(name, true);
      } catch (...) {  // nothing to tell at the end of a run; ./workbook db reset cleans up
      }
    }
    names_.clear();
    server_.reset();  // closed here: libpq's state may be gone when statics are destroyed
    if (!directory_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(directory_, ignored);
      directory_.clear();
    }
  }
  std::set<std::string> names_;
  std::unique_ptr<orm::Server> server_;
  std::string directory_;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

// Drops databases left behind by test processes that no longer run (killed, crashed).
void drop_stale(orm::Server& server) {
  for (const auto& name : server.databases(kPrefix)) {
    // hello_books_test_<tag>_<pid>[_suffix]: find the pid after the tag.
    const auto rest = name.substr(kPrefix.size());
    std::size_t pos = 0;
    while ((pos = rest.find('_', pos)) != std::string::npos) {
      ++pos;
      const auto end = rest.find('_', pos);
      const std::string digits = rest.substr(pos, end == std::string::npos ? end : end - pos);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
      const long pid = std::strtol(digits.c_str(), nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        try {
          server.drop_database(name, true);
        } catch (...) {  // another process got there first
        }
      }
      break;
    }
  }
}

// " TABLESPACE workbook_scratch STRATEGY FILE_COPY" when the server has that tablespace and this
// role may create databases in it, else "". It is the workbook cluster's folder on tmpfs for
// databases that live only while a test process runs (./workbook db start makes it): there,
// creating one takes about 20 ms instead of 200-500 ms on disk. FILE_COPY copies template0's
// files instead of writing its pages through shared buffers (WAL_LOG, the default), so that the
// checkpoint each DROP DATABASE forces has less to write: a warm `./workbook check 04` took 8%
// less time, side by side. It checkpoints twice itself, which the workbook's cluster (fsync off)
// does quickly; on another server it could be slow, so it goes with the tablespace.
const std::string& scratch_options(orm::Server& server) {
  static const std::string clause = [&] {
    pqxx::nontransaction tx(server.maintenance().connection());
    const pqxx::result found = tx.exec(
        "SELECT 1 FROM pg_tablespace WHERE spcname = 'workbook_scratch' AND "
        "has_tablespace_privilege(oid, 'CREATE')");
    return found.empty() ? std::string()
                         : std::string(" TABLESPACE workbook_scratch STRATEGY FILE_COPY");
  }();
  return clause;
}

// Drops this process's databases when the test run ends: before main() returns, because
// connecting from a static destructor fails (libpq's TLS and random-number state is gone).
class CleanupListener : public Catch::TestEventListenerBase {
 public:
  using Catch::TestEventListenerBase::TestEventListenerBase;
  void testRunEnded(const Catch::TestRunStats&) override { registry().drop_all(); }
};
CATCH_REGISTER_LISTENER(CleanupListener)

}  // namespace

bool is_test_database_name(std::string_view name) {
  const auto ends_with = [&](std::string_view s) {
    return name.size() >= s.size() && name.substr(name.size() - s.size()) == s;
  };
  return name.rfind("test_", 0) == 0 || ends_with("_test") ||
         name.find("_test_") != std::string_view::npos;
}

const orm::DatabaseUrl& server_url() {
  static const orm::DatabaseUrl url = [] {
    const char* value = std::getenv("DATABASE_URL");
    if (value == nullptr || *value == '\0') {
      throw orm::ConfigError(
          "DATABASE_URL is not set: run the tests with ./workbook test (it starts the workbook's "
          "PostgreSQL and sets it), or set DATABASE_URL to your server");
    }
    return orm::DatabaseUrl::parse(value).with_database("postgres");
  }();
  return url;
}

std::string scratch_database_name(std::string_view suffix) {
  std::string name = std::string(kPrefix) + process_tag();
  if (!suffix.empty()) name += "_" + std::string(suffix);
  registry().names_.insert(name);
  return name;
}

orm::DatabaseUrl scratch_database(std::string_view suffix) {
  const std::string name = scratch_database_name(suffix);
  require_test_name(name);
  orm::Server& server = registry().server();
  static bool cleaned = false;
  if (!cleaned) {
    drop_stale(server);
    cleaned = true;
  }
  server.drop_database(name, true);
  const std::string options = scratch_options(server);
  pqxx::connection_base& connection = server.maintenance().connection();
  pqxx::nontransaction(connection)
      .exec0("CREATE DATABASE " + connection.quote_name(name) + " TEMPLATE template0" + options);
  return server_url().with_database(name);
}

void drop_scratch_database(std::string_view name) {
  require_test_name(name);
  registry().server().drop_database(name, true);
  registry().names_.erase(std::string(name));
}

const orm::DatabaseUrl& test_database() {
  static const orm::DatabaseUrl url = [] {
    orm::DatabaseUrl db = scratch_database("");
    ::setenv("DATABASE_URL", db.uri_with_password().c_str(), 1);
    ::setenv("TEST_DATABASE_URL", db.uri_with_password().c_str(), 1);
    return db;
  }();
  return url;
}

std::string wrong_password_url(const orm::DatabaseUrl& url, std::string_view password) {
  if (url.has_password()) return url.with_login(url.user(), password).uri_with_password();
  const std::string user = "hello_books_test_password";
  orm::Database db(server_url());
  pqxx::nontransaction(db.connection())
      .exec0("DO $$BEGIN CREATE ROLE " + user +
             " LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$");
  return url.with_login(user, password).uri_with_password();
}

std::string url_with_unused_password(const orm::DatabaseUrl& url, std::string_view password) {
  return url.has_password() ? url.uri_with_password()
                            : url.with_login(url.user(), password).uri_with_password();
}

const std::string& scratch_directory() {
  auto& dir = registry().directory_;
  if (dir.empty()) {
    const auto path = std::filesystem::temp_directory_path() / ("hello_books_" + process_tag());
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    dir = path.string();
  }
  return dir;
}

}  // namespace testing_support

// Do not change this file: it checks the troubleshooting page (ctest label docs).
//
// docs/troubleshooting.md quotes the messages the workbook's programs print. Each test here runs
// a program (the lesson solutions' programs, ./workbook) against the same bad input, takes the
// first line it printed on stderr, replaces this run's variable parts (server address, database
// names, folders, revision ids) by the ones the page shows, and requires the page to quote that
// line exactly. A program whose message changes therefore fails here until the page shows the
// new text.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lesson_check.hpp"
#include "orm/url.hpp"
#include "quoted_messages.hpp"
#include "test_database.hpp"
#include "workbook/not_done.hpp"

namespace {

using quoted_messages::page_quotes;
using quoted_messages::Replacement;
using quoted_messages::require_quoted;

using lesson_check::EnvChange;
using lesson_check::ProgramRun;
using lesson_check::run_program;

// The address every quoted message shows: the workbook's own server.
const std::string kPageServer = "localhost:55432";

// The test server as the page shows it.
std::vector<Replacement> server_replacements() {
  return {{testing_support::server_url().server(), kPageServer}};
}

// A TCP port on 127.0.0.1 that this process listens on until the end of the scope.
class BusyPort {
 public:
  BusyPort() : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    REQUIRE(socket_ >= 0);
    REQUIRE(::bind(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(socket_, 1) == 0);
    REQUIRE(::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~BusyPort() { ::close(socket_); }
  BusyPort(const BusyPort&) = delete;
  BusyPort& operator=(const BusyPort&) = delete;

  std::string port() const { return std::to_string(port_); }

 private:
  int socket_;
  int port_ = 0;
};

std::string server_url_with_database(const std::string& database) {
  return testing_support::server_url().with_database(database).uri_with_password();
}

}  // namespace

TEST_CASE("not done yet: the page quotes a starter's message as workbook::NotDoneYet writes it") {
  const workbook::NotDoneYet error(
      "create hello_books_development in create_database(), main.cpp (step 2)");
  INFO(error.what());
  CHECK(page_quotes(error.what()));
}

TEST_CASE("server not running: create_databases") {
  const std::string url = lesson_check::unreachable_url("hello_books_development");
  const std::string address = orm::DatabaseUrl::parse(url).server();
  require_quoted(run_program(CREATE_DATABASES_PROGRAM, {},
                             {{"DATABASE_URL", url}, {"TEST_DATABASE_URL", url}}),
                 {{address, kPageServer}});
}

TEST_CASE("unknown host: hello_books") {
  const std::string url = "postgresql://postgres:postgres@nosuchhost.invalid:55432/x";
  require_quoted(run_program(HELLO_BOOKS_PROGRAM, {}, {{"DATABASE_URL", url}}), {});
}

TEST_CASE("wrong password: hello_books") {
  const auto url = testing_support::server_url().with_database("hello_books_development");
  const std::string wrong = lesson_check::url_with_password(url, "wrongpw");
  auto replacements = server_replacements();  // the page shows the classic user, postgres
  replacements.emplace_back('"' + orm::DatabaseUrl::parse(wrong).user() + '"', "\"postgres\"");
  require_quoted(run_program(HELLO_BOOKS_PROGRAM, {}, {{"DATABASE_URL", wrong}}), replacements);
}

TEST_CASE("missing database: hello_books") {
  const std::string name = testing_support::scratch_database_name("missing");
  auto replacements = server_replacements();
  replacements.emplace_back(name, "hello_books_development");
  require_quoted(
      run_program(HELLO_BOOKS_PROGRAM, {}, {{"DATABASE_URL", server_url_with_database(name)}}),
      replacements);
}

TEST_CASE("bad connection URLs: hello_books") {
  const std::vector<std::string> urls = {
      "not a url",
      "mysql://postgres:postgres@localhost:55432/hello_books_development",
      "postgresql+psycopg2://postgres:postgres@localhost:notaport/hello_books_development",
      "postgresql://postgres:postgres@localhost:55432/" + std::string(70, 'x'),
  };
  for (const auto& url : urls) {
    require_quoted(run_program(HELLO_BOOKS_PROGRAM, {}, {{"DATABASE_URL", url}}), {});
  }
}

TEST_CASE("./workbook: DATABASE_URL names a server that does not answer") {
  const std::string url = lesson_check::unreachable_url("hello_books_development");
  const std::string address = orm::DatabaseUrl::parse(url).server();
  // The page shows PostgreSQL's usual port here: a server of your own.
  require_quoted(run_program(WORKBOOK_SCRIPT, {"db", "psql"}, {{"DATABASE_URL", url}}),
                 {{address, "localhost:5432"}});
}

TEST_CASE("./workbook: the private server's port is taken") {
  // A cluster folder that looks initialised (so nothing is created) and a port this process
  // holds: `db start` with TCP (without, the port is only the socket's name) must refuse before
  // it starts anything.
  const BusyPort busy;
  const std::string pg_dir = testing_support::scratch_directory() + "/pg";
  std::filesystem::create_directories(pg_dir + "/data");
  std::ofstream(pg_dir + "/data/PG_VERSION") << "15\n";
  const std::vector<EnvChange> environment = {{"DATABASE_URL", std::nullopt},
                                              {"WORKBOOK_PGPORT", busy.port()},
                                              {"WORKBOOK_PGDIR", pg_dir},
                                              {"WORKBOOK_PGTCP", "1"}};
  require_quoted(run_program(WORKBOOK_SCRIPT, {"db", "start"}, environment),
                 {{"port " + busy.port() + " on", "port 55432 on"}});
}

// locale_probe CLUSTER_DIR REFUSED_PORT: provokes every class of error the orm library reports
// on the security tests' cluster (tests/security/test_cluster.sh) and prints, one line each,
//     <scenario> TAB <orm::failure_class> TAB <SQLSTATE> TAB <the orm error's message>
// and, to show which language libpq and the server spoke, the raw texts
//     raw:<what> TAB <libpq's or the server's own first line>
// It calls setlocale(LC_ALL, "") first, as psql does: only then does libpq translate its texts
// (LANGUAGE, LC_MESSAGES). locale_test.cpp runs it in English and German and compares.
#include <libpq-fe.h>

#include <clocale>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <string>

#include <pqxx/except>
#include <pqxx/nontransaction>

#include "orm/orm.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

const char* class_name(orm::FailureClass failure) {
  switch (failure) {
    case orm::FailureClass::other:
      return "other";
    case orm::FailureClass::invalid_settings:
      return "invalid_settings";
    case orm::FailureClass::cannot_connect:
      return "cannot_connect";
    case orm::FailureClass::connection_lost:
      return "connection_lost";
    case orm::FailureClass::commit_in_doubt:
      return "commit_in_doubt";
    case orm::FailureClass::canceled:
      return "canceled";
    case orm::FailureClass::transaction_conflict:
      return "transaction_conflict";
    case orm::FailureClass::statement_failed:
      return "statement_failed";
  }
  return "?";
}

// Runs `action`, which must fail, and prints how the library reports it.
void scenario(const std::string& name, const std::function<void()>& action) {
  try {
    action();
    std::cout << name << "\tno error\t\t\n";
  } catch (const std::exception& e) {
    std::cout << name << "\t" << class_name(orm::failure_class(e)) << "\t" << orm::sqlstate_of(e)
              << "\t" << e.what() << "\n";
  }
}

// libpq's own text for a failed connection (never shown by the library).
std::string raw_connect_error(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  const std::string text = PQerrorMessage(conn);
  PQfinish(conn);
  const auto failed = text.find("failed: ");
  return first_line(failed == std::string::npos ? text : text.substr(failed + 8));
}

}  // namespace

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "");
  if (argc != 3) {
    std::cerr << "usage: locale_probe CLUSTER_DIR REFUSED_PORT\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::string refused = argv[2];
  const std::string password = read_file(dir + "/password");
  const std::string port = read_file(dir + "/port");
  const std::string tcp = "127.0.0.1:" + port;
  const auto url = [&](const std::string& user_info, const std::string& rest) {
    return orm::DatabaseUrl::parse("postgresql://" + user_info + "@" + rest);
  };
  const auto open = [](const orm::DatabaseUrl& target) {
    orm::Database db(target);
    db.connection();
  };
  const orm::DatabaseUrl admin = url("postgres:" + password, tcp + "/postgres");

  // Connecting.
  scenario("server_not_running_socket", [&] {
    open(orm::DatabaseUrl::parse("postgresql://postgres:" + password + "@/postgres?host=" + dir +
                                 "/no_server_here"));
  });
  scenario("port_refused",
           [&] { open(url("postgres:" + password, "127.0.0.1:" + refused + "/x")); });
  scenario("unknown_host", [&] { open(url("postgres:" + password, "nosuchhost.invalid/x")); });
  scenario("wrong_password", [&] { open(url("postgres:Wrong_Pw_1", tcp + "/postgres")); });
  scenario("no_password", [&] { open(url("postgres", tcp + "/postgres")); });
  scenario("rejected_user", [&] { open(url("hb_rejected:" + password, tcp + "/postgres")); });
  scenario("missing_database", [&] { open(admin.with_database("hb_no_such_database")); });
  scenario("invalid_url", [&] { orm::DatabaseUrl::parse("postgresql://u:Pw@x@" + tcp + "/db"); });

  // Statements.
  orm::Database db(admin);
  orm::Session session(db);
  scenario("missing_table", [&] { session.execute("SELECT * FROM hb_no_such_table"); });
  session.execute("CREATE TEMP TABLE hb_probe (code text UNIQUE, title text NOT NULL)");
  session.execute("INSERT INTO hb_probe VALUES ('dup', 'a')");
  scenario("unique_violation",
           [&] { session.execute("INSERT INTO hb_probe VALUES ('dup', 'b')"); });
  scenario("not_null_violation",
           [&] { session.execute("INSERT INTO hb_probe VALUES ('other', NULL)"); });
  scenario("division_by_zero", [&] { session.execute("SELECT 1/0"); });
  scenario("syntax_error", [&] { session.execute("SELEC 1"); });
  scenario("serialization_failure", [&] {
    session.execute("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40001'; END $$");
  });
  session.execute("SET statement_timeout = 1");
  scenario("statement_timeout", [&] { session.execute("SELECT pg_sleep(5)"); });
  session.execute("SET statement_timeout = 0");
  scenario("connection_lost", [&] {
    orm::Database other(admin);
    pqxx::nontransaction(other.connection())
        .exec("SELECT pg_terminate_backend(" +
              std::to_string(session.execute("SELECT pg_backend_pid()")[0][0].as<int>()) + ")");
    session.execute("SELECT 1");
  });

  // The raw texts: libpq's (client language) and the server's (server language).
  std::cout << "raw:client\t" << raw_connect_error("host=127.0.0.1 port=" + refused) << "\n";
  std::cout << "raw:server_login\t"
            << raw_connect_error("host=127.0.0.1 port=" + port + " user=postgres password=x")
            << "\n";
  try {
    orm::Database fresh(admin);
    pqxx::nontransaction(fresh.connection()).exec("SELECT * FROM hb_no_such_table");
  } catch (const pqxx::sql_error& e) {
    std::cout << "raw:server_statement\t" << first_line(e.what()) << "\n";
  }
  return 0;
}
